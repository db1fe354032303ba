"""Ticket mail: replies to requesters, updates to assignees, SLA breaches to assignees and leads.

Queued in the caller's transaction through the outbox (category ``tickets``, so users can
turn it off in their preferences), only to users who may read the ticket, never to the
person who acted; sent right after the commit when SMTP is configured (the core's mail job
retries what fails).  Subjects and bodies are lazy strings, written in each recipient's
language (``wiki.mail.recipient_language``), from jobs too.  A ticket mail takes the place of
the watchlist's general notice about the same change, so nobody gets both.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets.ticket import Ticket
from wiki.accounts import actor_for
from wiki.mail import deliver_after_commit, queue_mail, written_for
from wiki.models import User
from wiki.permissions import Actor
from wiki.security.notify import may_email

CATEGORY = "tickets"


def notify(site, session: Session, item: Ticket, actor: Actor, names: Iterable[str], subject: object,
           body: object) -> int:
    """Queue ``body`` to each named user who may read the ticket; returns how many were queued."""
    wanted = {n for n in names if n and n != actor.name}
    if not wanted:
        return 0
    users = session.scalars(select(User).where(User.name.in_(sorted(wanted)), User.disabled.is_(False),
                                               User.email.is_not(None))).all()
    base = site.settings.base_url.rstrip("/")
    queued = 0
    for user in users:
        if not site.policy.allows(actor_for(user), "read", item.title, item.page):
            continue
        if not may_email(session, user.id, CATEGORY):
            continue
        with written_for(site, user):
            text = gettext("Dear %(name)s,\n\n%(body)s\n\nThe ticket: %(url)s\n\nYou can turn off ticket mail in "
                           "your preferences: %(preferences)s", name=user.name, body=str(body),
                           url=f"{base}{item.title.url_path}", preferences=f"{base}/wiki/Special:Preferences")
            heading = f"[{item.title.prefixed}] {subject}"
        queue_mail(session, user.email, heading, text, category=CATEGORY, about=item.page.id)
        queued += 1
    if queued:
        deliver_after_commit(site, session)
    return queued
