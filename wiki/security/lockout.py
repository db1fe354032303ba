"""Stopping password guessing without letting anyone lock a user out.

Failures are counted per user *and source* (``SigninFailure``): the source is a device the
user signed in from before (its device cookie), else the client address.  The fifth failure
in a row from one source locks that source out of that user for 30 minutes and mails the
user a security notice and a reset link (at most once per 30 minutes); the user can still
sign in from anywhere else, so five requests from an attacker no longer lock out the admin.

Guessing from many addresses is slowed rather than stopped: past 20 failures in a row from
sources that are not one of the user's known devices, each further check of a password for
the user from such a source must wait (1 second after the 21st failure, doubling up to a
minute), and is answered "too many sign-in attempts" until then.  That bounds a distributed
guesser to about one password a minute while the user, on a device they signed in from
before, is never delayed.  The per-address rate limit (``signin`` in ``wiki.security.ratelimit``)
still bounds what one address may try across all users.

Names that no active user has are counted the same way (by name), so neither the answers
nor their delays tell whether a user exists.  A failure counts while it follows the one
before within 30 minutes (an hour for the count across sources); a new password (reset or
change) starts every count again, as the guesses were against the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wiki.models import User
from wiki.security import audit, devices, resets
from wiki.security.mailer import mail_user
from wiki.security.models import AuditEvent, SigninFailure
from wiki.security.state import peek
from wiki.site import Site

MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=30)
#: Failures in a row from sources other than known devices before each check waits.
SLOW_AFTER = 20
SLOW_WINDOW = timedelta(hours=1)
MAX_DELAY = timedelta(minutes=1)
#: The source of the count across every source but the user's known devices.
ELSEWHERE = "*"


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt: for whom (``user`` is ``None`` for a name no active user has) and from where."""

    user: User | None
    who: str
    source: str
    ip: str

    @property
    def trusted(self) -> bool:
        """From a device the user signed in from before."""
        return self.source.startswith("device:")


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused before its password is checked: its source is locked out
    (``locked_until``), or checks for the user must wait ``retry_after`` seconds."""

    locked_until: datetime | None = None
    retry_after: int = 0


def attempt(session: Session, user: User | None, name: str, ip: str, device_cookie: str | None) -> Attempt:
    """The attempt of a client at ``ip`` with this device cookie, for ``user`` (typed as ``name``)."""
    if user is None:
        return Attempt(None, f"name:{name.strip().casefold()[:90]}", f"ip:{ip}"[:100], ip)
    device = devices.known_device(session, user.id, device_cookie)
    return Attempt(user, f"user:{user.id}", f"device:{device}" if device is not None else f"ip:{ip}"[:100], ip)


def _counting(row: SigninFailure | None, window: timedelta, since: datetime | None, now: datetime) -> bool:
    """Whether the row's failures still count: recent, and after the last password change."""
    return row is not None and row.last_failure_at > now - window and (since is None or row.last_failure_at > since)


def _password_changed_at(session: Session, attempt: Attempt) -> datetime | None:
    state = peek(session, attempt.user.id) if attempt.user is not None else None
    return state.password_changed_at if state is not None else None


def refusal(session: Session, attempt: Attempt, now: datetime) -> Refusal | None:
    """Why the attempt is refused unchecked, or ``None``; never writes."""
    since = _password_changed_at(session, attempt)
    pair = session.get(SigninFailure, (attempt.who, attempt.source))
    if _counting(pair, LOCK_TIME, since, now) and pair.blocked_until is not None and pair.blocked_until > now:
        return Refusal(locked_until=pair.blocked_until)
    if attempt.trusted:
        return None
    spread = session.get(SigninFailure, (attempt.who, ELSEWHERE))
    if _counting(spread, SLOW_WINDOW, since, now) and spread.blocked_until is not None and spread.blocked_until > now:
        return Refusal(retry_after=max(1, int((spread.blocked_until - now).total_seconds() + 0.999)))
    return None


