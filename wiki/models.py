"""The engine's tables, as SQLAlchemy 2 typed models.

Pages change only by appending revisions; everything else about a page (link tables,
category membership, render cache) is derived from its current revision and can be
rebuilt.  Plugins keep their tables in their own ``models.py`` on the same ``Base``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores UTC without a zone (SQLite has none) and always hands back aware datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=timezone.utc) if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Account(Base):
    """A customer account (a person or a business) that pages and users can belong to."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="individual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    language: Mapped[str | None] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account | None] = relationship()


class ApiKey(Base):
    """An API key: only a hash of the secret is kept; ``prefix`` finds the row."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Page(Base):
    """A page: its identity and a pointer to its current revision."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("namespace", "title", name="uq_pages_namespace_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    latest_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, name="fk_pages_latest_id_revisions")
    )
    is_redirect: Mapped[bool] = mapped_column(Boolean, default=False)
    length: Mapped[int] = mapped_column(Integer, default=0)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When anything this page's rendering depends on last changed (templates, link targets).
    touched: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    latest: Mapped["Revision | None"] = relationship(foreign_keys=[latest_id], post_update=True)


class Revision(Base):
    """One immutable version of a page's text."""

    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_page_id_id", "page_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    parent_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    user_text: Mapped[str] = mapped_column(String(255))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    sha1: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)

    page: Mapped[Page] = relationship(foreign_keys=[page_id])


class PageLink(Base):
    __tablename__ = "pagelinks"
    __table_args__ = (Index("ix_pagelinks_target", "namespace", "title"),)

    from_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True)
    namespace: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255), primary_key=True)


class TemplateLink(Base):
    """Every page a page transcludes, directly or through other templates."""

    __tablename__ = "templatelinks"
    __table_args__ = (Index("ix_templatelinks_target", "namespace", "title"),)

    from_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True)
    namespace: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255), primary_key=True)


class CategoryLink(Base):
    """Category membership; ``kind`` is ``page``, ``subcat`` or ``file`` (as MediaWiki's cl_type)."""

    __tablename__ = "categorylinks"
    __table_args__ = (Index("ix_categorylinks_listing", "category", "kind", "sortkey"),)

    from_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(255), primary_key=True)
    sortkey: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))


class RedirectLink(Base):
    __tablename__ = "redirects"

    from_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True)
    namespace: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    fragment: Mapped[str] = mapped_column(String(255), default="")


class RenderCache(Base):
    """Rendered HTML of a revision; fresh while ``rendered_at`` >= the page's ``touched``."""

    __tablename__ = "render_cache"

    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), primary_key=True)
    html: Mapped[str] = mapped_column(Text)
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LogEntry(Base):
    """An append-only record of an action that is not a revision (move, delete, protect, rights)."""

    __tablename__ = "log"
    __table_args__ = (Index("ix_log_type_timestamp", "type", "timestamp"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_text: Mapped[str] = mapped_column(String(255))
    namespace: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    page_id: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)


class OutgoingMail(Base):
    """The mail outbox: every message is stored here first and sent by ``wiki.mail.send_pending``,
    so a failing mail server loses nothing."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), default="general")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobRun(Base):
    """When each scheduled job last ran; ``lease_until`` keeps two runners from running it at once."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(Integer, default=0)


class PluginState(Base):
    """An admin's switch of an entry-point plugin (Special:Plugins); a plugin without a row is on.

    Every process of the site reads this table (``wiki.plugin_switches``), so a switch reaches
    all of them without a restart.  ``[plugins] disabled`` in config.toml wins over it.
    """

    __tablename__ = "plugin_states"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
