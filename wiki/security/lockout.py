"""Lock-out after repeated failed sign-ins: the fifth failure in a row locks the user for
30 minutes and mails them a reset link and a security notice.  A success (or a reset)
clears the count."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext
from sqlalchemy.orm import Session

from wiki.models import User
from wiki.security import audit, resets
from wiki.security.mailer import mail_user
from wiki.security.state import security_of
from wiki.site import Site

MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=30)


def locked_until(session: Session, user: User, now: datetime) -> datetime | None:
    """When the user's lock ends, or ``None`` when they are not locked."""
    state = security_of(session, user.id)
    if state.locked_until is not None and state.locked_until > now:
        return state.locked_until
    return None


def register_failure(site: Site, session: Session, user: User, ip: str, now: datetime) -> bool:
    """Count a failed attempt; True when this one locked the user."""
    state = security_of(session, user.id, for_update=True)
    if state.locked_until is not None and state.locked_until <= now:
        state.failed_logins, state.locked_until = 0, None
    state.failed_logins += 1
    audit.record(session, "signin.failure", user_id=user.id, ip=ip, detail=f"failure {state.failed_logins}")
    if state.failed_logins < MAX_FAILURES:
        return False
    state.locked_until = now + LOCK_TIME
    audit.record(session, "lockout", user_id=user.id, ip=ip,
                 detail=f"locked until {state.locked_until:%Y-%m-%d %H:%M} UTC")
    minutes = int(LOCK_TIME.total_seconds() // 60)
    mail_user(site, session, user, lazy_gettext("Security notice: your account is locked"),
              lazy_gettext("There were %(failures)d failed attempts to sign in to your account (the last from "
                           "%(address)s). Sign-in is locked for %(minutes)d minutes. If this was not you, someone "
                           "may be guessing your password: a separate message holds a link to choose a new one.",
                           failures=MAX_FAILURES, address=ip or lazy_gettext("an unknown address"), minutes=minutes))
    resets.send_reset(site, session, user, now=now,
                      reason=lazy_gettext("Your account was locked after %(failures)d failed sign-ins.",
                                          failures=MAX_FAILURES))
    return True


def register_success(session: Session, user: User) -> None:
    state = security_of(session, user.id)
    state.failed_logins, state.locked_until = 0, None
