"""No customer reads another account's pages, nor learns that they exist (issue 12, items 1, 2 and 8).

Alice (account Acme) has Ticket:1001, with an internal note on Ticket talk:1001, and
Ticket:1003 without one; Bob (account Globex) has Ticket:1002.  Ticket:1009 is a number
never handed out.  Every probe compares what Alice gets for Bob's ticket with what she gets
for Ticket:1009: a page she may not read must answer exactly like one that is not there.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from plugins.tickets.testing import api_key, make_desk, open_test_ticket
from tests.support.wiki import csrf_token, current_text, login, preview_of, save, tab
from wiki.app import create_app
from wiki.collab.moves import delete_page
from wiki.models import Account
from wiki.pages import SaveError, preview, save_page

BOB_SECRET = "Globexpayroll4471"
NOTE_SECRET = "Customerisdifficult9920"
DELETED_SECRET = "Deletedplan3318"
_TOKENS = re.compile(r'(name="csrf_token" value=")[^"]+')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def desk_site(request, make_site):
    """A seeded help desk on SQLite and on PostgreSQL, with the tickets and the note above."""
    site = make_site(request.param, seed=True)
    desk = make_desk(site)
    open_test_ticket(site, desk.alice, subject="Alice's printer")
    open_test_ticket(site, desk.bob, subject="Globex payroll", description=f"Payroll code {BOB_SECRET}")
    open_test_ticket(site, desk.alice, subject="Alice's scanner")
    save(site, "Ticket talk:1001", f"Internal: {NOTE_SECRET}", actor=desk.agent)
    site.desk = desk
    return site


def _client(site, name: str | None):
    client = create_app(site=site).test_client()
    if name:
        login(client, name)
    return client


def _answer(response, number: str) -> tuple[int, str]:
    """Status and page of an answer, with the ticket number and the CSRF token written out."""
    body = _TOKENS.sub(r"\1TOKEN", response.get_data(as_text=True))
    return response.status_code, body.replace(number, "NUMBER")


def _post(client, path: str, **form):
    return client.post(path, data={"csrf_token": csrf_token(client), **form})


def _revision(site, title: str) -> int:
    with site.db.read() as session:
        return site.get_page(session, site.titles.parse(title)).latest_id


# --- item 1: preview and the edit form ----------------------------------------------------------


@pytest.mark.parametrize("path", ["", "?action=edit", "?action=edit&section=new", "?action=edit&redlink=1"])
def test_another_accounts_ticket_answers_like_a_ticket_that_does_not_exist(desk_site, path):
    alice = _client(desk_site, "Alice")
    hidden = alice.get(f"/wiki/Ticket:1002{path}")
    missing = alice.get(f"/wiki/Ticket:1009{path}")
    assert _answer(hidden, "1002") == _answer(missing, "1009")
    body = hidden.get_data(as_text=True)
    assert "Creating" not in body and BOB_SECRET not in body


def test_preview_and_save_on_another_accounts_ticket_answer_like_a_missing_one(desk_site):
    alice = _client(desk_site, "Alice")
    answers = {}
    for number in ("1002", "1009"):
        for extra in ({"preview": "1"}, {"save": "1"}):
            response = _post(alice, f"/wiki/Ticket:{number}?action=submit", text="{{:Ticket:1002}}", **extra)
            answers.setdefault(number, []).append(_answer(response, number))
            assert BOB_SECRET not in response.get_data(as_text=True)
    assert answers["1002"] == answers["1009"]
    assert BOB_SECRET in current_text(desk_site, "Ticket:1002") and current_text(desk_site, "Ticket:1009") is None


def test_preview_renders_as_the_reader_whatever_the_host_title(desk_site):
    """The preview service itself, called on Bob's ticket for Alice, shows her nothing of it."""
    title = desk_site.titles.parse("Ticket:1002")
    text = "{{:Ticket:1002}} {{subst::Ticket:1002}} {{#ifexist:Ticket:1002|BOBEXISTS|BOBMISSING}} [[Ticket:1002]]"
    with desk_site.db.read() as session:
        as_alice, _ = preview(desk_site, session, title, text, desk_site.desk.alice)
        as_bob, _ = preview(desk_site, session, title, text, desk_site.desk.bob)
    assert BOB_SECRET not in as_alice.html and "BOBMISSING" in as_alice.html
    assert 'class="new"' in as_alice.html
    assert BOB_SECRET in as_bob.html and "BOBEXISTS" in as_bob.html  # the owner's preview still shows it


