"""How SQLite runs grouped ``#ask`` queries in a database that never ran ``ANALYZE`` (a new
instance, until the daily ``db.optimize`` job first runs): a page's value of the grouped or summed field is looked up by (page, field) in an
index that holds the value.  With only a ``(field, value, page)`` index to read the value from,
SQLite's default estimates made it scan every value of the field once per page: 5 s instead
of 20 ms for a count grouped by status at 10,000 tickets."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.support.wiki import save
from wiki.fields.query import parse_query, run, split_query
from wiki.fields.testing import IssuesPlugin, install_issues, issue
from wiki.permissions import SYSTEM, Actor

#: Every site built here has the Issue: namespace that the issue template and form use.
pytestmark = pytest.mark.site_plugins(IssuesPlugin())

ANALYST = Actor(user_id=1, name="Analyst", role="analyst")
PAGE_LOOKUP = "USING COVERING INDEX ix_field_values_page_values (page_id=? AND field=?"


def grouped_statement_plan(site, text: str, actor: Actor) -> dict[str, str]:
    """Run ``text`` and explain its grouped statement: table alias -> how SQLite reads it."""
    statements: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(site.db.engine, "before_cursor_execute", capture)
    try:
        with site.db.read() as session:
            run(site, session, actor, parse_query(split_query(text), site.titles))
    finally:
        event.remove(site.db.engine, "before_cursor_execute", capture)
    statement, parameters = next(s for s in statements if "GROUP BY" in s[0])
    with site.db.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    plan = {}
    for row in rows:
        words = row[3].split()
        if words[0] in ("SEARCH", "SCAN"):
            plan[words[1]] = row[3]
    return plan


@pytest.fixture
def issues(site):
    install_issues(site, form=False)
    for n, (status, priority) in enumerate([("New", "P1"), ("Open", "P2"), ("Closed", "P1")], start=1):
        save(site, f"Issue:{n}", issue(f"Problem {n}", Status=status, Priority=priority, Hours=str(n),
                                         Due=f"2026-0{n}-01"))
    with site.db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").all() == []
    return site


@pytest.mark.parametrize("actor", [SYSTEM, ANALYST], ids=["admin", "analyst"])
@pytest.mark.parametrize("text", [
    "[[Issue:+]] [[Status::New||Open]] |aggregate=count |group=Priority",
    "[[Category:Issues]] |aggregate=count |group=Due |interval=month",
    "[[Issue:+]] |aggregate=sum(Hours) |group=Status",
])
def test_grouped_values_are_read_by_page(issues, text, actor):
    plan = grouped_statement_plan(issues, text, actor)
    assert PAGE_LOOKUP in plan["grouped"], plan
