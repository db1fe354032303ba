"""The panel below a ticket page: service-level clocks, and the forms the viewer may use
(reply with canned replies, close or reopen; for staff also the fields, assignment and an
internal note for the talk page)."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import render_template
from flask_babel import gettext, lazy_gettext
from sqlalchemy.orm import Session

from plugins.tickets import attachments, conversation, settings
from plugins.tickets.clock import DUE_FIELDS, WAITING
from plugins.tickets.sla import format_duration
from plugins.tickets.ticket import PRIORITIES, Ticket, load, ticket_categories
from plugins.tickets.workflow import CLOSED_STATUSES
from wiki.hooktypes import PageSection
from wiki.permissions import Actor


#: The two targets: what the interface calls them, their due field and the field that meets them.
TARGETS = tuple((label, due, done) for label, (due, done)
                in zip((lazy_gettext("First response"), lazy_gettext("Resolution")), DUE_FIELDS))


def clocks(site, session: Session, item: Ticket, now: datetime) -> list[dict]:
    """Due time and time left of the first response and the resolution (paused while waiting)."""
    levels = settings.service_levels(site, session)
    shown = []
    for label, due_field, done_field in TARGETS:
        due = item.moment(due_field)
        if due is None:
            continue
        done = item.moment(done_field)
        if done is not None:
            moment = f"{done:%Y-%m-%d %H:%M} UTC"
            left = gettext("met (%(time)s)", time=moment) if done <= due else gettext("missed (%(time)s)", time=moment)
        elif item.status == WAITING:
            left = gettext("paused while waiting on the customer")
        else:
            remaining = levels.remaining(item.priority, now, due)
            left = gettext("%(time)s left", time=format_duration(remaining)) if remaining.total_seconds() >= 0 else \
                gettext("overdue by %(time)s", time=format_duration(-remaining))
        shown.append({"label": label, "due": due, "left": left,
                      "breached": done is None and due < now and item.status not in CLOSED_STATUSES})
    return shown


def ticket_panel(site, session: Session, title, page, actor: Actor) -> list[PageSection]:
    item = load(site, session, title)
    if item is None or not site.policy.allows(actor, "read", title, page) or actor.is_anonymous:
        return []
    flow = settings.current_workflow(site, session)
    html = render_template(
        "tickets/panel.html", ticket=item, clocks=clocks(site, session, item, datetime.now(timezone.utc)),
        next_statuses=flow.allowed(item.status), priorities=PRIORITIES,
        categories=ticket_categories(site, session), departments=settings.departments(site, session),
        canned=conversation.canned_replies(site, session), is_staff=actor.is_staff,
        may_reply=site.policy.allows(actor, "edit", title, page),
        files=[(a, attachments.download_url(item.number, a)) for a in attachments.attachments(session, page.id)],
    )
    return [PageSection(html=html, order=5)]
