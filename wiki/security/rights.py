"""Admins' overrides of namespace rights (``Special:NamespaceRights``).

The TOML namespace definitions give the defaults; an override replaces the roles and
groups of one action in one namespace.  Overrides live in the database and are copied
into ``site.policy.overrides``; a counter moves on every change, so each app process
reloads when it sees a newer counter (``refresh``, called at the start of each request).
Changes are logged (``log`` type ``rights``, and the audit log).
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.accounts import AccountError
from wiki.models import LogEntry, Page
from wiki.namespaces import ACTIONS
from wiki.permissions import ROLES, Actor, PermissionDenied
from wiki.security import audit
from wiki.security.models import Counter, Group, NamespaceRightOverride
from wiki.site import Site

COUNTER = "namespace_rights"
#: What a right may name besides roles and groups.
SPECIAL_NAMES = ("*", "user")


def version(session: Session) -> int:
    return session.scalar(select(Counter.value).where(Counter.name == COUNTER)) or 0


def load(site: Site, session: Session) -> int:
    """Copy the overrides into the site's policy; returns the counter they belong to."""
    current = version(session)
    site.policy.overrides = {
        (row.namespace, row.action): tuple(row.roles) for row in session.scalars(select(NamespaceRightOverride))
    }
    return current


def refresh(site: Site, session: Session, known: int | None) -> int:
    """Reload when the counter moved since ``known``; returns the counter now loaded."""
    current = version(session)
    return load(site, session) if current != known else current


def parse_roles(session: Session, text: str) -> tuple[str, ...]:
    """``"staff, admin support"`` -> roles and groups, checked to exist."""
    names = tuple(dict.fromkeys(part for part in text.replace(",", " ").split() if part))
    groups = set(session.scalars(select(Group.name)))
    for name in names:
        if name not in ROLES and name not in SPECIAL_NAMES and name not in groups:
            raise AccountError(gettext("'%(name)s' is not a role (%(roles)s), '*', 'user' or a group.", name=name,
                                       roles=", ".join(ROLES)))
    return names


def set_right(site: Site, session: Session, actor: Actor, namespace: int, action: str,
              roles: tuple[str, ...] | None, reason: str = "", ip: str = "") -> None:
    """Override one right (``roles=None`` goes back to the namespace definition)."""
    if not actor.is_admin:
        raise PermissionDenied(gettext("Only admins may change namespace rights."))
    if namespace not in site.namespaces or namespace < 0:
        raise AccountError(gettext("There is no namespace numbered %(number)s.", number=namespace))
    if action not in ACTIONS:
        raise AccountError(gettext("Unknown right '%(right)s'; rights are %(rights)s.", right=action,
                                   rights=", ".join(ACTIONS)))
    ns = site.namespaces.get(namespace)
    previous = list(site.policy.roles_for(ns, action))
    row = session.get(NamespaceRightOverride, (namespace, action))
    if roles is None:
        if row is None:
            return
        session.delete(row)
    else:
        if row is None:
            row = NamespaceRightOverride(namespace=namespace, action=action)
            session.add(row)
        row.roles, row.updated_by, row.updated_at = list(roles), actor.user_id, datetime.now(timezone.utc)
    new = list(roles) if roles is not None else list(ns.roles_for(action))
    if new == previous and roles is not None:
        return
    counter = session.get(Counter, COUNTER, with_for_update=True)
    if counter is None:
        counter = Counter(name=COUNTER, value=0)
        session.add(counter)
    counter.value += 1
    comment = f"{action} in {ns.display_name}: {', '.join(previous) or 'nobody'} -> {', '.join(new) or 'nobody'}"
    if reason:
        comment += f" ({reason})"
    session.add(LogEntry(type="rights", action="namespace", user_id=actor.user_id, user_text=actor.attribution,
                         namespace=namespace, title="", comment=comment[:500],
                         params={"action": action, "old": previous, "new": new}))
    audit.record(session, "rights.namespace", actor=actor, ip=ip, detail=comment, namespace=namespace,
                 action=action, old=previous, new=new)
    session.flush()
    load(site, session)
    if action == "read":
        for page in session.scalars(select(Page).where(Page.namespace == namespace, Page.deleted.is_(False))):
            site.hook.page_access_changed(site=site, session=session, page=page,
                                          title=site.titles.make(page.namespace, page.title))