def _count(session: Session, who: str, source: str, window: timedelta, since: datetime | None,
           now: datetime) -> SigninFailure:
    row = session.get(SigninFailure, (who, source), with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                row = SigninFailure(who=who, source=source, failures=0, last_failure_at=now)
                session.add(row)
        except IntegrityError:  # a failure from the same source at the same moment made the row
            row = session.get(SigninFailure, (who, source), with_for_update=True)
    elif not _counting(row, window, since, now):
        row.failures, row.blocked_until = 0, None
    row.failures += 1
    row.last_failure_at = now
    return row


def register_failure(site: Site, session: Session, attempt: Attempt, now: datetime) -> bool:
    """Count a failed attempt; True when this one locked its source out."""
    since = _password_changed_at(session, attempt)
    user_id = attempt.user.id if attempt.user is not None else None
    pair = _count(session, attempt.who, attempt.source, LOCK_TIME, since, now)
    audit.record(session, "signin.failure", user_id=user_id, ip=attempt.ip,
                 detail=f"failure {pair.failures}" if user_id else f"unknown or disabled user {attempt.who.removeprefix('name:')!r}")
    if not attempt.trusted:
        spread = _count(session, attempt.who, ELSEWHERE, SLOW_WINDOW, since, now)
        if spread.failures > SLOW_AFTER:
            spread.blocked_until = now + min(timedelta(seconds=2 ** (spread.failures - SLOW_AFTER - 1)), MAX_DELAY)
    if pair.failures < MAX_FAILURES:
        return False
    pair.blocked_until = now + LOCK_TIME
    if attempt.user is not None:
        _record_lockout(site, session, attempt, pair.blocked_until, now)
    return True


def _record_lockout(site: Site, session: Session, attempt: Attempt, until: datetime, now: datetime) -> None:
    """Audit the lock-out; mail the user unless a lock-out in the last 30 minutes did already
    (an attacker changing addresses must not flood their mailbox)."""
    user = attempt.user
    mailed_lately = session.scalar(select(AuditEvent.id).where(
        AuditEvent.event == "lockout", AuditEvent.user_id == user.id, AuditEvent.timestamp > now - LOCK_TIME).limit(1))
    audit.record(session, "lockout", user_id=user.id, ip=attempt.ip,
                 detail=f"{attempt.source} locked until {until:%Y-%m-%d %H:%M} UTC")
    if mailed_lately is not None:
        return
    minutes = int(LOCK_TIME.total_seconds() // 60)
    mail_user(site, session, user, lazy_gettext("Security notice: your account is locked"),
              lazy_gettext("There were %(failures)d failed attempts to sign in to your account (the last from "
                           "%(address)s). Sign-in from there is locked for %(minutes)d minutes; your other devices "
                           "and addresses can still sign in. If this was not you, someone may be guessing your "
                           "password: a separate message holds a link to choose a new one.",
                           failures=MAX_FAILURES, address=attempt.ip or lazy_gettext("an unknown address"),
                           minutes=minutes))
    resets.send_reset(site, session, user, now=now,
                      reason=lazy_gettext("Your account was locked after %(failures)d failed sign-ins.",
                                          failures=MAX_FAILURES))


def register_success(session: Session, attempt: Attempt) -> None:
    """A right password: its source's count starts again.  The count across sources is left
    to run out, so that signing in on a known device does not give a guesser a fresh start."""
    session.execute(delete(SigninFailure).where(SigninFailure.who == attempt.who,
                                                SigninFailure.source == attempt.source))


def prune(site: Site) -> None:
    """The ``security.signin_failures`` job: forget counts that no longer count."""
    now = datetime.now(timezone.utc)
    with site.db.write() as session:
        session.execute(delete(SigninFailure).where(
            SigninFailure.last_failure_at <= now - SLOW_WINDOW,
            or_(SigninFailure.blocked_until.is_(None), SigninFailure.blocked_until <= now)))
