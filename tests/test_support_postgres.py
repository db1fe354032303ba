"""tests.support.postgres: throwaway databases on a real PostgreSQL server."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from tests.support import postgres
from tests.support.postgres import pg_url  # noqa: F401 (fixture)


def test_url_conversions() -> None:
    assert postgres.to_conninfo("postgresql+psycopg://u@h:1/db?x=1") == "postgresql://u@h:1/db?x=1"
    assert postgres.to_conninfo("postgres://u@h/db") == "postgresql://u@h/db"
    assert postgres.to_sqlalchemy_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert postgres.to_sqlalchemy_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        postgres.to_conninfo("sqlite:///x.db")


def test_env_var_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(postgres.ENV_VAR, "postgresql://someone@127.0.0.1:1/elsewhere")
    assert postgres.postgres_admin_url() == "postgresql+psycopg://someone@127.0.0.1:1/elsewhere"


@pytest.mark.postgres
def test_create_use_and_drop_a_database() -> None:
    admin = postgres.require_postgres()
    url = postgres.create_database(admin)
    name = url.rsplit("/", 1)[1].split("?")[0]
    assert url.startswith("postgresql+psycopg://")
    assert name.startswith("tw_")
    try:
        # SQLAlchemy, as the app will use it
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE page (id serial PRIMARY KEY, title text)"))
            conn.execute(sa.text("INSERT INTO page (title) VALUES ('Main Page')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT title FROM page")).scalar_one() == "Main Page"
        # a connection still open when the database is dropped is terminated
        lingering = psycopg.connect(postgres.to_conninfo(url))
    finally:
        postgres.drop_database(url, admin)
    engine.dispose()
    with pytest.raises(psycopg.OperationalError):
        lingering.execute("SELECT 1")
    lingering.close()
    with psycopg.connect(postgres.to_conninfo(admin), autocommit=True) as conn:
        gone = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,))
        assert gone.fetchone() == (0,)
    postgres.drop_database(url, admin)  # already gone: no error


@pytest.mark.postgres
def test_fixture_gives_an_isolated_database(pg_url: str) -> None:
    with psycopg.connect(postgres.to_conninfo(pg_url)) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)


@pytest.mark.postgres
def test_refuses_to_drop_the_admin_database() -> None:
    admin = postgres.require_postgres()
    with pytest.raises(ValueError, match="refusing"):
        postgres.drop_database(admin, admin)
