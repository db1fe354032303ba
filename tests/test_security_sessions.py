"""Ending sessions: a password change ends the user's other sessions (the browser that
changed it stays signed in), a reset ends them all, and "sign out everywhere else" ends
every session but the current one -- remember-me cookies included."""

from __future__ import annotations

from tests.support.wiki import PASSWORD, add_user, login
from wiki.accounts import find_user
from wiki.app import create_app
from wiki.security import audit, resets
from wiki.security.models import UserSecurity
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
        assert session.get(UserSecurity, find_user(session, "Jo").id).session_epoch == 1


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
