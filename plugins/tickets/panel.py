"""The panel below a ticket page: service-level clocks, and the forms the viewer may use
(reply with canned replies, close or reopen; for staff also the fields, assignment and an
internal note for the talk page)."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import render_template
from sqlalchemy.orm import Session

from plugins.tickets import attachments, conversation, settings
from plugins.tickets.sla import format_duration
from plugins.tickets.ticket import PRIORITIES, Ticket, load, ticket_categories
from plugins.tickets.workflow import CLOSED_STATUSES
from wiki.hooktypes import PageSection
from wiki.permissions import Actor


def clocks(site, session: Session, item: Ticket, now: datetime) -> list[dict]:
    """Due time and time left of the first response and the resolution (paused while waiting)."""
    levels = settings.service_levels(site, session)
    shown = []
    for label, due_field, done_field in (("First response", "Response due", "First response"),
                                         ("Resolution", "Resolution due", "Resolved")):
        due = item.moment(due_field)
        if due is None:
            continue
        done = item.moment(done_field)
        if done is not None:
            state = "met" if done <= due else "missed"
            left = f"{state} ({done:%Y-%m-%d %H:%M} UTC)"
        elif item.status == "Waiting on customer":
            left = "paused while waiting on the customer"
        else:
            remaining = levels.remaining(item.priority, now, due)
            left = f"{format_duration(remaining)} left" if remaining.total_seconds() >= 0 else \
                f"overdue by {format_duration(-remaining)}"
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
