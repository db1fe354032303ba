"""The per-user security row (``UserSecurity``), created on first use by writers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wiki.security.models import UserSecurity


def peek(session: Session, user_id: int) -> UserSecurity | None:
    """The row if there is one; never writes (safe in read sessions)."""
    return session.get(UserSecurity, user_id)


def security_of(session: Session, user_id: int, for_update: bool = False) -> UserSecurity:
    state = session.get(UserSecurity, user_id, with_for_update=for_update or None)
    if state is None:
        state = UserSecurity(user_id=user_id, totp_enabled=False)
        session.add(state)
        session.flush()
    return state
