"""Admins manage users (``Special:UserRights``): list them with filters, change a user's role
and groups, disable and re-enable them.

Every change is a rights change: it goes to the ``log`` table (type ``rights``, on the user's
page) and to the audit log.  A disabled user cannot sign in; their sessions end at once (their
session rows end, and the user loader refuses disabled users) and their API keys stop
working.  An admin cannot disable themselves, and the last active admin can be neither
disabled nor given another role.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from wiki.accounts import AccountError, find_user
from wiki.models import LogEntry, User
from wiki.namespaces import USER
from wiki.permissions import ROLES, Actor, PermissionDenied
from wiki.security import audit, groups
from wiki.security.sessions import end_sessions

PAGE_SIZE = 50
STATUSES = ("active", "disabled")


@dataclass
class UserList:
    """One page of the filtered list."""

    users: list[User]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset > 0 else None


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin or actor.api_scope is not None:
        raise PermissionDenied(gettext("Only admins may manage users."))


def search(session: Session, actor: Actor, role: str = "", status: str = "", text: str = "", offset: int = 0,
           limit: int = PAGE_SIZE) -> UserList:
    """Users by name, filtered by role, status and a piece of their name or email."""
    _require_admin(actor)
    query = select(User)
    if role:
        query = query.where(User.role == role)
    if status in STATUSES:
        query = query.where(User.disabled.is_(status == "disabled"))
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    offset = max(0, offset)
    rows = session.scalars(query.order_by(User.name).offset(offset).limit(limit))
    return UserList(list(rows), total, offset, limit)


def user_named(session: Session, actor: Actor, name: str) -> User:
    _require_admin(actor)
    user = find_user(session, name)
    if user is None:
        raise AccountError(gettext("There is no user named '%(name)s'.", name=name))
    return user


def _active_admins(session: Session) -> int:
    return session.scalar(select(func.count(User.id)).where(User.role == "admin", User.disabled.is_(False))) or 0


def _log(session: Session, actor: Actor, user: User, event: str, action: str, comment: str, ip: str,
         **params) -> None:
    session.add(LogEntry(type="rights", action=action, user_id=actor.user_id, user_text=actor.attribution,
                         namespace=USER, title=user.name, comment=comment[:500], params=params))
    audit.record(session, event, actor=actor, user_id=user.id, ip=ip, detail=comment, **params)


def set_role(session: Session, actor: Actor, user: User, role: str, reason: str = "", ip: str = "") -> bool:
    """Give ``user`` another role; False when it is already theirs."""
    _require_admin(actor)
    if role not in ROLES:
        raise AccountError(gettext("Unknown role '%(role)s'; roles are %(roles)s.", role=role, roles=", ".join(ROLES)))
    if role == user.role:
        return False
    if (role == "customer") != (user.role == "customer"):
        raise AccountError(gettext("Customers belong to an account and staff do not: a customer cannot get a staff "
                                   "role, nor staff the customer role. Create a new user instead."))
    if user.role == "admin" and _active_admins(session) <= 1 and not user.disabled:
        raise AccountError(gettext("%(name)s is the last admin; make someone else an admin first.", name=user.name))
    old, user.role = user.role, role
    comment = f"role of {user.name}: {old} -> {role}" + (f" ({reason})" if reason else "")
    _log(session, actor, user, "rights.user_role", "role", comment, ip, old=old, new=role)
    return True


def set_groups(session: Session, actor: Actor, user: User, wanted: set[str]) -> bool:
    """Make ``user`` a member of exactly the ``wanted`` groups; False when nothing changed."""
    _require_admin(actor)
    current = groups.group_names(session, user.id)
    for name in sorted(wanted - current):
        groups.add_member(session, actor, name, user.name)
    for name in sorted(current - wanted):
        groups.remove_member(session, actor, name, user.name)
    return wanted != current


def disable(session: Session, actor: Actor, user: User, reason: str = "", ip: str = "") -> None:
    """Stop ``user`` signing in; their sessions and API keys stop working at once."""
    _require_admin(actor)
    if user.id == actor.user_id:
        raise AccountError(gettext("You cannot disable yourself."))
    if user.disabled:
        raise AccountError(gettext("%(name)s is already disabled.", name=user.name))
    if user.role == "admin" and _active_admins(session) <= 1:
        raise AccountError(gettext("%(name)s is the last admin; make someone else an admin first.", name=user.name))
    user.disabled = True
    end_sessions(session, user.id)
    comment = f"disabled {user.name}" + (f" ({reason})" if reason else "")
    _log(session, actor, user, "rights.user_disabled", "disable", comment, ip)


def enable(session: Session, actor: Actor, user: User, reason: str = "", ip: str = "") -> None:
    _require_admin(actor)
    if not user.disabled:
        raise AccountError(gettext("%(name)s is not disabled.", name=user.name))
    user.disabled = False
    comment = f"enabled {user.name} again" + (f" ({reason})" if reason else "")
    _log(session, actor, user, "rights.user_enabled", "enable", comment, ip)
