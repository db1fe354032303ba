"""The steps of signing in: the password (with lock-out), then the second factor if the
user has one, then the record of a completed sign-in (audit, new-device notice).

Each step returns an ``Outcome`` instead of raising, so that the failure it records (a
counted attempt, a lock-out and its mail) is committed with the caller's transaction.

The password step gives a wrong password, an unknown or disabled user and a locked-out
source the same answer, and each costs one argon2 verification (``verify_password`` checks
a dummy hash when there is no user), so neither the message nor the time it takes tells
whether a user exists.  The second step, reached only with the right password, may say
that the account is locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy.orm import Session

from wiki.accounts import find_user, verify_password
from wiki.models import User
from wiki.security import audit, devices, lockout, totp
from wiki.site import Site


@dataclass
class Outcome:
    user_id: int | None = None
    error: str | None = None
    needs_second_factor: bool = False
    #: Checks for this user must wait this many seconds (answered like a rate limit).
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and not self.retry_after


def _wrong() -> str:
    return gettext("Incorrect user name or password.")


def _locked_message(until: datetime) -> str:
    return gettext("This account is locked until %(time)s UTC after too many failed sign-ins. "
                   "A link to reset the password was emailed to its owner.", time=f"{until:%H:%M}")


def check_password(site: Site, session: Session, name: str, password: str, ip: str, device_cookie: str | None,
                   now: datetime) -> Outcome:
    found = find_user(session, name)
    user = found if found is not None and not found.disabled else None
    attempt = lockout.attempt(session, user, name, ip, device_cookie)
    refused = lockout.refusal(session, attempt, now)
    if refused is not None and refused.retry_after:
        return Outcome(retry_after=refused.retry_after)
    right = verify_password(user, password)
    if refused is not None:
        audit.record(session, "signin.failure", user_id=user.id if user else None, ip=ip, detail="refused: locked")
        return Outcome(error=_wrong())
    if not right:
        lockout.register_failure(site, session, attempt, now)
        return Outcome(error=_wrong())
    lockout.register_success(session, attempt)
    return Outcome(user_id=user.id, needs_second_factor=totp.is_enabled(session, user.id))


def check_second_factor(site: Site, session: Session, user_id: int, code: str, ip: str, device_cookie: str | None,
                        now: datetime) -> Outcome:
    user = session.get(User, user_id)
    if user is None or user.disabled:
        return Outcome(error=_wrong())
    attempt = lockout.attempt(session, user, user.name, ip, device_cookie)
    refused = lockout.refusal(session, attempt, now)
    if refused is not None:
        return Outcome(error=_locked_message(refused.locked_until)) if refused.locked_until else \
            Outcome(retry_after=refused.retry_after)
    if totp.verify(session, user_id, code, ip=ip, now=now):
        return Outcome(user_id=user_id)
    audit.record(session, "signin.2fa_failure", user_id=user_id, ip=ip)
    if lockout.register_failure(site, session, attempt, now):
        return Outcome(error=_locked_message(now + lockout.LOCK_TIME))
    return Outcome(user_id=user_id, error=gettext("That code is not correct or was already used."), needs_second_factor=True)


def complete(site: Site, session: Session, user_id: int, ip: str, user_agent: str, device_cookie: str | None,
             now: datetime) -> str | None:
    """Record a finished sign-in; returns a device cookie to set when the device is new."""
    user = session.get(User, user_id)
    audit.record(session, "signin.success", user_id=user_id, ip=ip)
    return devices.recognise(site, session, user, device_cookie, user_agent, ip, now)
