"""Two-factor sign-in: enrolment with a QR code, confirmation, ten backup codes shown once
and stored hashed, replayed codes refused, disabling with a current code, and the
second sign-in step.  Services and web views on a real database."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.support.wiki import PASSWORD, add_user, login
from wiki.accounts import AccountError
from wiki.app import create_app
from wiki.permissions import Actor
from wiki.security import audit, totp
from wiki.security.models import BackupCode, UserSecurity
from wiki.security.testing import post_form, sign_in, totp_code


def _enrol(site, who, now=None):
    with site.db.write() as session:
        secret = totp.begin_enrolment(session, who)
    with site.db.write() as session:
        codes = totp.confirm_enrolment(site, session, who, totp_code(secret, now=now), now=now)
    return secret, codes


def test_enrolment_gives_ten_hashed_backup_codes(any_site):
    who = add_user(any_site, "Kim", "staff")
    secret, codes = _enrol(any_site, who)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}", c) for c in codes)
    with any_site.db.read() as session:
        stored = session.scalars(select(BackupCode.code_hash)).all()
        assert len(stored) == 10
        assert not set(stored) & {c.replace("-", "") for c in codes}
        assert session.get(UserSecurity, who.user_id).totp_enabled


def test_wrong_confirmation_code_keeps_2fa_off(site):
    who = add_user(site, "Lee", "staff")
    with site.db.write() as session:
        totp.begin_enrolment(session, who)
    with pytest.raises(AccountError, match="not correct"), site.db.write() as session:
        totp.confirm_enrolment(site, session, who, "000000")
    with site.db.read() as session:
        assert not totp.is_enabled(session, who.user_id)


def test_codes_cannot_be_replayed(site):
    who = add_user(site, "Max", "staff")
    now = datetime.now(timezone.utc)
    secret, _ = _enrol(site, who, now=now)
    later = now + timedelta(seconds=totp.STEP_SECONDS)
    code = totp_code(secret, now=later)
    with site.db.write() as session:
        assert totp.verify(session, who.user_id, code, now=later)
    with site.db.write() as session:
        assert not totp.verify(session, who.user_id, code, now=later)
    # nor an older code that is still inside the window
    with site.db.write() as session:
        assert not totp.verify(session, who.user_id, totp_code(secret, now=now), now=later)


def test_backup_codes_work_once(site):
    who = add_user(site, "Ned", "staff")
    _, codes = _enrol(site, who)
    with site.db.write() as session:
        assert totp.verify(session, who.user_id, codes[0].upper())
    with site.db.write() as session:
        assert not totp.verify(session, who.user_id, codes[0])
        assert totp.remaining_backup_codes(session, who.user_id) == 9


def test_disable_needs_a_current_code(site):
    who = add_user(site, "Oda", "staff")
    secret, _ = _enrol(site, who)
    with pytest.raises(AccountError), site.db.write() as session:
        totp.disable(site, session, who, "123456")
    with site.db.write() as session:
        totp.disable(site, session, who, totp_code(secret, steps_ahead=1))
    with site.db.read() as session:
        assert not totp.is_enabled(session, who.user_id)
        assert session.scalar(select(BackupCode.id)) is None


def test_impersonation_cannot_change_2fa(site):
    who = add_user(site, "Pia", "customer", account="Pia Co")
    acting = Actor(user_id=who.user_id, name=who.name, role="customer", account_id=who.account_id,
                   impersonator_id=999, impersonator_name="Staffer")
    with pytest.raises(AccountError, match="signed in as a customer"), site.db.write() as session:
        totp.begin_enrolment(session, acting)


def test_web_enrolment_and_two_step_sign_in(site):
    add_user(site, "Quinn", "staff")
    client = create_app(site=site).test_client()
    login(client, "Quinn")
    page = post_form(client, "/wiki/Special:TwoFactor", {"action": "begin"}).get_data(as_text=True)
    assert "<svg" in page and "Turn on" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    done = post_form(client, "/wiki/Special:TwoFactor", {"action": "confirm", "code": totp_code(secret)})
    codes = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    # backup codes are shown once only
    assert "<code>" + codes[0] not in client.get("/wiki/Special:TwoFactor").get_data(as_text=True)

    fresh = create_app(site=site).test_client()
    step = sign_in(fresh, "Quinn", PASSWORD)
    assert step.status_code == 200 and "authenticator app" in step.get_data(as_text=True)
    assert "Quinn" not in fresh.get("/wiki/Special:Preferences").get_data(as_text=True)
    wrong = post_form(fresh, "/wiki/Special:UserLogin", {"code": "000000"})
    assert wrong.status_code == 401 and "not correct" in wrong.get_data(as_text=True)
    ok = post_form(fresh, "/wiki/Special:UserLogin", {"code": codes[3]})
    assert ok.status_code == 302
    assert "Quinn" in fresh.get("/wiki/Special:Preferences").get_data(as_text=True)


def test_second_step_failures_count_toward_lockout(site):
    who = add_user(site, "Rex", "staff")
    _enrol(site, who)
    client = create_app(site=site).test_client()
    sign_in(client, "Rex", PASSWORD)
    for _ in range(4):
        assert post_form(client, "/wiki/Special:UserLogin", {"code": "000000"}).status_code == 401
    locked = post_form(client, "/wiki/Special:UserLogin", {"code": "000000"})
    assert "locked until" in locked.get_data(as_text=True)


def test_regenerating_backup_codes_replaces_them_all(make_site, smtp_sink):
    site = make_site(config={"smtp_url": smtp_sink.url})
    who = add_user(site, "Reg", "staff")
    now = datetime.now(timezone.utc)
    secret, old_codes = _enrol(site, who, now=now)
    smtp_sink.wait_for(1)  # "two-factor sign-in turned on"
    smtp_sink.clear()
    with pytest.raises(AccountError, match="not correct"), site.db.write() as session:
        totp.regenerate_backup_codes(site, session, who, old_codes[0])  # a backup code is not enough
    later = now + timedelta(seconds=totp.STEP_SECONDS)
    with site.db.write() as session:
        new_codes = totp.regenerate_backup_codes(site, session, who, totp_code(secret, now=later), now=later)
    assert len(set(new_codes)) == 10 and not set(new_codes) & set(old_codes)
    with site.db.write() as session:
        assert not totp.verify(session, who.user_id, old_codes[1], now=later)
    with site.db.write() as session:
        assert totp.verify(session, who.user_id, new_codes[0], now=later)
    with site.db.read() as session:
        assert totp.remaining_backup_codes(session, who.user_id) == 9
        assert len(audit.search(session, event="2fa.backup_codes_regenerated")) == 1
    assert smtp_sink.wait_for(1)[0].subject.endswith("New backup codes")
    with pytest.raises(AccountError, match="not correct"), site.db.write() as session:  # the code was used up
        totp.regenerate_backup_codes(site, session, who, totp_code(secret, now=later), now=later)


def test_regenerate_backup_codes_on_the_web(site):
    who = add_user(site, "Wen", "staff")
    client = create_app(site=site).test_client()
    login(client, "Wen")
    secret, old_codes = _enrol(site, who)
    page = client.get("/wiki/Special:TwoFactor").get_data(as_text=True)
    assert "Make ten new backup codes" in page
    wrong = post_form(client, "/wiki/Special:TwoFactor", {"action": "regenerate", "code": "000000"})
    assert "not correct" in wrong.get_data(as_text=True)
    shown = post_form(client, "/wiki/Special:TwoFactor", {"action": "regenerate", "code": totp_code(secret, 1)})
    html = shown.get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9a-f]{4}-[0-9a-f]{4})</code></li>", html)
    assert len(codes) == 10 and not set(codes) & set(old_codes) and "The old ones no longer work" in html
    assert not re.findall(r"[0-9a-f]{4}-[0-9a-f]{4}", client.get("/wiki/Special:TwoFactor").get_data(as_text=True))
