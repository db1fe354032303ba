"""Page protection: rows of ``page_restrictions`` that limit editing or moving a page to staff
or to admins, until an optional expiry.

``restriction_reason`` is the rule the policy asks (``Policy.rules``, added when the site
starts), so every path that checks ``edit`` or ``move`` honours protection.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, object_session

from wiki.collab.logs import add_log
from wiki.collab.models import PageRestriction
from wiki.models import LogEntry, Page
from wiki.permissions import Actor
from wiki.site import Site
from wiki.titles import Title

#: What can be protected, and the levels (role allowed; "" means no protection).
PROTECTABLE = ("edit", "move")
LEVELS = {"": lazy_gettext("Allow everyone with the namespace's rights"),
          "staff": lazy_gettext("Staff and admins only"), "admin": lazy_gettext("Admins only")}
_DURATION = re.compile(r"^\s*(\d+)\s*(hour|day|week|month|year)s?\s*$", re.IGNORECASE)
_UNITS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1),
          "month": timedelta(days=30), "year": timedelta(days=365)}


class ProtectionError(ValueError):
    """Invalid protection settings; the message names what was wrong."""


def parse_expiry(raw: str, now: datetime | None = None) -> datetime | None:
    """``""``/``infinite`` (never), ``3 days``-style durations, or an ISO date or date-time (UTC)."""
    now = now or datetime.now(timezone.utc)
    text = raw.strip()
    if text.lower() in ("", "infinite", "indefinite", "never"):
        return None
    match = _DURATION.match(text)
    if match:
        return now + int(match.group(1)) * _UNITS[match.group(2).lower()]
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ProtectionError(f"Expiry {raw!r} is not understood: use 'infinite', a duration such as "
                              "'3 days', or a date such as 2030-01-31.") from None
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    if when <= now:
        raise ProtectionError(f"Expiry {raw!r} is in the past.")
    return when


def active_restrictions(session: Session, page_id: int, now: datetime | None = None) -> dict[str, PageRestriction]:
    now = now or datetime.now(timezone.utc)
    rows = session.scalars(select(PageRestriction).where(
        PageRestriction.page_id == page_id,
        or_(PageRestriction.expiry.is_(None), PageRestriction.expiry > now),
    ))
    return {row.action: row for row in rows}


def restriction_reason(site: Site, actor: Actor, action: str, title: Title, page: Page | None) -> str | None:
    """Why protection stops ``actor`` (``None`` when it does not); a ``Policy`` rule."""
    if action not in PROTECTABLE or page is None or getattr(page, "id", None) is None or actor.is_admin:
        return None
    session = object_session(page)
    if session is None:
        with site.db.read() as fresh:
            found = active_restrictions(fresh, page.id).get(action)
    else:
        found = active_restrictions(session, page.id).get(action)
    if found is None or (found.role == "staff" and actor.is_staff):
        return None
    who = "staff and admins" if found.role == "staff" else "admins"
    until = f" until {found.expiry:%Y-%m-%d %H:%M} UTC" if found.expiry else ""
    return f"{title.prefixed} is protected: only {who} may {action} it{until}."


def protect_page(site: Site, session: Session, title: Title, actor: Actor, levels: dict[str, str],
                 expiry: datetime | None, reason: str) -> LogEntry:
    """Replace the page's restrictions with ``levels`` (action -> "" / "staff" / "admin"); logged."""
    page = site.get_page(session, title)
    if page is None or page.deleted:
        raise ProtectionError(f"The page {title.prefixed} does not exist; only existing pages can be protected.")
    site.policy.check(actor, "protect", title, page)
    for action, role in levels.items():
        if action not in PROTECTABLE:
            raise ProtectionError(f"{action!r} cannot be protected; choose from {', '.join(PROTECTABLE)}.")
        if role not in LEVELS:
            raise ProtectionError(f"Protection level {role!r} is unknown; use staff or admin (or nothing).")
    session.execute(delete(PageRestriction).where(PageRestriction.page_id == page.id))
    chosen = {action: role for action, role in levels.items() if role}
    for action, role in chosen.items():
        session.add(PageRestriction(page_id=page.id, action=action, role=role, expiry=expiry))
    params = {"levels": chosen, "expiry": expiry.isoformat() if expiry else None}
    return add_log(session, "protect", "protect" if chosen else "unprotect", actor, title, page.id, reason, params)
