"""Sign-in protection and password life cycle: lock-out after five failures (with its mails),
emailed single-use reset links, changing the password and the email address, rate limits
(429) and sessions that end after inactivity.  Real SQLite/PostgreSQL and a real SMTP sink."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.support.wiki import PASSWORD, add_user, login
from wiki.accounts import find_user, verify_password
from wiki.app import create_app
from wiki.models import OutgoingMail
from wiki.security import audit, lockout
from wiki.security.models import AuditEvent, SecurityToken, SigninFailure
from wiki.security.testing import csrf_of, link_in, post_form, sign_in

NEW_PASSWORD = "Brand-New-Pass-7$"


@pytest.fixture
def mail_site(make_site, smtp_sink):
    return make_site(config={"smtp_url": smtp_sink.url})


def _events(site, event):
    with site.db.read() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.event == event)))


def test_sign_in_records_success_and_new_device_mail(mail_site, smtp_sink):
    add_user(mail_site, "Carol", "customer", account="Acme")
    client = create_app(site=mail_site).test_client()
    response = sign_in(client, "Carol", PASSWORD)
    assert response.status_code == 302
    assert "tw_device" in response.headers.get("Set-Cookie", "")
    [mail] = smtp_sink.wait_for(1)
    assert mail.rcpt_tos == ["carol@example.test"]
    assert "new device" in mail.subject
    assert _events(mail_site, "signin.success")
    # the same browser again: known device, no second notice
    client.post("/wiki/Special:UserLogout", data={"csrf_token": csrf_of(client.get("/wiki/Special:UserLogout").get_data(as_text=True))})
    assert sign_in(client, "Carol", PASSWORD).status_code == 302
    assert len(smtp_sink.messages) == 1
    assert len(_events(mail_site, "signin.success")) == 2
    assert len(_events(mail_site, "signout")) == 1


def test_five_failures_lock_the_user_and_send_reset_and_notice(any_site, smtp_sink):
    site = any_site
    site.settings.smtp_url = smtp_sink.url
    add_user(site, "Dave", "staff")
    client = create_app(site=site).test_client()
    for attempt in range(4):
        response = sign_in(client, "Dave", "wrong-password")
        assert response.status_code == 401
        assert "Incorrect user name or password." in response.get_data(as_text=True)
    response = sign_in(client, "Dave", "wrong-password")
    assert response.status_code == 401
    assert "Incorrect user name or password." in response.get_data(as_text=True)
    mails = smtp_sink.wait_for(2)
    subjects = sorted(m.subject for m in mails)
    assert any("Security notice: your account is locked" in s for s in subjects)
    assert any("Reset your password" in s for s in subjects)
    # even the right password is refused while locked, with the same answer
    response = sign_in(client, "Dave", PASSWORD)
    assert response.status_code == 401 and "Incorrect user name or password." in response.get_data(as_text=True)
    with site.db.read() as session:
        state = session.get(SigninFailure, (f"user:{find_user(session, 'Dave').id}", "ip:127.0.0.1"))
        assert state.failures == 5
        assert state.blocked_until > datetime.now(timezone.utc) + timedelta(minutes=29)
    assert len(_events(site, "lockout")) == 1
    # the emailed link ends the lock-out
    reset = next(m for m in mails if "Reset your password" in m.subject)
    path = link_in(reset.text(), "/wiki/Special:PasswordReset")
    form = client.get(path)
    assert form.status_code == 200
    token = path.split("token=")[1]
    response = client.post("/wiki/Special:PasswordReset", data={
        "token": token, "password": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "csrf_token": csrf_of(form.get_data(as_text=True))})
    assert response.status_code == 302
    assert sign_in(client, "Dave", NEW_PASSWORD).status_code == 302


def test_lock_expires_after_thirty_minutes(site):
    add_user(site, "Erin", "staff")
    now = datetime.now(timezone.utc)
    with site.db.write() as session:
        attempt = lockout.attempt(session, find_user(session, "Erin"), "Erin", "127.0.0.1", None)
        for _ in range(lockout.MAX_FAILURES):
            locked = lockout.register_failure(site, session, attempt, now)
        assert locked
        assert lockout.refusal(session, attempt, now + timedelta(minutes=29)).locked_until is not None
        assert lockout.refusal(session, attempt, now + timedelta(minutes=31)) is None
        # the queued mails stay in the outbox (no SMTP configured): nothing is lost
        assert session.scalar(select(OutgoingMail.id).where(OutgoingMail.category == "security")) is not None


def test_reset_link_is_single_use_hashed_and_expires(mail_site, smtp_sink):
    add_user(mail_site, "Fay", "analyst")
    client = create_app(site=mail_site).test_client()
    response = post_form(client, "/wiki/Special:PasswordReset", {"name": "fay@example.test"})
    assert "a link to reset the password is on its way" in response.get_data(as_text=True)
    [mail] = smtp_sink.wait_for(1)
    path = link_in(mail.text(), "/wiki/Special:PasswordReset")
    token = path.split("token=")[1]
    with mail_site.db.read() as session:
        row = session.scalar(select(SecurityToken))
        assert row.token_hash != token and token not in row.token_hash
        assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(hours=1)
    page = client.get(path).get_data(as_text=True)
    weak = client.post("/wiki/Special:PasswordReset", data={"token": token, "password": "short", "password2": "short",
                                                             "csrf_token": csrf_of(page)})
    assert "The password needs" in weak.get_data(as_text=True)
    ok = client.post("/wiki/Special:PasswordReset", data={"token": token, "password": NEW_PASSWORD,
                                                           "password2": NEW_PASSWORD, "csrf_token": csrf_of(page)})
    assert ok.status_code == 302
    again = client.get(path).get_data(as_text=True)
    assert "already been used" in again
    # an expired link is refused
    with mail_site.db.write() as session:
        session.scalar(select(SecurityToken)).used_at = None
        session.scalar(select(SecurityToken)).expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    assert "has expired" in client.get(path).get_data(as_text=True)


def test_reset_request_does_not_reveal_unknown_users(mail_site, smtp_sink):
    client = create_app(site=mail_site).test_client()
    response = post_form(client, "/wiki/Special:PasswordReset", {"name": "nobody@example.test"})
    assert response.status_code == 200
    assert "is on its way" in response.get_data(as_text=True)
    with mail_site.db.read() as session:
        assert session.scalar(select(OutgoingMail.id)) is None


def test_change_password_needs_the_current_one(mail_site, smtp_sink):
    add_user(mail_site, "Gus", "staff")
    client = create_app(site=mail_site).test_client()
    login(client, "Gus")
    wrong = post_form(client, "/wiki/Special:ChangePassword",
                      {"current": "nope", "password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert "current password is not correct" in wrong.get_data(as_text=True)
    right = post_form(client, "/wiki/Special:ChangePassword",
                      {"current": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert right.status_code == 302
    with mail_site.db.read() as session:
        assert verify_password(find_user(session, "Gus"), NEW_PASSWORD)
    assert len(_events(mail_site, "password.changed")) == 1
    assert any("password was changed" in m.subject for m in smtp_sink.wait_for(1))


def test_change_email_only_after_the_new_address_confirms(mail_site, smtp_sink):
    add_user(mail_site, "Hal", "customer", account="Hal Ltd")
    client = create_app(site=mail_site).test_client()
    login(client, "Hal")
    smtp_sink.clear()
    response = post_form(client, "/wiki/Special:ChangeEmail", {"email": "new@example.test", "password": PASSWORD})
    assert "confirmation link was sent to new@example.test" in response.get_data(as_text=True)
    mails = smtp_sink.wait_for(2)
    confirm = next(m for m in mails if m.rcpt_tos == ["new@example.test"])
    assert any(m.rcpt_tos == ["hal@example.test"] for m in mails)
    with mail_site.db.read() as session:
        assert find_user(session, "Hal").email == "hal@example.test"
    assert client.get(link_in(confirm.text(), "/wiki/Special:ChangeEmail")).status_code == 302
    with mail_site.db.read() as session:
        assert find_user(session, "Hal").email == "new@example.test"


def test_sign_in_is_rate_limited_with_429(make_site):
    site = make_site(config={"plugins": {"security": {"rate_limits": {"signin": "3/60"}}}})
    client = create_app(site=site).test_client()
    for _ in range(3):
        assert sign_in(client, "Nobody", "x").status_code == 401
    response = sign_in(client, "Nobody", "x")
    assert response.status_code == 429
    # each attempt checks a password hash (also for an unknown user), so a few seconds may have passed
    wait = re.search(r"Too many sign-in attempts\. Please wait (\d+) seconds and try again\.",
                     response.get_data(as_text=True))
    assert wait and 50 <= int(wait.group(1)) <= 60
    assert int(response.headers["Retry-After"]) > 0


def test_reset_requests_are_rate_limited(make_site):
    site = make_site(config={"plugins": {"security": {"rate_limits": {"reset": "2/600"}}}})
    client = create_app(site=site).test_client()
    for _ in range(2):
        assert post_form(client, "/wiki/Special:PasswordReset", {"name": "x"}).status_code == 200
    assert post_form(client, "/wiki/Special:PasswordReset", {"name": "x"}).status_code == 429


def test_idle_session_ends(make_site):
    site = make_site(config={"plugins": {"security": {"session_idle_minutes": 30}}})
    add_user(site, "Ivy", "staff")
    client = create_app(site=site).test_client()
    login(client, "Ivy")
    assert "Ivy" in client.get("/wiki/Special:Preferences").get_data(as_text=True)
    with client.session_transaction() as session:
        session["last_active"] -= 31 * 60
    response = client.get("/wiki/Special:Preferences")
    assert response.status_code == 302 and "Special:UserLogin" in response.headers["Location"]
    assert _events(site, "session.expired")


def test_form_posts_need_csrf(site):
    add_user(site, "Jo", "staff")
    client = create_app(site=site).test_client()
    login(client, "Jo")
    response = client.post("/wiki/Special:ChangePassword", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                                  "password2": NEW_PASSWORD})
    assert response.status_code == 400


def test_audit_event_names_are_checked(site):
    with site.db.write() as session, pytest.raises(ValueError, match="unknown audit event"):
        audit.record(session, "made.up")


def test_security_mail_survives_a_mail_server_that_is_down(mail_site, smtp_sink):
    add_user(mail_site, "Kai", "staff")
    smtp_sink.stop()
    client = create_app(site=mail_site).test_client()
    assert post_form(client, "/wiki/Special:PasswordReset", {"name": "Kai"}).status_code == 200
    with mail_site.db.read() as session:
        mail = session.scalar(select(OutgoingMail))
        assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
        assert mail.to_address == "kai@example.test" and mail.category == "security"
