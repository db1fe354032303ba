"""Ticket numbers: 1001, 1002, ... without gaps or duplicates.

Reserved through ``wiki.counters`` inside the transaction that saves the new ticket.  A number
whose title already has a page (one left from before only the ticket service could create
tickets, or a deleted ticket after the counter was restored from an old backup) is passed
over, so a new ticket never lands on someone else's page.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets.models import TicketCounter
from plugins.tickets.ticket import TICKET_NS
from wiki.counters import next_value
from wiki.models import Page

COUNTER = "ticket"
FIRST_NUMBER = 1001


def last_number(session: Session) -> int | None:
    """The last number handed out (``None`` before the first ticket)."""
    return session.scalar(select(TicketCounter.value).where(TicketCounter.name == COUNTER))


def next_number(session: Session) -> int:
    """The next ticket number whose title has no page, reserved in the caller's transaction
    (deleted pages count as taken: their history and account stay with their title)."""
    while True:
        number = next_value(session, TicketCounter, COUNTER, FIRST_NUMBER)
        taken = session.scalar(select(Page.id).where(Page.namespace == TICKET_NS, Page.title == str(number)))
        if taken is None:
            return number
