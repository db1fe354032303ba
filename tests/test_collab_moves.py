"""Moving, deleting, undeleting and protecting pages, and Special:Log (wiki.collab)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.support.wiki import add_user, csrf_token, current_text, login, save
from wiki.app import create_app
from wiki.collab.moves import MoveError, delete_page, move_page, undelete_page
from wiki.collab.protection import ProtectionError, parse_expiry, protect_page
from wiki.hookspecs import hookimpl
from wiki.models import CategoryLink, LogEntry, PageLink
from wiki.pages import save_page
from wiki.permissions import PermissionDenied


class Recorder:
    """A plugin that notes the page state hooks it sees."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def page_moved(self, site, session, page, old_title, new_title, actor):
        self.calls.append(("moved", old_title.prefixed, new_title.prefixed))

    @hookimpl
    def clear_derived_data(self, site, session, page):
        self.calls.append(("cleared", page.title))

    @hookimpl
    def page_deleted(self, site, session, page, title, actor, reason):
        self.calls.append(("deleted", title.prefixed, reason))

    @hookimpl
    def page_undeleted(self, site, session, page, title, actor):
        self.calls.append(("undeleted", title.prefixed))


def _do(site, fn, *args, **kwargs):
    with site.db.write() as session:
        return fn(site, session, *[site.titles.parse(a) if isinstance(a, str) and i < 1 else a
                                    for i, a in enumerate(args)], **kwargs)


def _links(site, title):
    with site.db.read() as session:
        page = site.get_page(session, site.titles.parse(title))
        return sorted(session.scalars(select(PageLink.title).where(PageLink.from_id == page.id)))


def test_move_renames_page_leaves_redirect_moves_talk_and_logs(any_site):
    recorder = Recorder()
    site = any_site
    site.pm.register(recorder)
    admin = add_user(site, "Root", "admin")
    save(site, "Old name", "See [[Other]] [[Category:Things]]", admin)
    save(site, "Talk:Old name", "chat", admin)
    _do(site, move_page, "Old name", site.titles.parse("New name"), admin, "better title")
    assert current_text(site, "New name").startswith("See [[Other]]")
    assert current_text(site, "Old name") == "#REDIRECT [[New name]]"
    assert current_text(site, "Talk:New name") == "chat"
    assert current_text(site, "Talk:Old name") == "#REDIRECT [[Talk:New name]]"
    assert _links(site, "New name") == ["Other"]
    with site.db.read() as session:
        page = site.get_page(session, site.titles.parse("New name"))
        assert session.scalars(select(CategoryLink.category).where(CategoryLink.from_id == page.id)).all() == ["Things"]
        entries = session.scalars(select(LogEntry).where(LogEntry.type == "move").order_by(LogEntry.id)).all()
    assert [(e.title, e.params["target"], e.comment) for e in entries] == [
        ("Old name", "New name", "better title"), ("Old name", "Talk:New name", "better title")]
    assert ("moved", "Old name", "New name") in recorder.calls
    assert ("moved", "Talk:Old name", "Talk:New name") in recorder.calls


def test_move_refuses_existing_target_but_allows_redirect_back(site):
    admin = add_user(site, "Root", "admin")
    save(site, "A", "text a", admin)
    save(site, "B", "text b", admin)
    with pytest.raises(MoveError, match="already exists"):
        _do(site, move_page, "A", site.titles.parse("B"), admin)
    _do(site, move_page, "A", site.titles.parse("C"), admin, move_talk=False)
    _do(site, move_page, "C", site.titles.parse("A"), admin, move_talk=False)  # A is a redirect to C
    assert current_text(site, "A") == "text a"
    assert current_text(site, "C") == "#REDIRECT [[A]]"
    with pytest.raises(MoveError, match="same as the old"):
        _do(site, move_page, "A", site.titles.parse("A"), admin)


def test_move_without_redirect_and_by_web_form(site, client):
    add_user(site, "Sam", "staff")
    save(site, "Foo", "text")
    login(client, "Sam")
    form = client.get("/wiki/Foo?action=move").get_data(as_text=True)
    assert 'name="movetalk" value="1" checked' in form and 'name="redirect" value="1" checked' in form
    token = csrf_token(client, "/wiki/Foo?action=move")
    refused = client.post("/wiki/Foo?action=move", data={"csrf_token": token, "newtitle": "Bad|title"})
    assert refused.status_code == 400 and "may not use" in refused.get_data(as_text=True)
    response = client.post("/wiki/Foo?action=move", data={"csrf_token": token, "newtitle": "Bar", "reason": "r"})
    assert response.status_code == 302
    assert current_text(site, "Bar") == "text" and current_text(site, "Foo") is None
    log = client.get("/wiki/Special:Log?type=move").get_data(as_text=True)
    assert "moved" in log and "without leaving a redirect" in log


