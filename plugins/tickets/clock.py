"""The SLA clock's pause: while a ticket waits on the customer its clock stops, so when it
leaves "Waiting on customer" its open due times move on by the clock time it waited.

How long it waited comes from the ticket's status history (the fields engine's
``field_changes``), so the answer is the same however the status changed: the plugin's
forms and buttons, bulk actions, the API or a plain edit of the page text.  The plugin's own
changes move the due times in the same revision (``triage.status_effects``); any other save
that leaves waiting but keeps the due times as they were is followed by a revision of the
system that moves them (``after_save``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.tickets import settings
from plugins.tickets.sla import format_duration
from plugins.tickets.ticket import (TICKET_NS, call_params, find_ticket_call, format_moment, load, parse_moment,
                                    save_changes)
from plugins.tickets.workflow import canonical_status
from wiki.fields.models import FieldChange
from wiki.hooktypes import PageChange
from wiki.models import Revision
from wiki.permissions import SYSTEM

WAITING = "Waiting on customer"
#: Each due time, with the field that stops it (a met target is not moved).
DUE_FIELDS = (("Response due", "First response"), ("Resolution due", "Resolved"))


def waiting_since(session: Session, page_id: int) -> datetime | None:
    """When the ticket last went to "Waiting on customer", by its status history."""
    return session.scalar(
        select(Revision.timestamp).join(FieldChange, FieldChange.revision_id == Revision.id)
        .where(FieldChange.page_id == page_id, FieldChange.field == "Status",
               func.lower(FieldChange.new_value) == WAITING.lower())
        .order_by(Revision.id.desc()).limit(1)
    )


def resumed_due_times(site, session: Session, page_id: int, params: dict[str, str],
                      left_at: datetime) -> tuple[dict[str, str], timedelta]:
    """The due times of a waiting ticket (``params``, its call's values) moved on by the time it
    waited until ``left_at``, and that time; ``({}, 0)`` when nothing moves."""
    since = waiting_since(session, page_id)
    if since is None:
        return {}, timedelta(0)
    levels = settings.service_levels(site, session)
    priority = params.get("priority") or "P3"
    paused = levels.elapsed(priority, since, left_at)
    if paused <= timedelta(0):
        return {}, timedelta(0)
    values = {}
    for due_field, done_field in DUE_FIELDS:
        due = parse_moment(params.get(due_field.casefold(), ""))
        if due is not None and not params.get(done_field.casefold()):
            values[due_field] = format_moment(levels.add(priority, due, paused))
    return values, paused


def _status(params: dict[str, str]) -> str | None:
    return canonical_status(params.get("status") or "New")


def after_save(site, session: Session, change: PageChange) -> None:
    """Move the due times on after a save that took a ticket out of waiting but kept them as
    they were (a plain edit, the API), as a revision of the system in the same transaction."""
    if change.page.namespace != TICKET_NS or change.previous_text is None:
        return
    old = call_params(find_ticket_call(site, change.previous_text))
    new = call_params(find_ticket_call(site, change.revision.text))
    if "number" not in new or _status(old) != WAITING or _status(new) in (WAITING, None):
        return
    moved, paused = resumed_due_times(site, session, change.page.id, old, change.revision.timestamp)
    moved = {name: value for name, value in moved.items() if new.get(name.casefold()) == old.get(name.casefold())}
    if not moved:
        return
    item = load(site, session, site.titles.make(TICKET_NS, change.page.title))
    save_changes(site, session, SYSTEM, item, moved, now=change.revision.timestamp,
                 summary=f"SLA clock: due times moved on by {format_duration(paused)} waited on the customer")
