"""Browser sessions kept on the server.  Signing in adds a row to ``user_sessions`` and gives
the browser a random secret, which its session cookie (and its remember-me cookie) carries as
the flask-login id; only the secret's SHA-256 is stored.  The user loader accepts a cookie
only while its row is live, so:

* signing out ends the row: a copy of the cookies taken before stops working;
* ending a user's sessions (a password change or reset, disabling the user, "sign out
  everywhere else") ends all their rows at once, in every process; a password change and
  "sign out everywhere else" then sign the current browser in again with a new row.

A row expires ``SESSION_LIFETIME`` after signing in (``REMEMBER_LIFETIME`` with "remember
me", as long as the remember-me cookie lasts); inactivity ends a session sooner (the idle
check of ``wiki.security.web``).  While staff act as a customer, the row is the customer's
with the staff member as ``impersonator_id``, and ending the staff member's sessions ends it
too.  The ``security.sessions`` job deletes rows that have ended or expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import gettext
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, aliased

from wiki.accounts import AccountError
from wiki.models import User
from wiki.permissions import Actor
from wiki.security import audit
from wiki.security.hashing import digest, new_token
from wiki.security.models import UserSession
from wiki.site import Site

SESSION_LIFETIME = timedelta(hours=24)
REMEMBER_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class LiveSession:
    """What the user loader needs of a live session: whose it is, and who acts for them."""

    user: User
    impersonator: User | None


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def start(session: Session, user_id: int, impersonator_id: int | None = None, remember: bool = False,
          ip: str = "", user_agent: str = "", now: datetime | None = None) -> str:
    """Record a new browser session; returns its secret, shown to nobody but the browser."""
    now = _now(now)
    secret = new_token()
    session.add(UserSession(user_id=user_id, impersonator_id=impersonator_id, secret_hash=digest(secret),
                            remember=remember, created_at=now,
                            expires_at=now + (REMEMBER_LIFETIME if remember else SESSION_LIFETIME),
                            ip=ip[:64], user_agent=user_agent[:300]))
    return secret


def find(session: Session, secret: str, now: datetime | None = None) -> LiveSession | None:
    """The live session with this secret (one query: the loader runs on every request)."""
    impersonator = aliased(User)
    row = session.execute(
        select(User, impersonator)
        .select_from(UserSession)
        .join(User, User.id == UserSession.user_id)
        .outerjoin(impersonator, impersonator.id == UserSession.impersonator_id)
        .where(UserSession.secret_hash == digest(secret), UserSession.ended_at.is_(None),
               UserSession.expires_at > _now(now))
    ).first()
    return LiveSession(row[0], row[1]) if row is not None else None


def end(session: Session, secret: str, now: datetime | None = None) -> None:
    """End the session with this secret (signing out, or signing this browser in anew)."""
    session.execute(update(UserSession).where(UserSession.secret_hash == digest(secret),
                                              UserSession.ended_at.is_(None)).values(ended_at=_now(now)))


def end_sessions(session: Session, user_id: int, now: datetime | None = None) -> None:
    """End every session of the user, and every session in which they act for a customer."""
    session.execute(update(UserSession)
                    .where(or_(UserSession.user_id == user_id, UserSession.impersonator_id == user_id),
                           UserSession.ended_at.is_(None))
                    .values(ended_at=_now(now)))


def sign_out_elsewhere(session: Session, actor: Actor, ip: str = "") -> None:
    """"Sign out everywhere else": ends every session of the user; the caller signs this
    browser in again."""
    if actor.impersonator_id is not None:
        raise AccountError(gettext("The customer's other sessions cannot be ended while signed in as them."))
    end_sessions(session, actor.user_id)
    audit.record(session, "session.ended_elsewhere", actor=actor, ip=ip)


def prune(site: Site) -> None:
    """The ``security.sessions`` job: forget sessions that have ended or expired."""
    with site.db.write() as session:
        session.execute(delete(UserSession).where(or_(UserSession.ended_at.is_not(None),
                                                      UserSession.expires_at <= _now(None))))
