"""Tables of collaborative editing: watchlist entries, page restrictions and archived revisions.

A deleted page keeps its revisions; ``ArchivedRevision`` marks each one hidden (with the
log entry of the deletion), so that a page later created again at the same title does not
show them and an undeletion knows exactly what to restore.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wiki.models import Base, UTCDateTime, utcnow


class Watch(Base):
    """A user watches a subject page (and with it its talk page), by title, even a missing one."""

    __tablename__ = "watchlist"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: The subject namespace (a talk page is watched through its subject page).
    namespace: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PageRestriction(Base):
    """Only ``role`` (``staff`` or ``admin``) may do ``action`` (``edit`` or ``move``) until ``expiry``."""

    __tablename__ = "page_restrictions"
    __table_args__ = (UniqueConstraint("page_id", "action", name="uq_page_restrictions_page_id_action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(20))
    #: ``None`` means the protection never expires.
    expiry: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ArchivedRevision(Base):
    """A revision hidden by a page deletion (``log_id``); the row goes when the page is restored."""

    __tablename__ = "archived_revisions"

    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("log.id"))