def test_a_preview_on_the_readers_own_ticket_never_shows_the_internal_note(desk_site):
    alice = _client(desk_site, "Alice")
    text = "{{:Ticket talk:1001}} {{#ifexist:Ticket talk:1001|NOTEEXISTS|NOTEMISSING}}"
    body = _post(alice, "/wiki/Ticket:1001?action=submit", text=text, preview="1").get_data(as_text=True)
    shown = preview_of(body)
    assert NOTE_SECRET not in body
    assert "NOTEMISSING" in shown and "NOTEEXISTS" not in shown


# --- item 2: revisions named by their id ---------------------------------------------------------


def _deleted_revision(site) -> int:
    """A revision hidden by a deletion (the page was deleted by an admin)."""
    rev = save(site, "Old plan", f"Plan: {DELETED_SECRET}").revision.id
    with site.db.write() as session:
        delete_page(site, session, site.titles.parse("Old plan"), site.desk.admin, reason="obsolete")
    return rev


@pytest.mark.parametrize("source", ["another account's ticket", "an internal note", "a deleted page"])
def test_no_revision_can_be_copied_onto_a_new_page_by_its_id(desk_site, source):
    revision = {"another account's ticket": lambda: _revision(desk_site, "Ticket:1002"),
                "an internal note": lambda: _revision(desk_site, "Ticket talk:1001"),
                "a deleted page": lambda: _deleted_revision(desk_site)}[source]()
    alice = _client(desk_site, "Alice")
    response = _post(alice, "/wiki/User:Alice/Copy?action=submit", section="new", subject="Copy", text="hi",
                     base_revision_id=str(revision), save="1")
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body[-1500:]
    assert f"Revision {revision} is not a revision of User:Alice/Copy." in body
    assert current_text(desk_site, "User:Alice/Copy") is None
    for secret in (BOB_SECRET, NOTE_SECRET, DELETED_SECRET):
        assert secret not in body
    signed_out = _client(desk_site, None).get("/wiki/User:Alice/Copy").get_data(as_text=True)
    assert BOB_SECRET not in signed_out and NOTE_SECRET not in signed_out and DELETED_SECRET not in signed_out


def test_a_hidden_revision_of_the_same_page_is_no_base_either(desk_site):
    alice = _client(desk_site, "Alice")
    hidden = save(desk_site, "User:Alice/Notes", f"{DELETED_SECRET}\n\nmore words", actor=desk_site.desk.alice)
    with desk_site.db.write() as session:
        delete_page(desk_site, session, desk_site.titles.parse("User:Alice/Notes"), desk_site.desk.admin, "spam")
    save(desk_site, "User:Alice/Notes", "A fresh start", actor=desk_site.desk.alice)
    for form in ({"section": "new", "subject": "More"}, {"section": "0"}, {}):
        response = _post(alice, "/wiki/User:Alice/Notes?action=submit", text="mine",
                         base_revision_id=str(hidden.revision.id), save="1", **form)
        assert response.status_code == 400, form
        assert DELETED_SECRET not in response.get_data(as_text=True)
    assert current_text(desk_site, "User:Alice/Notes") == "A fresh start"


def test_save_page_takes_only_a_readable_revision_of_the_page_itself_as_base(desk_site):
    alice, foreign = desk_site.desk.alice, _revision(desk_site, "Ticket:1002")
    save(desk_site, "User:Alice", "About Alice", actor=alice)
    for title in ("User:Alice/New", "User:Alice"):
        with pytest.raises(SaveError, match=f"Revision {foreign} is not a revision of {title}"):
            with desk_site.db.write() as session:
                save_page(desk_site, session, desk_site.titles.parse(title), "text", alice,
                          base_revision_id=foreign)
    assert current_text(desk_site, "User:Alice/New") is None
    response = create_app(site=desk_site).test_client().put(
        "/api/v1/pages/User:Alice/New", json={"text": "x", "base_revision_id": foreign},
        headers={"Authorization": f"Bearer {api_key(desk_site, 'Alice')}"})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["messages"] == [
        f"Revision {foreign} is not a revision of User:Alice/New."]


# --- item 8: existence ---------------------------------------------------------------------------


