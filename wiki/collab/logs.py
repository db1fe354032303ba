"""The action log (table ``log``): moves, deletions, undeletions, protections and rights changes.

Entries are only ever appended.  Listing them asks the policy: an entry about a page shows
only to those who may read that page (or, for a page that no longer has a row, its namespace).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session, aliased

from wiki.models import LogEntry, Page
from wiki.permissions import Actor
from wiki.site import Site
from wiki.titles import Title

#: Log types, with the heading Special:Log shows for each.
LOG_TYPES = {
    "move": lazy_gettext("Move log"),
    "delete": lazy_gettext("Deletion log"),
    "protect": lazy_gettext("Protection log"),
    "rights": lazy_gettext("User rights log"),
}


def add_log(session: Session, type_: str, action: str, actor: Actor, title: Title, page_id: int | None,
            comment: str = "", params: dict[str, Any] | None = None, now: datetime | None = None) -> LogEntry:
    entry = LogEntry(type=type_, action=action, timestamp=now or datetime.now(timezone.utc),
                     user_id=actor.user_id, user_text=actor.name, namespace=title.ns, title=title.text,
                     page_id=page_id, comment=" ".join(comment.split())[:500], params=params or {})
    session.add(entry)
    session.flush()
    return entry


def readable_log_filter(site: Site, actor: Actor, page_table: Any) -> Any:
    """Entries whose page the actor may read; entries without a page row go by namespace."""
    if actor.is_admin:
        return true()
    spaces = site.policy.readable_namespaces(actor)
    return or_(
        and_(page_table.id.is_(None), LogEntry.namespace.in_(spaces)),
        and_(page_table.id.is_not(None), site.policy.readable_filter(actor, page_table)),
    )


def log_entries(site: Site, session: Session, actor: Actor, type_: str | None = None, user: str | None = None,
                title: Title | None = None, limit: int = 50, offset: int = 0) -> list[LogEntry]:
    """Newest first, filtered by type, performer and page."""
    if type_ and type_ not in LOG_TYPES:
        raise ValueError(f"Unknown log type {type_!r}; known types: {', '.join(LOG_TYPES)}.")
    page = aliased(Page)
    query = (select(LogEntry).outerjoin(page, page.id == LogEntry.page_id)
             .where(readable_log_filter(site, actor, page)))
    if type_:
        query = query.where(LogEntry.type == type_)
    if user:
        query = query.where(LogEntry.user_text == user)
    if title is not None:
        query = query.where(LogEntry.namespace == title.ns, LogEntry.title == title.text)
    query = query.order_by(LogEntry.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))