def test_delete_hides_page_and_revisions_everywhere_then_undelete_restores(any_site):
    recorder = Recorder()
    site = any_site
    site.pm.register(recorder)
    admin, staff = add_user(site, "Root", "admin"), add_user(site, "Sam", "staff")
    r1 = save(site, "Doomed", "first [[Category:Things]]", staff).revision.id
    r2 = save(site, "Doomed", "second [[Category:Things]] [[Target]]", staff).revision.id
    with pytest.raises(PermissionDenied):
        _do(site, delete_page, "Doomed", staff, "no")
    _do(site, delete_page, "Doomed", admin, "spam")
    assert recorder.calls.index(("cleared", "Doomed")) < recorder.calls.index(("deleted", "Doomed", "spam"))
    client = create_app(site=site).test_client()
    login(client, "Sam")
    for url in ("/wiki/Doomed", "/wiki/Doomed?action=history", f"/wiki/Doomed?oldid={r1}", "/wiki/Doomed?action=raw",
                f"/wiki/Doomed?diff={r2}&oldid={r1}", "/api/v1/pages/Doomed", "/api/v1/pages/Doomed/revisions",
                "/wiki/Doomed?action=history&feed=atom"):
        assert client.get(url).status_code == 404, url
    assert "Doomed" not in client.get("/wiki/Special:RecentChanges").get_data(as_text=True)
    assert client.get("/wiki/Special:Undelete/Doomed").status_code == 403
    with site.db.read() as session:
        page = site.get_page(session, site.titles.parse("Doomed"))
        assert session.scalars(select(CategoryLink).where(CategoryLink.from_id == page.id)).all() == []
    admin_client = create_app(site=site).test_client()
    login(admin_client, "Root")
    listing = admin_client.get("/wiki/Special:Undelete/Doomed").get_data(as_text=True)
    assert "Restore all 2 revision(s)" in listing
    shown = admin_client.get(f"/wiki/Special:Undelete/Doomed?revision={r1}").get_data(as_text=True)
    assert "first [[Category:Things]]" in shown
    token = csrf_token(admin_client, "/wiki/Special:Undelete/Doomed")
    assert admin_client.post("/wiki/Special:Undelete/Doomed", data={"csrf_token": token}).status_code == 302
    assert ("undeleted", "Doomed") in recorder.calls
    assert current_text(site, "Doomed").startswith("second")
    assert client.get(f"/wiki/Doomed?oldid={r1}").status_code == 200
    assert len(client.get("/api/v1/pages/Doomed/revisions").get_json()["revisions"]) == 2
    assert _links(site, "Doomed") == ["Target"]
    log = admin_client.get("/wiki/Special:Log?type=delete").get_data(as_text=True)
    assert "deleted" in log and "restored" in log and "spam" in log


def test_recreated_page_does_not_show_deleted_revisions(site):
    admin = add_user(site, "Root", "admin")
    old = save(site, "Phoenix", "secret old text", admin).revision.id
    _do(site, delete_page, "Phoenix", admin, "gone")
    new = save(site, "Phoenix", "fresh start", admin).revision.id
    client = create_app(site=site).test_client()
    assert client.get(f"/wiki/Phoenix?oldid={old}").status_code == 404
    assert client.get(f"/wiki/Phoenix?action=raw&oldid={old}").status_code == 404
    assert client.get(f"/api/v1/pages/Phoenix?revision={old}").status_code == 404
    assert [r["revision_id"] for r in client.get("/api/v1/pages/Phoenix/revisions").get_json()["revisions"]] == [new]
    assert "secret old text" not in client.get("/wiki/Phoenix?action=history").get_data(as_text=True)
    _do(site, undelete_page, "Phoenix", admin, "merge back")
    assert current_text(site, "Phoenix") == "fresh start"
    assert client.get(f"/wiki/Phoenix?oldid={old}").status_code == 200


def test_delete_needs_a_reason_and_admin_web_form(site):
    add_user(site, "Root", "admin")
    save(site, "Foo", "text")
    client = create_app(site=site).test_client()
    login(client, "Root")
    token = csrf_token(client, "/wiki/Foo?action=delete")
    missing = client.post("/wiki/Foo?action=delete", data={"csrf_token": token, "reason": " "})
    assert missing.status_code == 400 and "reason" in missing.get_data(as_text=True)
    assert client.post("/wiki/Foo?action=delete", data={"csrf_token": token, "reason": "x"}).status_code == 302
    assert current_text(site, "Foo") is None


