"""Ending a user's sessions: each user has a session epoch (``UserSecurity.session_epoch``);
a browser session (and its remember-me cookie) carries the epoch it was signed in under, in
its flask-login id ``"<user id>:<epoch>"``.  The user loader refuses a session whose epoch is
no longer the user's, so moving the epoch ends every session at once, in every process.

A password change moves it and re-signs the current browser (the other sessions end); a reset,
disabling the user and "sign out everywhere else" move it too.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.accounts import AccountError
from wiki.models import User
from wiki.permissions import Actor
from wiki.security import audit
from wiki.security.models import UserSecurity
from wiki.security.state import security_of


def user_and_epoch(session: Session, user_id: int) -> tuple[User | None, int]:
    """The user and their epoch in one query (the user loader runs on every request)."""
    row = session.execute(select(User, UserSecurity.session_epoch)
                          .outerjoin(UserSecurity, UserSecurity.user_id == User.id).where(User.id == user_id)).first()
    return (row[0], row[1] or 0) if row is not None else (None, 0)


def epoch_of(session: Session, user_id: int) -> int:
    """The user's current epoch (0 before anything moved it); never writes."""
    return session.scalar(select(UserSecurity.session_epoch).where(UserSecurity.user_id == user_id)) or 0


def end_sessions(session: Session, user_id: int) -> int:
    """End every session of the user; returns the new epoch (to re-sign the current browser)."""
    state = security_of(session, user_id, for_update=True)
    state.session_epoch = (state.session_epoch or 0) + 1
    return state.session_epoch


def sign_out_elsewhere(session: Session, actor: Actor, ip: str = "") -> int:
    """"Sign out everywhere else": the caller re-signs this browser with the returned epoch."""
    if actor.impersonator_id is not None:
        raise AccountError(gettext("The customer's other sessions cannot be ended while signed in as them."))
    epoch = end_sessions(session, actor.user_id)
    audit.record(session, "session.ended_elsewhere", actor=actor, ip=ip)
    return epoch


def login_id(user_id: int, epoch: int) -> str:
    return f"{user_id}:{epoch}"


def parse_login_id(value: str) -> tuple[int, int] | None:
    """``(user id, epoch)`` from a session's id, or ``None`` when it is not one."""
    user_id, _, epoch = value.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    return int(user_id), int(epoch)
