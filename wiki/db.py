"""Database engines and transactions.

SQLite runs in WAL mode with a busy timeout; its write transactions start with
``BEGIN IMMEDIATE`` so that two writers queue instead of failing when one upgrades a read
lock.  Reads use plain deferred transactions and never block writers.  The write lock is
taken by a write session's first statement, not by ``write()`` itself, so that slow work
(rendering a page) can run before it: ``has_begun`` tells whether that moment has passed.
SQLite's query planner gets its statistics from ``update_planner_statistics`` (the daily
``db.optimize`` job).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

_IMMEDIATE = "ticketwiki_immediate"
#: ``Session.info`` key: whether a write session has begun its transaction on the database.
_BEGUN = "ticketwiki_begun"

#: Rows that ANALYZE reads of each index (SQLite advises 100 to 1000), so that its write
#: lock stays short: the statistics become estimates, and a 1 GB database is analysed in
#: about 0.15 s instead of reading every index entry.
ANALYSIS_LIMIT = 1000


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        if make_url(url).database not in (None, "", ":memory:"):
            # Reuse connections (opening one and setting its pragmas costs more than a page
            # view's queries), but never make a thread wait for one: a writer waiting on
            # SQLite's lock already holds a connection, and readers must not queue behind it.
            kwargs.setdefault("pool_size", 16)
            kwargs.setdefault("max_overflow", 256)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_IMMEDIATE) else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


def _begun(session: Session, _transaction, _connection) -> None:
    session.info[_BEGUN] = True


class Database:
    """One engine and the two kinds of session the engine hands out."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(**{_IMMEDIATE: True}), expire_on_commit=False,
                                   info={_BEGUN: False})
        event.listen(self._write, "after_begin", _begun)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        with self._write() as session, session.begin():
            yield session

    @staticmethod
    def has_begun(session: Session) -> bool:
        """Whether ``session`` holds a transaction on the database or has changes waiting to be
        flushed: true for every session that does not come fresh from ``write()``."""
        return session.info.get(_BEGUN, True) or bool(session.new or session.dirty or session.deleted)

    def update_planner_statistics(self) -> bool:
        """Refresh SQLite's planner statistics (``sqlite_stat1``); returns whether it did.

        PostgreSQL needs nothing: autovacuum analyses its tables.  A bounded ``ANALYZE`` of
        every table rather than ``PRAGMA optimize``: before SQLite 3.46 that pragma analyses
        only tables the same connection's queries used, so from a job it does nothing.
        Connections load the statistics with the schema, and ``ANALYZE`` alone does not
        change the schema: dropping ``sqlite_stat1`` first makes every open connection
        read the new statistics at its next statement.
        """
        if self.engine.dialect.name != "sqlite":
            return False
        with self.write() as session:
            session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
            session.execute(text("ANALYZE"))
        return True

    def dispose(self) -> None:
        self.engine.dispose()
