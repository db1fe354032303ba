"""Watchlists and their mail, recent changes and Atom feeds (wiki.collab)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from tests.support.wiki import add_user, csrf_token, login, save
from wiki.accounts import create_api_key, find_user
from wiki.app import create_app
from wiki.collab.hooks import send_mail
from wiki.collab.watch import is_watching, watch
from wiki.mail import queue_mail
from wiki.models import OutgoingMail
from wiki.security.notify import set_preferences

ATOM = "{http://www.w3.org/2005/Atom}"


def _watch(site, actor, title):
    with site.db.write() as session:
        watch(session, actor.user_id, site.titles.parse(title))


def _watching(site, actor, title) -> bool:
    with site.db.read() as session:
        return is_watching(session, actor.user_id, site.titles.parse(title))


def _pending_mail(site) -> int:
    with site.db.read() as session:
        return session.scalar(select(func.count()).select_from(OutgoingMail).where(OutgoingMail.sent_at.is_(None)))


def test_watch_and_unwatch_need_post_with_csrf(site, client):
    alice = add_user(site, "Alice")
    save(site, "Foo", "text")  # by someone else: Alice does not watch it yet
    login(client, "Alice")
    page = client.get("/wiki/Foo").get_data(as_text=True)
    assert "☆ Watch" in page
    assert client.get("/wiki/Foo?action=watch").status_code == 200 and not _watching(site, alice, "Foo")
    assert client.post("/wiki/Foo?action=watch").status_code == 400
    token = csrf_token(client, "/wiki/Foo")
    assert client.post("/wiki/Foo?action=watch", data={"csrf_token": token}).status_code == 302
    assert _watching(site, alice, "Foo") and _watching(site, alice, "Talk:Foo")
    assert "★ Unwatch" in client.get("/wiki/Foo").get_data(as_text=True)
    client.post("/wiki/Talk:Foo?action=unwatch", data={"csrf_token": token})
    assert not _watching(site, alice, "Foo")


def test_anonymous_cannot_watch(site, client):
    save(site, "Foo", "text")
    assert client.post("/wiki/Foo?action=watch").status_code in (400, 403)
    assert "Watch" not in client.get("/wiki/Foo").get_data(as_text=True).split("</nav>")[1]


def test_edit_form_watches_by_default_and_unticking_unwatches(site, client):
    alice = add_user(site, "Alice")
    login(client, "Alice")
    form = client.get("/wiki/Foo?action=edit").get_data(as_text=True)
    assert 'name="watch" value="1" checked' in form
    token = csrf_token(client, "/wiki/Foo?action=edit")
    client.post("/wiki/Foo?action=submit", data={"csrf_token": token, "text": "one", "watch_shown": "1",
                                                  "watch": "1"})
    assert _watching(site, alice, "Foo")
    base = client.get("/api/v1/pages/Foo").get_json()["revision_id"]
    client.post("/wiki/Foo?action=submit", data={"csrf_token": token, "text": "two", "watch_shown": "1",
                                                  "base_revision_id": str(base)})
    assert not _watching(site, alice, "Foo")
    assert client.get("/api/v1/pages/Foo").get_json()["text"] == "two"


def test_watchlist_lists_changes_and_removes_items(site, client):
    alice, bob = add_user(site, "Alice"), add_user(site, "Bob")
    save(site, "Foo", "one", bob, summary="foo edit")
    save(site, "Talk:Foo", "talk", bob, summary="talk edit")
    save(site, "Bar", "unwatched", bob, summary="bar edit")
    _watch(site, alice, "Foo")
    _watch(site, alice, "Baz")
    login(client, "Alice")
    html = client.get("/wiki/Special:Watchlist").get_data(as_text=True)
    assert "foo edit" in html and "talk edit" in html and "bar edit" not in html
    assert 'value="Baz"' in html
    token = csrf_token(client, "/wiki/Special:Watchlist")
    client.post("/wiki/Special:Watchlist", data={"csrf_token": token, "remove": ["Foo", "Baz"]})
    assert not _watching(site, alice, "Foo") and not _watching(site, alice, "Baz")


def test_watchers_get_mail_but_not_for_their_own_edits(make_site, smtp_sink):
    site = make_site(config={"smtp_url": smtp_sink.url, "base_url": "http://wiki.test"})
    alice, bob = add_user(site, "Alice"), add_user(site, "Bob")
    save(site, "Foo", "one", alice)
    _watch(site, alice, "Foo")
    _watch(site, bob, "Foo")
    save(site, "Foo", "two", alice, summary="my own")
    [msg] = smtp_sink.wait_for(1)
    assert msg.rcpt_tos == ["bob@example.test"]
    assert "Foo was changed by Alice" in msg.subject
    body = msg.text()
    assert "Summary: my own" in body and "http://wiki.test/wiki/Foo?diff=" in body
    save(site, "Talk:Foo", "talk", bob)
    messages = smtp_sink.wait_for(2)
    assert messages[1].rcpt_tos == ["alice@example.test"] and "Talk:Foo was created" in messages[1].subject


def test_watchers_who_turned_watchlist_mail_off_get_none(make_site, smtp_sink):
    site = make_site(config={"smtp_url": smtp_sink.url})
    alice, bob, carl = add_user(site, "Alice"), add_user(site, "Bob"), add_user(site, "Carl")
    save(site, "Foo", "one", alice)
    for watcher in (bob, carl):
        _watch(site, watcher, "Foo")
    with site.db.write() as session:
        set_preferences(session, bob, {"watchlist": False})
    save(site, "Foo", "two", alice)
    [msg] = smtp_sink.wait_for(1)
    assert msg.rcpt_tos == ["carl@example.test"]
    assert _pending_mail(site) == 0


def test_only_readers_of_the_page_get_mail(make_site, smtp_sink):
    site = make_site(config={"smtp_url": smtp_sink.url})
    staff = add_user(site, "Alice")
    customer = add_user(site, "Carol", "customer", account="Acme")
    other = add_user(site, "Dave", "customer", account="Globex")
    with site.db.write() as session:
        from wiki.models import Account
        acme = session.scalar(select(Account.id).where(Account.name == "Acme"))
    save(site, "Acme notes", "one", staff, account_id=acme)
    _watch(site, customer, "Acme notes")
    _watch(site, other, "Acme notes")
    save(site, "Acme notes", "two", staff)
    [msg] = smtp_sink.wait_for(1)
    assert msg.rcpt_tos == ["carol@example.test"]
    assert _pending_mail(site) == 0


def test_mail_survives_a_failing_server_and_a_later_run_sends_it(make_site, smtp_sink):
    site = make_site(config={"smtp_url": smtp_sink.url})
    alice, bob = add_user(site, "Alice"), add_user(site, "Bob")
    save(site, "Foo", "one", alice)
    _watch(site, bob, "Foo")
    smtp_sink.fail_with("451 4.3.0 Try again later")
    save(site, "Foo", "two", alice)
    assert len(smtp_sink) == 0 and _pending_mail(site) == 1
    smtp_sink.fail_with(None)
    with site.db.write() as session:  # the back-off would wait a minute; make the mail due now
        for mail in session.scalars(select(OutgoingMail)):
            mail.next_attempt_at = mail.created_at
    assert send_mail(site) == (1, 0)
    [msg] = smtp_sink.wait_for(1)
    assert msg.rcpt_tos == ["bob@example.test"] and _pending_mail(site) == 0


def test_jobs_include_the_mail_sender(site):
    from wiki.plugins import gather
    jobs = {job.name: job for job in gather(site.hook.register_jobs)}
    assert jobs["collab.send_mail"].every_seconds == 60


def test_recent_changes_filters(site, client):
    alice, bob = add_user(site, "Alice"), add_user(site, "Bob")
    save(site, "Foo", "one", alice, summary="alice main")
    save(site, "Foo", "one two", bob, summary="bob minor", minor=True)
    save(site, "Help:Thing", "help", bob, summary="bob help")
    html = client.get("/wiki/Special:RecentChanges").get_data(as_text=True)
    assert all(s in html for s in ("alice main", "bob minor", "bob help", "(+4)", "diff</a>", "hist</a>"))
    html = client.get("/wiki/Special:RecentChanges?namespace=12").get_data(as_text=True)
    assert "bob help" in html and "alice main" not in html
    html = client.get("/wiki/Special:RecentChanges?user=Alice").get_data(as_text=True)
    assert "alice main" in html and "bob help" not in html
    html = client.get("/wiki/Special:RecentChanges?hideminor=1").get_data(as_text=True)
    assert "bob minor" not in html and "alice main" in html
    html = client.get("/wiki/Special:RecentChanges?limit=1").get_data(as_text=True)
    assert "bob help" in html and "bob minor" not in html
    login(client, "Bob")
    html = client.get("/wiki/Special:RecentChanges?hidemyself=1").get_data(as_text=True)
    assert "alice main" in html and "bob help" not in html
    bad = client.get("/wiki/Special:RecentChanges?limit=zero&namespace=77")
    text = bad.get_data(as_text=True)
    assert "limit must be a whole number" in text and "no namespace numbered 77" in text


def test_recent_changes_and_feeds_respect_permissions(site, client):
    staff = add_user(site, "Alice")
    add_user(site, "Carol", "customer", account="Acme")
    with site.db.read() as session:
        from wiki.models import Account
        acme = session.scalar(select(Account.id).where(Account.name == "Acme"))
    save(site, "Public page", "hello", staff, summary="public edit")
    save(site, "Secret page", "psst", staff, summary="secret edit", account_id=acme)
    anonymous = client.get("/wiki/Special:RecentChanges").get_data(as_text=True)
    assert "public edit" in anonymous and "secret edit" not in anonymous
    feed = client.get("/wiki/Special:RecentChanges?feed=atom")
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    titles = [e.find(f"{ATOM}title").text for e in root.iter(f"{ATOM}entry")]
    assert titles == ["Public page"]
    assert client.get("/wiki/Secret_page?action=history&feed=atom").status_code in (403, 404)
    carol = create_app(site=site).test_client()
    login(carol, "Carol")
    root = ET.fromstring(carol.get("/wiki/Special:RecentChanges?feed=atom").data)
    assert {e.find(f"{ATOM}title").text for e in root.iter(f"{ATOM}entry")} == {"Public page", "Secret page"}


def test_history_feed_lists_revisions(site, client):
    alice = add_user(site, "Alice")
    for text in ("a", "ab", "abc"):
        save(site, "Foo", text, alice, summary=f"set {text}")
    root = ET.fromstring(client.get("/wiki/Foo?action=history&feed=atom").data)
    entries = list(root.iter(f"{ATOM}entry"))
    assert [e.find(f"{ATOM}summary").text.split(" (")[0] for e in entries] == ["set abc", "set ab", "set a"]
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "Alice"
    assert "diff=" in entries[0].find(f"{ATOM}link").get("href")


def test_api_edits_watch_by_default_unless_told_not_to(site, client):
    bot = add_user(site, "Bot")
    with site.db.write() as session:
        token = create_api_key(session, find_user(session, "Bot"), scope="write")[1]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.put("/api/v1/pages/Watched", json={"text": "x"}, headers=headers).status_code == 201
    assert client.put("/api/v1/pages/Unwatched", json={"text": "x", "watch": False}, headers=headers).status_code == 201
    assert _watching(site, bot, "Watched") and not _watching(site, bot, "Unwatched")
    bad = client.put("/api/v1/pages/Watched", json={"text": "y", "watch": "yes"}, headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["details"] == {"field": "watch"}


def test_one_mail_per_person_for_a_change_whichever_is_queued_first(site):
    with site.db.write() as session:
        assert queue_mail(session, "a@example.test", "Ticket reply", "x", category="tickets", about=7)
        assert queue_mail(session, "a@example.test", "Watchlist", "x", category="watchlist", about=7,
                          general=True) is None
        assert queue_mail(session, "b@example.test", "Watchlist", "x", category="watchlist", about=7, general=True)
        session.flush()  # the general notice is already a row when the specific mail replaces it
        assert queue_mail(session, "b@example.test", "Ticket reply", "x", category="tickets", about=7)
        assert queue_mail(session, "b@example.test", "About another page", "x", category="watchlist", about=8,
                          general=True)
    with site.db.write() as session:  # a new transaction starts afresh
        assert queue_mail(session, "a@example.test", "Watchlist", "x", category="watchlist", about=7, general=True)
    with site.db.read() as session:
        rows = session.execute(select(OutgoingMail.to_address, OutgoingMail.subject).order_by(OutgoingMail.id)).all()
    assert [tuple(row) for row in rows] == [("a@example.test", "Ticket reply"), ("b@example.test", "Ticket reply"),
                                            ("b@example.test", "About another page"), ("a@example.test", "Watchlist")]
