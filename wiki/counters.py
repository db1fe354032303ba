"""Gap-free counters (form page numbers, ticket numbers), reserved inside the caller's transaction.

The counter row is bumped with ``UPDATE ... RETURNING``, so concurrent savers queue on its row
lock, and a save that fails rolls its number back with everything else.  A counter's table
needs ``name`` and ``value`` columns; each owner keeps its own table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def next_value(session: Session, model: Any, name: str, first: int = 1) -> int:
    """The next value of counter ``name`` in ``model``'s table (``first`` for a new counter)."""
    value = session.execute(
        update(model).where(model.name == name).values(value=model.value + 1)
        .returning(model.value).execution_options(synchronize_session=False)
    ).scalar()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.add(model(name=name, value=first))
            session.flush()
    except IntegrityError:  # a concurrent saver created the row first: queue on it
        return next_value(session, model, name, first)
    return first
