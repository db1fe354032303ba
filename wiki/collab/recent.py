"""Recent changes: the newest revisions of pages the viewer may read, with MediaWiki's filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.models import Page, Revision
from wiki.permissions import Actor
from wiki.revisions import not_archived
from wiki.site import Site

MAX_LIMIT = 500
MAX_DAYS = 90


@dataclass(frozen=True)
class RecentFilter:
    namespace: int | None = None
    user: str | None = None
    hide_minor: bool = False
    hide_mine: bool = False
    limit: int = 50
    days: int = 7


def _bounded(args: Mapping[str, str], name: str, default: int, top: int, errors: list[str]) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        errors.append(f"{name} must be a whole number from 1 to {top}, not {raw!r}.")
        return default
    return int(raw)


def parse_filter(site: Site, args: Mapping[str, str]) -> tuple[RecentFilter, list[str]]:
    """The filter named by a request's query words, and what was wrong with them."""
    errors: list[str] = []
    namespace = None
    raw_ns = args.get("namespace", "")
    if raw_ns != "":
        try:
            namespace = int(raw_ns)
        except ValueError:
            errors.append(f"namespace must be a namespace number, not {raw_ns!r}.")
        else:
            if namespace not in site.namespaces:
                errors.append(f"There is no namespace numbered {namespace}.")
                namespace = None
    flag = lambda name: args.get(name, "") in ("1", "true", "on")  # noqa: E731
    return RecentFilter(
        namespace=namespace,
        user=" ".join(args.get("user", "").replace("_", " ").split()) or None,
        hide_minor=flag("hideminor"),
        hide_mine=flag("hidemyself"),
        limit=_bounded(args, "limit", 50, MAX_LIMIT, errors),
        days=_bounded(args, "days", 7, MAX_DAYS, errors),
    ), errors


def recent_changes(site: Site, session: Session, actor: Actor, flt: RecentFilter,
                   now: datetime | None = None) -> list[tuple[Revision, Page]]:
    """Newest first; pages the actor may not read, deleted pages and hidden revisions are left out."""
    since = (now or datetime.now(timezone.utc)) - timedelta(days=flt.days)
    query = (
        select(Revision, Page).join(Page, Page.id == Revision.page_id)
        .where(Revision.timestamp >= since, Page.deleted.is_(False), not_archived(),
               site.policy.readable_filter(actor, Page))
    )
    if flt.namespace is not None:
        query = query.where(Page.namespace == flt.namespace)
    if flt.user:
        query = query.where(Revision.user_text == flt.user)
    if flt.hide_minor:
        query = query.where(Revision.minor.is_(False))
    if flt.hide_mine and not actor.is_anonymous:
        query = query.where(Revision.user_text != actor.name)
    rows = session.execute(query.order_by(Revision.id.desc()).limit(flt.limit))
    return [(rev, page) for rev, page in rows if page.namespace in site.namespaces]
