"""Notification preferences: per user, email on or off for each category of mail.

Every sender of non-security mail asks ``may_email(session, user_id, category)`` before it
calls ``wiki.mail.queue_mail`` (for example the watchlist: category ``"watchlist"``), and
writes the mail inside ``wiki.mail.written_for(site, user)`` so that it reaches each
recipient in their own language.  Security mail (lock-outs, reset
links) ignores preferences.
"""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.permissions import Actor
from wiki.security import audit
from wiki.security.models import NotificationPreference

CATEGORIES: dict[str, str] = {
    "billing": lazy_gettext("Invoices, payments and balance reminders"),
    "usage": lazy_gettext("Usage alerts and reports"),
    "service": lazy_gettext("Service announcements and maintenance"),
    "tickets": lazy_gettext("Updates to my tickets"),
    "watchlist": lazy_gettext("Changes to pages on my watchlist"),
}


def _check(category: str) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"unknown notification category {category!r}; known: {', '.join(CATEGORIES)}")


def may_email(session: Session, user_id: int, category: str) -> bool:
    """Whether ``user_id`` wants email of ``category`` (yes unless they turned it off)."""
    _check(category)
    wanted = session.scalar(select(NotificationPreference.email).where(
        NotificationPreference.user_id == user_id, NotificationPreference.category == category))
    return wanted is not False


def preferences(session: Session, user_id: int) -> dict[str, bool]:
    rows = dict(session.execute(select(NotificationPreference.category, NotificationPreference.email)
                                .where(NotificationPreference.user_id == user_id)).all())
    return {category: rows.get(category, True) for category in CATEGORIES}


def set_preferences(session: Session, actor: Actor, wanted: dict[str, bool], ip: str = "") -> None:
    """Store ``actor``'s choices; categories left out keep their setting."""
    if actor.is_anonymous:
        raise ValueError("Sign in to set notification preferences.")
    changed = {}
    for category, email in wanted.items():
        _check(category)
        row = session.get(NotificationPreference, (actor.user_id, category))
        if row is None:
            row = NotificationPreference(user_id=actor.user_id, category=category, email=True)
            session.add(row)
        if row.email != email:
            changed[category] = email
        row.email = email
    if changed:
        audit.record(session, "preferences.changed", actor=actor, ip=ip, changed=changed)
