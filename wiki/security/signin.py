"""The steps of signing in: the password (with lock-out), then the second factor if the
user has one, then the record of a completed sign-in (audit, new-device notice).

Each step returns an ``Outcome`` instead of raising, so that the failure it records (a
counted attempt, a lock-out and its mail) is committed with the caller's transaction.
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

    @property
    def ok(self) -> bool:
        return self.error is None


def _wrong() -> str:
    return gettext("Incorrect user name or password.")


def _locked_message(until: datetime) -> str:
    return gettext("This account is locked until %(time)s UTC after too many failed sign-ins. "
                   "A link to reset the password was emailed to its owner.", time=f"{until:%H:%M}")


def check_password(site: Site, session: Session, name: str, password: str, ip: str, now: datetime) -> Outcome:
    user = find_user(session, name)
    if user is None or user.disabled:
        audit.record(session, "signin.failure", ip=ip, detail=f"unknown or disabled user {name[:80]!r}")
        return Outcome(error=_wrong())
    until = lockout.locked_until(session, user, now)
    if until is not None:
        audit.record(session, "signin.failure", user_id=user.id, ip=ip, detail="refused: locked")
        return Outcome(error=_locked_message(until))
    if not verify_password(user, password):
        if lockout.register_failure(site, session, user, ip, now):
            return Outcome(error=_locked_message(now + lockout.LOCK_TIME))
        return Outcome(error=_wrong())
    lockout.register_success(session, user)
    return Outcome(user_id=user.id, needs_second_factor=totp.is_enabled(session, user.id))


def check_second_factor(site: Site, session: Session, user_id: int, code: str, ip: str, now: datetime) -> Outcome:
    user = session.get(User, user_id)
    if user is None or user.disabled:
        return Outcome(error=_wrong())
    until = lockout.locked_until(session, user, now)
    if until is not None:
        return Outcome(error=_locked_message(until))
    if totp.verify(session, user_id, code, ip=ip, now=now):
        return Outcome(user_id=user_id)
    audit.record(session, "signin.2fa_failure", user_id=user_id, ip=ip)
    if lockout.register_failure(site, session, user, ip, now):
        return Outcome(error=_locked_message(now + lockout.LOCK_TIME))
    return Outcome(user_id=user_id, error=gettext("That code is not correct or was already used."), needs_second_factor=True)


def complete(site: Site, session: Session, user_id: int, ip: str, user_agent: str, device_cookie: str | None,
             now: datetime) -> str | None:
    """Record a finished sign-in; returns a device cookie to set when the device is new."""
    user = session.get(User, user_id)
    audit.record(session, "signin.success", user_id=user_id, ip=ip)
    return devices.recognise(site, session, user, device_cookie, user_agent, ip, now)
