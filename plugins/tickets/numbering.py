"""Ticket numbers: 1001, 1002, ... without gaps or duplicates.

The counter row is bumped with ``UPDATE ... RETURNING`` inside the transaction that saves
the new ticket, so concurrent openers queue on the row lock, and a save that fails rolls
the number back with everything else.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plugins.tickets.models import TicketCounter

COUNTER = "ticket"
FIRST_NUMBER = 1001


def next_number(session: Session) -> int:
    """The next ticket number, reserved in the caller's transaction."""
    value = session.execute(
        update(TicketCounter).where(TicketCounter.name == COUNTER).values(value=TicketCounter.value + 1)
        .returning(TicketCounter.value).execution_options(synchronize_session=False)
    ).scalar()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.add(TicketCounter(name=COUNTER, value=FIRST_NUMBER))
            session.flush()
    except IntegrityError:  # a concurrent opener created the row first: queue on it
        return next_number(session)
    return FIRST_NUMBER
