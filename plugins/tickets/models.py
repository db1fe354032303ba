"""The tickets plugin's own tables: the ticket number counter, the open alerts by external id,
and files attached to tickets.

Everything else about a ticket (its fields, conversation and history) lives in the page
text and the fields engine's derived tables; these rows are not derived from text: the
counter hands out gap-free numbers inside the save's transaction, the alert table lets a
repeated monitoring alert find its ticket under concurrency (one row per id), and an
attachment row ties stored bytes to the ticket whose readers may download them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wiki.models import Base, UTCDateTime


class TicketCounter(Base):
    """The last ticket number handed out (one row, ``name="ticket"``)."""

    __tablename__ = "ticket_counter"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class TicketAlert(Base):
    """The ticket a monitoring system's ``external_id`` currently points to."""

    __tablename__ = "ticket_alerts"

    external_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)


class TicketAttachment(Base):
    """A file attached to a ticket; its bytes are kept by SHA-256 under ``instance/uploads``."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    user_text: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
