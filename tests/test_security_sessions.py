"""Ending sessions: signing out ends the session on the server (a copy of its cookies stops
working), a password change ends the user's other sessions (the browser that changed it stays
signed in), a reset ends them all, and "sign out everywhere else" ends every session but the
current one -- remember-me cookies included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from tests.support.wiki import PASSWORD, add_user, login
from wiki.accounts import find_user
from wiki.app import create_app
from wiki.security import audit, resets, sessions
from wiki.security.models import UserSession
from wiki.security.testing import csrf_of, post_form

NEW_PASSWORD = "Fresh-Start-77!"


def _signed_in(client) -> bool:
    return client.get("/wiki/Special:Preferences").status_code == 200


def _clients(site, name: str, count: int):
    app = create_app(site=site)
    clients = [app.test_client() for _ in range(count)]
    for client in clients:
        login(client, name)
    return clients


def test_password_change_ends_the_other_sessions_only(any_site):
    add_user(any_site, "Ida", "staff")
    here, elsewhere = _clients(any_site, "Ida", 2)
    response = post_form(here, "/wiki/Special:ChangePassword",
                         {"current": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert "your other sessions are signed out" in here.get(response.headers["Location"]).get_data(as_text=True)
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    login(elsewhere, "Ida", NEW_PASSWORD)
    assert _signed_in(elsewhere)


def test_reset_ends_every_session(site):
    add_user(site, "Jo", "staff")
    first, second = _clients(site, "Jo", 2)
    with site.db.write() as session:
        token = resets.issue(session, find_user(session, "Jo"), "reset")
    with site.db.write() as session:
        resets.complete_reset(site, session, token, NEW_PASSWORD)
    assert not _signed_in(first) and not _signed_in(second)
    with site.db.read() as session:
        rows = session.scalars(select(UserSession).where(UserSession.user_id == find_user(session, "Jo").id)).all()
        assert len(rows) == 2 and all(row.ended_at is not None for row in rows)


def test_sign_out_everywhere_else(site):
    add_user(site, "Kai", "customer", account="Kai Co")
    app = create_app(site=site)
    here, laptop, remembered = app.test_client(), app.test_client(), app.test_client()
    login(here, "Kai")
    login(laptop, "Kai")
    page = remembered.get("/wiki/Special:UserLogin").get_data(as_text=True)
    remembered.post("/wiki/Special:UserLogin", data={"username": "Kai", "password": PASSWORD, "remember": "1",
                                                     "csrf_token": csrf_of(page)})
    remembered.delete_cookie("session")  # a new browser session, signed in again by the remember-me cookie
    assert _signed_in(remembered)
    assert "Sign out everywhere else" in here.get("/wiki/Special:Preferences").get_data(as_text=True)
    response = post_form(here, "/wiki/Special:Preferences", {"action": "sign_out_elsewhere"})
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(laptop)
    remembered.delete_cookie("session")
    assert not _signed_in(remembered)
    with site.db.read() as session:
        assert [e.event for e in audit.search(session, event="session.ended_elsewhere")] == ["session.ended_elsewhere"]


def _remembered_sign_in(client, name: str) -> None:
    page = client.get("/wiki/Special:UserLogin").get_data(as_text=True)
    response = client.post("/wiki/Special:UserLogin", data={"username": name, "password": PASSWORD, "remember": "1",
                                                            "csrf_token": csrf_of(page)})
    assert response.status_code == 302


def _copy_cookies(source, target, names=("session", "remember_token")) -> None:
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        target.set_cookie(name, cookie.value)


def test_sign_out_ends_the_session_for_copies_of_its_cookies(any_site):
    add_user(any_site, "Lou", "staff")
    app = create_app(site=any_site)
    browser, copy, remembered_copy = app.test_client(), app.test_client(), app.test_client()
    _remembered_sign_in(browser, "Lou")
    _copy_cookies(browser, copy)
    _copy_cookies(browser, remembered_copy, names=("remember_token",))
    assert _signed_in(copy) and _signed_in(remembered_copy)
    assert post_form(browser, "/wiki/Special:UserLogout", {}).status_code == 302
    assert not _signed_in(browser)
    assert not _signed_in(copy)
    remembered_copy.delete_cookie("session")  # a new browser session: only the remember-me cookie is left
    assert not _signed_in(remembered_copy)
    with any_site.db.read() as session:
        [row] = session.scalars(select(UserSession)).all()
        assert row.ended_at is not None and row.remember


def test_signing_in_as_a_customer_and_back_ends_the_session_before(site):
    add_user(site, "Rae", "admin")
    add_user(site, "Cody", "customer", account="Cody Ltd")
    with site.db.read() as session:
        cody_id = find_user(session, "Cody").id
    app = create_app(site=site)
    browser, before, during = app.test_client(), app.test_client(), app.test_client()
    login(browser, "Rae")
    _copy_cookies(browser, before, names=("session",))
    assert post_form(browser, "/wiki/Special:Impersonate", {"user_id": cody_id}, page="/wiki/").status_code == 302
    assert not _signed_in(before)  # the staff member's own session ended when the browser switched
    _copy_cookies(browser, during, names=("session",))
    assert "signed in as the customer <strong>Cody</strong>" in during.get("/portal/").get_data(as_text=True)
    assert post_form(browser, "/wiki/Special:StopImpersonating", {}, page="/portal/").status_code == 302
    assert "Rae" in browser.get("/wiki/Special:Preferences").get_data(as_text=True)
    assert not _signed_in(during)


def test_ending_the_staff_members_sessions_ends_their_customer_session(site):
    add_user(site, "Max", "admin")
    add_user(site, "Cat", "customer", account="Cat Co")
    with site.db.read() as session:
        cat_id = find_user(session, "Cat").id
    acting, own = _clients(site, "Max", 2)
    assert post_form(acting, "/wiki/Special:Impersonate", {"user_id": cat_id}, page="/wiki/").status_code == 302
    assert "<strong>Cat</strong>" in acting.get("/portal/").get_data(as_text=True)
    assert post_form(own, "/wiki/Special:Preferences", {"action": "sign_out_elsewhere"}).status_code == 302
    assert _signed_in(own)
    assert "<strong>Cat</strong>" not in acting.get("/portal/").get_data(as_text=True)
    assert not _signed_in(acting)


def test_sessions_expire_and_are_pruned(site):
    add_user(site, "Pia", "staff")
    [browser] = _clients(site, "Pia", 1)
    [other] = _clients(site, "Pia", 1)
    now = datetime.now(timezone.utc)
    with site.db.write() as session:
        first = session.scalars(select(UserSession).order_by(UserSession.id)).first()
        assert timedelta(hours=23) < first.expires_at - first.created_at <= sessions.SESSION_LIFETIME
        session.execute(update(UserSession).where(UserSession.id == first.id).values(expires_at=now))
    assert not _signed_in(browser)
    assert _signed_in(other)
    sessions.prune(site)
    with site.db.read() as session:
        assert len(session.scalars(select(UserSession)).all()) == 1
