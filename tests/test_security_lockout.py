"""Sign-in answers that do not tell who exists, and lock-outs that an attacker cannot turn
against a user: the same message and about the same time for unknown users, wrong passwords
and locked-out sources; a lock per user and source; guessing from many addresses slowed, but
never for the user's own known devices."""

from __future__ import annotations

import re
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone

from tests.support.wiki import PASSWORD, add_user
from wiki.app import create_app
from wiki.accounts import find_user
from wiki.security import lockout, signin, users
from wiki.security.models import SigninFailure
from wiki.security.testing import sign_in

WRONG = "Wrong-Guess-1!"
_ERROR = re.compile(r'<div class="errorbox" role="alert">(.*?)</div>', re.S)


def _answer(response) -> tuple[int, str]:
    found = _ERROR.search(response.get_data(as_text=True))
    return response.status_code, found.group(1) if found else ""


def _client(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def _signed_in(client, name: str) -> bool:
    return f">{name}</a>" in client.get("/wiki/Special:Preferences").get_data(as_text=True)


def test_answers_are_the_same_for_unknown_disabled_wrong_and_locked(any_site):
    admin = add_user(any_site, "Boss", "admin")
    add_user(any_site, "Ada", "staff")
    add_user(any_site, "Gone", "staff")
    with any_site.db.write() as session:
        users.disable(session, admin, find_user(session, "Gone"))
    app = create_app(site=any_site)
    answers = {}
    for number, name in enumerate(("Ada", "Nobody", "Gone")):
        client = _client(app, f"203.0.113.{number}")
        # five wrong passwords, then the right one (for Ada: refused, this address is locked out)
        answers[name] = [_answer(sign_in(client, name, WRONG)) for _ in range(lockout.MAX_FAILURES)]
        answers[name].append(_answer(sign_in(client, name, PASSWORD)))
        assert not _signed_in(client, name)
    assert answers["Ada"] == answers["Nobody"] == answers["Gone"]
    assert set(answers["Ada"]) == {(401, "Incorrect user name or password.")}


def _median_ms(site, name: str, runs: int = 7) -> float:
    timings = []
    for _ in range(runs):
        with site.db.write() as session:
            started = time.perf_counter()
            outcome = signin.check_password(site, session, name, WRONG, "198.51.100.20", None,
                                            datetime.now(timezone.utc))
            timings.append((time.perf_counter() - started) * 1000)
        assert outcome.error
    return statistics.median(timings)


def test_an_unknown_user_takes_as_long_as_a_wrong_password(site):
    add_user(site, "Timo", "staff")
    _median_ms(site, "Nobody", runs=1)  # the first call makes the dummy hash
    known, unknown = _median_ms(site, "Timo"), _median_ms(site, "Nobody")
    # one argon2 verification each; without it an unknown name answered about ten times faster
    assert unknown > known * 0.6, (known, unknown)


def test_guessing_from_one_address_does_not_lock_the_admin_out_elsewhere(any_site):
    add_user(any_site, "Root", "admin")
    app = create_app(site=any_site)
    attacker, admin = _client(app, "203.0.113.66"), _client(app, "198.51.100.7")
    for _ in range(lockout.MAX_FAILURES):
        sign_in(attacker, "Root", WRONG)
    assert sign_in(attacker, "Root", PASSWORD).status_code == 401  # guessing from there has stopped
    assert sign_in(admin, "Root", PASSWORD).status_code == 302
    assert _signed_in(admin, "Root")


def test_a_known_device_behind_the_same_address_still_signs_in(site):
    add_user(site, "Nia", "staff")
    app = create_app(site=site)
    office = "192.0.2.50"
    laptop = _client(app, office)
    assert sign_in(laptop, "Nia", PASSWORD).status_code == 302  # the laptop gets its device cookie
    laptop.post("/wiki/Special:UserLogout", data={"csrf_token": _csrf(laptop)})
    guesser = _client(app, office)
    for _ in range(lockout.MAX_FAILURES):
        sign_in(guesser, "Nia", WRONG)
    assert sign_in(guesser, "Nia", PASSWORD).status_code == 401
    assert sign_in(laptop, "Nia", PASSWORD).status_code == 302


def _csrf(client) -> str:
    html = client.get("/wiki/Special:UserLogout").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _guess_from_many_addresses(site, name: str, start: datetime) -> None:
    """Failures from a new address each, each as soon as the delay allows."""
    now = start
    for number in range(lockout.SLOW_AFTER + 6):
        with site.db.write() as session:
            outcome = signin.check_password(site, session, name, WRONG, f"10.0.{number}.1", None, now)
        assert outcome.error and not outcome.retry_after, number
        with site.db.read() as session:
            user = find_user(session, name)
            refused = lockout.refusal(session, lockout.attempt(session, user, name, "10.9.9.9", None), now)
        now = now + timedelta(seconds=refused.retry_after) if refused else now


def test_guessing_from_many_addresses_is_slowed_but_the_users_device_is_not(any_site):
    add_user(any_site, "Vic", "admin")
    app = create_app(site=any_site)
    device = _client(app, "198.51.100.3")
    assert sign_in(device, "Vic", PASSWORD).status_code == 302
    device.post("/wiki/Special:UserLogout", data={"csrf_token": _csrf(device)})
    # the guesses are made a few minutes ahead, so that however slow this machine is they are
    # still the latest when the browsers below ask
    ahead = datetime.now(timezone.utc) + timedelta(minutes=5)
    for name in ("Vic", "Nobody"):
        _guess_from_many_addresses(any_site, name, ahead)
        # after 26 failures, the next check of a password waits 32 seconds, from any new address
        with any_site.db.read() as session:
            attempt = lockout.attempt(session, find_user(session, name), name, "10.200.0.1", None)
            assert lockout.refusal(session, attempt, ahead + timedelta(seconds=31 + 31)).retry_after == 1
        late = sign_in(_client(app, "10.200.0.1"), name, PASSWORD)
        assert late.status_code == 429, name
        assert int(late.headers["Retry-After"]) > 0
        assert "Too many sign-in attempts." in late.get_data(as_text=True)
    assert sign_in(device, "Vic", PASSWORD).status_code == 302
    assert _signed_in(device, "Vic")


def test_lockout_mail_is_sent_once_however_many_addresses_lock(make_site, smtp_sink):
    site = make_site(config={"smtp_url": smtp_sink.url})
    add_user(site, "Mia", "staff")
    now = datetime.now(timezone.utc)
    with site.db.write() as session:
        mia = find_user(session, "Mia")
        for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            attempt = lockout.attempt(session, mia, "Mia", address, None)
            locked = [lockout.register_failure(site, session, attempt, now) for _ in range(lockout.MAX_FAILURES)]
            assert locked[-1]
    subjects = sorted(m.subject for m in smtp_sink.wait_for(2))
    assert len(subjects) == 2 and "locked" in subjects[1] and "Reset your password" in subjects[0]
    time.sleep(0.3)
    assert len(smtp_sink.messages) == 2


def test_two_first_failures_at_once_both_count(any_site):
    """The second request waits for the first one's new row instead of failing on it."""
    add_user(any_site, "Duo", "staff")
    now = datetime.now(timezone.utc)
    first_counted, errors = threading.Event(), []

    def fail(hold: bool) -> None:
        try:
            with any_site.db.write() as session:
                user = find_user(session, "Duo")
                lockout.register_failure(any_site, session, lockout.attempt(session, user, "Duo", "192.0.2.9", None),
                                         now)
                if hold:  # keep the new row uncommitted while the other request makes its own
                    first_counted.set()
                    time.sleep(0.5)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    first = threading.Thread(target=fail, args=(True,))
    first.start()
    first_counted.wait(10)
    fail(hold=False)
    first.join()
    assert errors == []
    with any_site.db.read() as session:
        row = session.get(SigninFailure, (f"user:{find_user(session, 'Duo').id}", "ip:192.0.2.9"))
        assert row.failures == 2
