"""Groups of users that admins make.  Namespace rights may name a group like a role, and a
group may carry site rights (``can_impersonate``).  Every change is written to the ``log``
table (type ``rights``) and to the audit log."""

from __future__ import annotations

import re

from flask_babel import gettext, lazy_gettext
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wiki.accounts import AccountError, find_user
from wiki.models import LogEntry
from wiki.namespaces import USER
from wiki.permissions import ROLES, Actor, PermissionDenied
from wiki.security import audit
from wiki.security.models import Group, GroupMember

#: Rights a group can give its members beyond namespace rights.
SITE_RIGHTS: dict[str, str] = {"can_impersonate": lazy_gettext("Sign in as a customer from the account's contacts")}
_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
RESERVED = frozenset({*ROLES, "user", "anonymous", "*"})


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(gettext("Only admins may change groups."))


def _log(session: Session, actor: Actor, action: str, group: str, comment: str, **params) -> None:
    session.add(LogEntry(type="rights", action=action, user_id=actor.user_id, user_text=actor.attribution,
                         namespace=USER, title=group, comment=comment[:500], params={"group": group, **params}))
    audit.record(session, "rights.group", actor=actor, detail=comment, group=group, action=action, **params)


def get(session: Session, name: str) -> Group:
    group = session.scalar(select(Group).where(Group.name == name))
    if group is None:
        raise AccountError(gettext("There is no group named '%(name)s'.", name=name))
    return group


def all_groups(session: Session) -> list[Group]:
    return list(session.scalars(select(Group).order_by(Group.name)))


def members(session: Session, group: Group) -> list[GroupMember]:
    return list(session.scalars(select(GroupMember).where(GroupMember.group_id == group.id)))


def create(session: Session, actor: Actor, name: str, description: str = "", rights: list[str] | None = None) -> Group:
    _require_admin(actor)
    name = name.strip().lower()
    if not _NAME.match(name):
        raise AccountError(gettext("The group name '%(name)s' is not allowed: use 2-40 lower-case letters, digits, "
                                   "- or _, starting with a letter.", name=name))
    if name in RESERVED:
        raise AccountError(gettext("'%(name)s' is the name of a role; choose another group name.", name=name))
    if session.scalar(select(Group.id).where(Group.name == name)) is not None:
        raise AccountError(gettext("A group named '%(name)s' already exists.", name=name))
    rights = sorted(set(rights or []))
    unknown = [r for r in rights if r not in SITE_RIGHTS]
    if unknown:
        raise AccountError(gettext("Unknown site right '%(right)s'; known: %(known)s.", right=unknown[0],
                                   known=", ".join(SITE_RIGHTS)))
    group = Group(name=name, description=description.strip()[:300], rights=rights)
    session.add(group)
    session.flush()
    _log(session, actor, "create", name, f"created group {name}", rights=rights)
    return group


def delete_group(session: Session, actor: Actor, name: str) -> None:
    _require_admin(actor)
    group = get(session, name)
    session.execute(delete(GroupMember).where(GroupMember.group_id == group.id))
    session.delete(group)
    _log(session, actor, "delete", name, f"deleted group {name}")


def add_member(session: Session, actor: Actor, name: str, user_name: str) -> None:
    _require_admin(actor)
    group = get(session, name)
    user = find_user(session, user_name)
    if user is None:
        raise AccountError(gettext("There is no user named '%(name)s'.", name=user_name))
    if session.get(GroupMember, (group.id, user.id)) is not None:
        raise AccountError(gettext("%(user)s is already in %(group)s.", user=user.name, group=name))
    session.add(GroupMember(group_id=group.id, user_id=user.id))
    _log(session, actor, "addmember", name, f"added {user.name} to {name}", member=user.name)


def remove_member(session: Session, actor: Actor, name: str, user_name: str) -> None:
    _require_admin(actor)
    group = get(session, name)
    user = find_user(session, user_name)
    row = session.get(GroupMember, (group.id, user.id)) if user is not None else None
    if row is None:
        raise AccountError(gettext("%(user)s is not in %(group)s.", user=user_name, group=name))
    session.delete(row)
    _log(session, actor, "removemember", name, f"removed {user.name} from {name}", member=user.name)


def group_names(session: Session, user_id: int) -> frozenset[str]:
    rows = session.scalars(select(Group.name).join(GroupMember, GroupMember.group_id == Group.id)
                           .where(GroupMember.user_id == user_id))
    return frozenset(rows)


def has_site_right(session: Session, user_id: int, right: str) -> bool:
    rows = session.scalars(select(Group.rights).join(GroupMember, GroupMember.group_id == Group.id)
                           .where(GroupMember.user_id == user_id))
    return any(right in (rights or []) for rights in rows)
