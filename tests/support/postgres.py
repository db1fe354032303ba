"""Throwaway PostgreSQL databases for tests.

The server comes from ``TICKETWIKI_TEST_POSTGRES_URL`` (an SQLAlchemy URL such
as ``postgresql+psycopg://postgres@127.0.0.1:5432/test``; ``scripts/test`` always
sets it), else from a probe of ``127.0.0.1:5432``, database ``test``, user
``postgres``. Every test database is created fresh (``tw_<random>``) and dropped
afterwards, so tests can run in parallel (pytest-xdist) against one server.

Uses psycopg 3 in autocommit mode; no application code.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from . import skip_or_fail

__all__ = [
    "ENV_VAR",
    "DEFAULT_URL",
    "postgres_admin_url",
    "require_postgres",
    "create_database",
    "drop_database",
    "temporary_database",
    "to_conninfo",
    "to_sqlalchemy_url",
    "pg_url",
]

ENV_VAR = "TICKETWIKI_TEST_POSTGRES_URL"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATABASE_PREFIX = "tw_"
CONNECT_TIMEOUT = 3

_SCHEME = re.compile(r"^postgres(?:ql)?(?:\+[A-Za-z0-9_]+)?://")
_probe_cache: dict[str, bool] = {}


def to_conninfo(url: str) -> str:
    """An SQLAlchemy URL (``postgresql+psycopg://...``) as a libpq URI."""
    if not _SCHEME.match(url):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return _SCHEME.sub("postgresql://", url, count=1)


def to_sqlalchemy_url(url: str) -> str:
    """Any PostgreSQL URL as an SQLAlchemy URL using the psycopg 3 driver."""
    if not _SCHEME.match(url):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return _SCHEME.sub("postgresql+psycopg://", url, count=1)


def _with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


def database_name(url: str) -> str:
    return _database_of(url)


def _database_of(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise ValueError(f"URL names no database: {url!r}")
    return name


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(to_conninfo(url), autocommit=True, connect_timeout=CONNECT_TIMEOUT)


def _answers(url: str) -> bool:
    if url not in _probe_cache:
        try:
            _connect(url).close()
        except psycopg.Error:
            _probe_cache[url] = False
        else:
            _probe_cache[url] = True
    return _probe_cache[url]


def postgres_admin_url() -> str | None:
    """The SQLAlchemy URL of the server for tests, or None when there is none.

    ``TICKETWIKI_TEST_POSTGRES_URL`` when set (returned as given, not probed),
    else ``DEFAULT_URL`` when a server answers there.
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return to_sqlalchemy_url(env)
    return DEFAULT_URL if _answers(DEFAULT_URL) else None


def require_postgres() -> str:
    """The admin URL, or skip the test (fail it under CI) when there is none."""
    url = postgres_admin_url()
    if url is None:
        skip_or_fail(
            f"PostgreSQL not available: {ENV_VAR} is unset and nothing answers at "
            f"{DEFAULT_URL} (run the tests with `bash scripts/test`)"
        )
    return url  # type: ignore[return-value]


def create_database(admin_url: str | None = None, template: str = "template0") -> str:
    """Create a database ``tw_<random>`` (a copy of ``template``) and return its SQLAlchemy URL.

    A ``template`` other than template0 must have no open connections while it is copied.
    """
    admin_url = admin_url or postgres_admin_url()
    if admin_url is None:
        raise RuntimeError(f"no PostgreSQL server: set {ENV_VAR}")
    name = DATABASE_PREFIX + secrets.token_hex(6)
    with _connect(admin_url) as conn:
        # template0: nobody is ever connected to it, so parallel creates never
        # trip over "source database is being accessed by other users".
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} ENCODING 'UTF8'").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    return to_sqlalchemy_url(_with_database(admin_url, name))


def drop_database(url: str, admin_url: str | None = None) -> None:
    """Drop the database that ``url`` names, closing its connections first.

    Does nothing if it is already gone. Refuses to drop the admin database.
    """
    name = _database_of(url)
    admin_url = admin_url or postgres_admin_url()
    if admin_url is None:
        raise RuntimeError(f"no PostgreSQL server: set {ENV_VAR}")
    if name == _database_of(admin_url):
        raise ValueError(f"refusing to drop the admin database {name!r}")
    with _connect(admin_url) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        force = sql.SQL(" WITH (FORCE)") if conn.info.server_version >= 130000 else sql.SQL("")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)) + force)


@contextlib.contextmanager
def temporary_database(admin_url: str | None = None) -> Iterator[str]:
    """``with temporary_database() as url:`` a fresh database, dropped after."""
    url = create_database(admin_url)
    try:
        yield url
    finally:
        drop_database(url, admin_url)


try:
    import pytest
except ImportError:  # pragma: no cover - helpers stay usable without pytest
    pass
else:

    @pytest.fixture
    def pg_url() -> Iterator[str]:
        """SQLAlchemy URL of a fresh, empty PostgreSQL database (dropped after).

        Skips when no server is available, fails under CI=true.
        """
        admin = require_postgres()
        with temporary_database(admin) as url:
            yield url
