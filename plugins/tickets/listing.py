"""Lists of tickets for queues, "My tickets" and "My requests", straight from the field tables.

Every list is filtered by ``site.policy.readable_filter`` in SQL, so a customer's list can
only ever hold their own account's tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets.ticket import TICKET_NS, number_of
from wiki.fields.models import FieldValue
from wiki.models import Page
from wiki.permissions import Actor

OPEN_STATUSES = ("New", "Open", "In progress", "Waiting on customer", "Testing")
SHOWN = ("Subject", "Status", "Priority", "Assignee", "Department", "Requester", "Account", "Resolution due",
         "Response due", "First response")


@dataclass
class TicketRow:
    number: int
    page_id: int
    values: dict[str, str] = field(default_factory=dict)
    dates: dict[str, datetime] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")


def _having(name: str, *values: str):
    return select(FieldValue.page_id).where(FieldValue.field == name, FieldValue.value_text.in_(values))


def list_tickets(site, session: Session, actor: Actor, *, statuses: tuple[str, ...] = OPEN_STATUSES,
                 assignee: str | None = None, unassigned: bool = False, department: str | None = None,
                 priority: str | None = None, account_id: int | None = None, limit: int = 500) -> list[TicketRow]:
    query = select(Page.id, Page.title).where(
        Page.namespace == TICKET_NS, Page.deleted.is_(False), site.policy.readable_filter(actor, Page),
        Page.id.in_(_having("Status", *statuses)))
    if assignee:
        query = query.where(Page.id.in_(_having("Assignee", assignee)))
    if unassigned:
        query = query.where(Page.id.not_in(select(FieldValue.page_id).where(FieldValue.field == "Assignee")))
    if department:
        query = query.where(Page.id.in_(_having("Department", department)))
    if priority:
        query = query.where(Page.id.in_(_having("Priority", priority)))
    if account_id is not None:
        query = query.where(Page.account_id == account_id)
    pages = session.execute(query.order_by(Page.id.desc()).limit(limit)).all()  # newest first
    numbers = {page_id: number_of(title) for page_id, title in pages}
    rows = {page_id: TicketRow(number, page_id) for page_id, number in numbers.items() if number is not None}
    ids = list(rows)
    for start in range(0, len(ids), 500):
        values = session.execute(
            select(FieldValue.page_id, FieldValue.field, FieldValue.value_text, FieldValue.value_date)
            .where(FieldValue.page_id.in_(ids[start:start + 500]), FieldValue.field.in_(SHOWN))
        )
        for page_id, name, text, moment in values:
            if moment is not None:
                rows[page_id].dates[name] = moment
                rows[page_id].values[name] = moment.strftime("%Y-%m-%d %H:%M")
            else:
                rows[page_id].values[name] = text or ""
    return list(rows.values())


def by_priority(rows: list[TicketRow]) -> list[TicketRow]:
    """Most urgent first (P1 before P4), then the oldest ticket first."""
    return sorted(rows, key=lambda r: (r["Priority"] or "P9", r.number))
