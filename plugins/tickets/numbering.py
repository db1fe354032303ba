"""Ticket numbers: 1001, 1002, ... without gaps or duplicates.

Reserved through ``wiki.counters`` inside the transaction that saves the new ticket.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from plugins.tickets.models import TicketCounter
from wiki.counters import next_value

COUNTER = "ticket"
FIRST_NUMBER = 1001


def next_number(session: Session) -> int:
    """The next ticket number, reserved in the caller's transaction."""
    return next_value(session, TicketCounter, COUNTER, FIRST_NUMBER)
