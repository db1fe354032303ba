"""The ``db.optimize`` job: SQLite's planner statistics, on a real database file (and a no-op on
PostgreSQL, whose autovacuum analyses)."""

from __future__ import annotations

import logging
import sqlite3

from click.testing import CliRunner
from sqlalchemy import event

from tests.support.wiki import save
from wiki.builtins.db_upkeep import DAY
from wiki.cli import main
from wiki.jobs import registered_jobs, run_jobs


def statistics(site) -> dict[tuple[str, str | None], str]:
    """``sqlite_stat1`` as {(table, index): stat}; empty when the database was never analysed."""
    with site.db.engine.connect() as conn:
        if not conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").all():
            return {}
        return {(tbl, idx): stat for tbl, idx, stat in conn.exec_driver_sql("SELECT * FROM sqlite_stat1")}


def optimize(site) -> None:
    """Run the job through the job runner, as ``ticketwiki jobs run --force db.optimize`` does."""
    [outcome] = run_jobs(site, ["db.optimize"], force=True)
    assert outcome.ran and outcome.error is None, outcome.error


def test_db_optimize_is_a_daily_core_job(site):
    job = registered_jobs(site)["db.optimize"]
    assert job.every_seconds == DAY


def test_the_job_gives_the_planner_statistics_of_our_tables(site):
    for n in range(5):
        save(site, f"Page {n}", f"Text {n} [[Page {n + 1}]] [[Category:Upkeep]]")
    assert statistics(site) == {}
    optimize(site)
    stats = statistics(site)
    with site.db.engine.connect() as conn:
        pages = conn.exec_driver_sql("SELECT count(*) FROM pages").scalar()
    assert stats[("pages", "ix_pages_account_id")].split()[0] == str(pages)
    assert {"pages", "revisions", "categorylinks", "pagelinks"} <= {table for table, _ in stats}

    save(site, "Page 5", "One more")
    optimize(site)
    assert statistics(site)[("pages", "ix_pages_account_id")].split()[0] == str(pages + 1)


PROBE = "SELECT * FROM probe WHERE a = 1 AND b = 1"


def test_a_connection_held_open_plans_with_the_refreshed_statistics(site):
    """ANALYZE alone would leave an open connection planning with what it loaded before."""
    with site.db.write() as session:
        conn = session.connection()
        conn.exec_driver_sql("CREATE TABLE probe (a INTEGER, b INTEGER)")
        conn.exec_driver_sql("CREATE INDEX probe_a ON probe (a)")
        conn.exec_driver_sql("CREATE INDEX probe_b ON probe (b)")
        conn.exec_driver_sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
                             "INSERT INTO probe SELECT 0, i FROM n")
    optimize(site)

    def plan(conn, run: int) -> str:
        """How ``conn`` plans the query once it ran it.  EXPLAIN alone does not notice a changed
        schema, and a new text for each run keeps Python's statement cache from answering."""
        conn.exec_driver_sql(PROBE).all()
        detail = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {PROBE} -- run {run}").all()[0][3]
        conn.rollback()
        return detail

    with site.db.engine.connect() as held:
        assert "INDEX probe_b" in plan(held, 1)
        with site.db.write() as session:
            session.connection().exec_driver_sql("UPDATE probe SET a = b, b = 0")
        optimize(site)
        assert "INDEX probe_a" in plan(held, 2)


def test_a_busy_database_is_logged_and_left_for_the_next_run(site, caplog):
    site.db.engine.dispose()
    event.listen(site.db.engine, "connect", lambda dbapi_conn, _record: dbapi_conn.execute("PRAGMA busy_timeout=50"))
    writer = sqlite3.connect(site.db.engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.WARNING, logger="wiki.builtins.db_upkeep"):
            registered_jobs(site)["db.optimize"].run(site)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert "database is busy" in caplog.text and "database is locked" in caplog.text
    assert statistics(site) == {}
    optimize(site)
    assert statistics(site)


def test_the_job_runs_on_both_backends(any_site):
    save(any_site, "Page", "Text")
    optimize(any_site)
    optimize(any_site)
    assert any_site.db.update_planner_statistics() is (any_site.db.engine.dialect.name == "sqlite")


def test_jobs_run_runs_it_on_demand(site):
    result = CliRunner().invoke(main, ["--instance", str(site.settings.instance_path), "jobs", "run", "--force",
                                       "db.optimize"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "db.optimize: done"
    assert statistics(site)
