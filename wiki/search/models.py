"""The search outbox: pages whose index entry must be refreshed.

A row is written in the same transaction as the change that makes the index stale (a save,
move, deletion, undeletion or change of who may read the page), so the database remembers
the work even when the process dies before the index is updated.  The indexer applies rows
after the commit and deletes them; whatever is left is applied at the next start.  A row
names only the page: applying it reads the page's current state, so rows may be applied
twice or out of order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wiki.models import Base, UTCDateTime, utcnow


class SearchQueueItem(Base):
    __tablename__ = "search_queue"
    __table_args__ = (Index("ix_search_queue_page_id", "page_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: No foreign key: pages are never destroyed, and a row must never block a page change.
    page_id: Mapped[int] = mapped_column(Integer)
    #: What changed (``saved``, ``deleted``, ``moved`` ...), for the log and for ``search check``.
    reason: Mapped[str] = mapped_column(String(20))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