def test_the_discussion_tab_does_not_tell_a_customer_that_an_internal_note_exists(desk_site):
    alice, agent = _client(desk_site, "Alice"), _client(desk_site, "Agent")
    with_note = tab(alice.get("/wiki/Ticket:1001").get_data(as_text=True), "Discussion")
    without_note = tab(alice.get("/wiki/Ticket:1003").get_data(as_text=True), "Discussion")
    assert with_note.replace("1001", "N") == without_note.replace("1003", "N")
    assert "new" in with_note
    assert "new" not in tab(agent.get("/wiki/Ticket:1001").get_data(as_text=True), "Discussion")


def test_links_and_ifexist_report_pages_some_reader_may_not_read_as_missing(desk_site):
    save(desk_site, "Help:Public", "Public help.")
    text = ("[[Ticket:1002]] [[Ticket:1009]] [[Help:Public]] {{#ifexist:Ticket:1002|BOBEXISTS|BOBMISSING}} "
            "{{#ifexist:Ticket talk:1001|NOTEEXISTS|NOTEMISSING}}")
    save(desk_site, "User:Alice", text, actor=desk_site.desk.alice)
    save(desk_site, "Help:Desk", text, actor=desk_site.desk.agent)
    for reader, page in (("Alice", "User:Alice"), (None, "User:Alice"), ("Agent", "Help:Desk"), (None, "Help:Desk")):
        html = _client(desk_site, reader).get(f"/wiki/{page}").get_data(as_text=True)
        assert "BOBMISSING" in html and "NOTEMISSING" in html, (reader, page)
        hidden = re.search(r'<a href="/wiki/Ticket:1002[^>]*>', html).group(0)
        missing = re.search(r'<a href="/wiki/Ticket:1009[^>]*>', html).group(0)
        assert hidden.replace("1002", "N") == missing.replace("1009", "N")
        assert 'class="new"' not in re.search(r'<a href="/wiki/Help:Public[^>]*>', html).group(0)


def test_a_red_link_opens_the_page_for_a_reader_who_may_read_it(desk_site):
    agent = _client(desk_site, "Agent")
    response = agent.get("/wiki/Ticket:1002?action=edit&redlink=1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/wiki/Ticket:1002")
    # a number never handed out has no page to open, and no one makes a ticket page by hand
    assert agent.get("/wiki/Ticket:1009?action=edit&redlink=1").status_code == 403


def test_wanted_pages_and_categories_show_unreadable_pages_as_missing(desk_site):
    with desk_site.db.read() as session:
        globex = session.scalar(select(Account.id).where(Account.name == "Globex"))
    save(desk_site, "Category:Globex VIP", "Globex's own category page.", account_id=globex)
    save(desk_site, "User:Alice", "[[Ticket:1002]] [[Ticket:1009]] [[Category:Globex VIP]]", actor=desk_site.desk.alice)
    alice, agent = _client(desk_site, "Alice"), _client(desk_site, "Agent")
    wanted = alice.get("/wiki/Special:WantedPages").get_data(as_text=True)
    assert "Ticket:1002" in wanted and "Ticket:1009" in wanted
    assert "Ticket:1002" not in agent.get("/wiki/Special:WantedPages").get_data(as_text=True)
    for path in ("/wiki/User:Alice", "/wiki/Special:Categories"):
        link = re.search(r'<a href="/wiki/Category:Globex_VIP"[^>]*>', alice.get(path).get_data(as_text=True))
        assert 'class="new"' in link.group(0), path
        staff_link = re.search(r'<a href="/wiki/Category:Globex_VIP"[^>]*>', agent.get(path).get_data(as_text=True))
        assert 'class="new"' not in staff_link.group(0), path


def test_refusals_never_say_that_another_account_has_the_page(desk_site):
    policy, titles = desk_site.policy, desk_site.titles
    bob = desk_site.desk.bob
    with desk_site.db.read() as session:
        alices = desk_site.get_page(session, titles.parse("Ticket:1001"))
        for action in ("read", "edit", "move", "delete"):
            hidden = policy.reason(bob, action, titles.parse("Ticket:1001"), alices)
            assert hidden is not None and "account" not in str(hidden), action
        for action in ("read", "move", "delete"):  # refused on a missing ticket too, in the same words
            hidden = policy.reason(bob, action, titles.parse("Ticket:1001"), alices)
            missing = policy.reason(bob, action, titles.parse("Ticket:1009"))
            assert str(hidden).replace("1001", "N") == str(missing).replace("1009", "N"), action
