"""Known devices: a long-lived random cookie marks a browser a user signed in from; signing
in from a browser without a known cookie mails the user a security notice, and failed
sign-ins from a known device are counted apart from the rest (``wiki.security.lockout``)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.models import User
from wiki.security import audit
from wiki.security.hashing import digest, new_token
from wiki.security.mailer import mail_user
from wiki.security.models import KnownDevice
from wiki.site import Site

COOKIE = "tw_device"
COOKIE_DAYS = 365


def _known(session: Session, user_id: int, cookie: str | None) -> KnownDevice | None:
    if not cookie:
        return None
    return session.scalar(select(KnownDevice).where(KnownDevice.device_hash == digest(cookie),
                                                    KnownDevice.user_id == user_id))


def known_device(session: Session, user_id: int, cookie: str | None) -> int | None:
    """The id of the user's device this cookie marks, or ``None``; never writes."""
    known = _known(session, user_id, cookie)
    return known.id if known is not None else None


def recognise(site: Site, session: Session, user: User, cookie: str | None, user_agent: str, ip: str,
              now: datetime) -> str | None:
    """Note a sign-in; returns a new cookie value when the device was unknown (mail sent)."""
    known = _known(session, user.id, cookie)
    if known is not None:
        known.last_seen = now
        return None
    token = new_token()
    session.add(KnownDevice(user_id=user.id, device_hash=digest(token), user_agent=user_agent[:300],
                            first_seen=now, last_seen=now))
    audit.record(session, "signin.new_device", user_id=user.id, ip=ip, detail=user_agent[:200])
    unknown = lazy_gettext("unknown")
    mail_user(site, session, user, lazy_gettext("Security notice: sign-in from a new device"),
              lazy_gettext("Your account was just signed in to from a device we had not seen before:\n\n"
                           "  browser: %(browser)s\n  address: %(address)s\n  time:    %(time)s UTC\n\n"
                           "If this was you, there is nothing to do. If not, change your password at once.",
                           browser=user_agent[:200] or unknown, address=ip or unknown, time=f"{now:%Y-%m-%d %H:%M}"))
    return token
