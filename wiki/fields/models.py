"""The field tables: declarations, typed current values, per-revision values and changes, forms, counters.

Everything here except ``field_counters`` is derived from page text and rebuilt by
``ticketwiki fields rebuild``.  ``field_values`` holds one row per (page, field, list
position) with the value in the column of its type, indexed as ``(field, value, page)`` so
that a query condition is an index range scan that yields page ids, and as ``(page, field,
position, values)`` so that a page's value of a field (a group key, a sort key, a summed
number) is read from the index alone.  That covering index also keeps SQLite's planner,
which has no statistics until ``ANALYZE``, from answering such a lookup with a scan of
every value of the field in a ``(field, value, page)`` index (seconds at 10,000 pages).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wiki.models import Base, UTCDateTime


class FieldDeclaration(Base):
    """A field declared by ``#declare`` on a template page."""

    __tablename__ = "field_declarations"
    __table_args__ = (Index("ix_field_declarations_name", "name"),)

    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    spec: Mapped[str] = mapped_column(String(1000))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    default_value: Mapped[str | None] = mapped_column(String(1000))


class FieldValue(Base):
    """One value of a field on a page's current revision (lists give one row per item)."""

    __tablename__ = "field_values"
    __table_args__ = (
        Index("ix_field_values_page_values", "page_id", "field", "position", "value_text", "value_number",
              "value_date", "value_bool"),
        Index("ix_field_values_text", "field", "value_text", "page_id"),
        Index("ix_field_values_number", "field", "value_number", "page_id"),
        Index("ix_field_values_date", "field", "value_date", "page_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    template: Mapped[str] = mapped_column(String(255))
    field: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)
    value_text: Mapped[str | None] = mapped_column(String(255))
    value_long: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[float | None] = mapped_column(Float)
    value_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    value_bool: Mapped[bool | None] = mapped_column(Boolean)


class FieldRevision(Base):
    """The field values of one revision, as written (field -> list of normalised strings)."""

    __tablename__ = "field_revisions"

    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True)
    page_id: Mapped[int] = mapped_column(Integer, index=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)


class FieldChange(Base):
    """A field that changed in a revision: old -> new (``None`` when absent on that side)."""

    __tablename__ = "field_changes"
    __table_args__ = (Index("ix_field_changes_field_page", "field", "page_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(255))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class FieldForm(Base):
    """Which template a ``Form:`` page edits, so "Edit with form" finds the form of a page."""

    __tablename__ = "field_forms"

    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True)
    template: Mapped[str] = mapped_column(String(255), index=True)


class FieldCounter(Base):
    """Gap-free counters for form title patterns (``Ticket:{counter}``); not derived."""

    __tablename__ = "field_counters"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class FieldFile(Base):
    """A file uploaded through a form: the ``File:`` page it belongs to and where its bytes are kept.

    Kept apart from the page text so that editing the page cannot point it at other bytes.
    """

    __tablename__ = "field_files"

    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