def test_protection_limits_edit_and_move_on_every_path(any_site):
    site = any_site
    admin, staff = add_user(site, "Root", "admin"), add_user(site, "Sam", "staff")
    save(site, "Policy", "v1", staff)
    _do(site, protect_page, "Policy", admin, {"edit": "admin", "move": "admin"}, None, "edit war")
    with site.db.write() as session:
        with pytest.raises(PermissionDenied, match="protected"):
            save_page(site, session, site.titles.parse("Policy"), "v2", staff)
    with pytest.raises(PermissionDenied, match="protected"):
        _do(site, move_page, "Policy", site.titles.parse("Policy2"), staff)
    client = create_app(site=site).test_client()
    login(client, "Sam")
    assert client.get("/wiki/Policy?action=edit").status_code == 403
    token = csrf_token(client, "/wiki/Policy")
    put = client.put("/api/v1/pages/Policy", json={"text": "v3"}, headers={"X-CSRFToken": token})
    assert put.status_code == 403 and "protected" in put.get_json()["error"]["message"]
    save(site, "Policy", "admin edit", admin)
    _do(site, protect_page, "Policy", admin, {"edit": "staff", "move": ""}, None, "calmer")
    save(site, "Policy", "staff edit", staff)
    assert current_text(site, "Policy") == "staff edit"
    log = client.get("/wiki/Special:Log?type=protect&page=Policy").get_data(as_text=True)
    assert "edit war" in log and "edit=staff" in log


def test_protection_expires(site):
    admin, staff = add_user(site, "Root", "admin"), add_user(site, "Sam", "staff")
    save(site, "Foo", "v1", staff)
    soon = datetime.now(timezone.utc) + timedelta(seconds=1)
    _do(site, protect_page, "Foo", admin, {"edit": "admin"}, soon, "short")
    from wiki.collab.models import PageRestriction
    with site.db.write() as session:  # let it run out
        for row in session.scalars(select(PageRestriction)):
            row.expiry = datetime.now(timezone.utc) - timedelta(seconds=1)
    save(site, "Foo", "v2", staff)
    assert current_text(site, "Foo") == "v2"


def test_parse_expiry_and_protect_errors(site):
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert parse_expiry("infinite", now) is None
    assert parse_expiry("3 days", now) == now + timedelta(days=3)
    assert parse_expiry("2031-02-03", now) == datetime(2031, 2, 3, tzinfo=timezone.utc)
    with pytest.raises(ProtectionError, match="not understood"):
        parse_expiry("tomorrowish", now)
    with pytest.raises(ProtectionError, match="in the past"):
        parse_expiry("2020-01-01", now)
    admin = add_user(site, "Root", "admin")
    save(site, "Foo", "x", admin)
    with pytest.raises(ProtectionError, match="level 'god'"):
        _do(site, protect_page, "Foo", admin, {"edit": "god"}, None, "")
    with pytest.raises(ProtectionError, match="does not exist"):
        _do(site, protect_page, "Nope", admin, {"edit": "admin"}, None, "")


def test_protect_web_form_for_admins_only(site):
    add_user(site, "Root", "admin")
    add_user(site, "Sam", "staff")
    save(site, "Foo", "x")
    client = create_app(site=site).test_client()
    login(client, "Sam")
    assert client.get("/wiki/Foo?action=protect").status_code == 403
    admin = create_app(site=site).test_client()
    login(admin, "Root")
    token = csrf_token(admin, "/wiki/Foo?action=protect")
    bad = admin.post("/wiki/Foo?action=protect", data={"csrf_token": token, "edit": "staff", "expiry": "soonish"})
    assert bad.status_code == 400 and "not understood" in bad.get_data(as_text=True)
    ok = admin.post("/wiki/Foo?action=protect", data={"csrf_token": token, "edit": "admin", "move": "admin",
                                                      "expiry": "1 week", "reason": "because"})
    assert ok.status_code == 302
    assert client.get("/wiki/Foo?action=edit").status_code == 403


def test_log_filters_by_user_and_hides_unreadable_pages(site):
    admin = add_user(site, "Root", "admin")
    add_user(site, "Carol", "customer", account="Acme")
    add_user(site, "Dave", "customer", account="Globex")
    from wiki.models import Account
    with site.db.read() as session:
        acme = session.scalar(select(Account.id).where(Account.name == "Acme"))
    with site.db.write() as session:
        save_page(site, session, site.titles.parse("Acme page"), "x", admin, account_id=acme)
    _do(site, protect_page, "Acme page", admin, {"edit": "admin"}, None, "acme reason")
    carol, dave = create_app(site=site).test_client(), create_app(site=site).test_client()
    login(carol, "Carol")
    login(dave, "Dave")
    assert "acme reason" in carol.get("/wiki/Special:Log").get_data(as_text=True)
    assert "acme reason" not in dave.get("/wiki/Special:Log").get_data(as_text=True)
    assert "acme reason" not in carol.get("/wiki/Special:Log?user=Nobody").get_data(as_text=True)
    assert carol.get("/wiki/Special:Log?type=bogus").status_code == 400
