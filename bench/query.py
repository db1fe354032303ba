"""Query benchmark: N ticket pages with fields, then two ``#ask`` queries timed as an analyst.

The pages stand in the Ticket namespace and call ``{{Issue}}`` (``wiki.fields.testing``), whose
fields are those of a ticket; the tickets plugin's own rules play no part in a query.

1. two field conditions and a category, sorted by a field, limit 50:
   ``[[Category:Dept 3 tickets]] [[Status::Open]] [[Priority::P1]] |?Hours |?Due |sort=Due |order=desc``
2. a count grouped by category: ``[[Ticket:+]] |aggregate=count |group=Category``

Prints p50/p95 and writes ``bench/results/query.json`` (one entry per database kind).  Not a test: run it by hand, e.g.

    python bench/query.py                 # 100,000 pages, SQLite in a temporary instance
    python bench/query.py --pages 20000 --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The template and its declaration are saved through ``save_page``; the N pages are then
bulk-inserted with SQLAlchemy Core (pages, revisions, category and template links, field
values and per-revision snapshots, the same rows a save derives) because saving 100,000
pages one by one would measure saving, not querying.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, summary_ms, write_results  # noqa: E402
from wiki.config import load_settings  # noqa: E402
from wiki.fields.models import FieldRevision, FieldValue  # noqa: E402
from wiki.fields.query import parse_query, run, split_query  # noqa: E402
from wiki.fields.testing import install_issues, issue  # noqa: E402
from wiki.install import upgrade_database  # noqa: E402
from wiki.models import CategoryLink, Page, Revision, TemplateLink  # noqa: E402
from wiki.pages import sha1  # noqa: E402
from wiki.permissions import Actor  # noqa: E402
from wiki.plugins import EntryPoints  # noqa: E402
from wiki.site import create_site  # noqa: E402

TICKET_NS = 3000
STATUSES = ("New", "Open", "In progress", "Resolved", "Closed")
PRIORITIES = ("P1", "P2", "P3", "P4")
DEPARTMENTS = 10
QUERIES = {
    "filter_two_fields_and_category_sorted_limit_50":
        "[[Category:Dept 3 tickets]] [[Status::Open]] [[Priority::P1]] |?Hours |?Due |sort=Due |order=desc |limit=50",
    "count_grouped_by_category": "[[Ticket:+]] |aggregate=count |group=Category",
}
ANALYST = Actor(user_id=1, name="Analyst", role="analyst")


def fill(site, pages: int, seed: int = 7, chunk: int = 5000) -> float:
    """Bulk-insert ``pages`` tickets; returns the seconds it took."""
    rng = random.Random(seed)
    start = time.perf_counter()
    now = datetime.now(timezone.utc)
    with site.db.write() as session:
        first_page = (session.scalar(select(Page.id).order_by(Page.id.desc()).limit(1)) or 0) + 1
        first_revision = (session.scalar(select(Revision.id).order_by(Revision.id.desc()).limit(1)) or 0) + 1
    for base in range(0, pages, chunk):
        page_rows, revision_rows, category_rows, template_rows, value_rows, snapshot_rows = [], [], [], [], [], []
        for n in range(base, min(base + chunk, pages)):
            page_id, revision_id = first_page + n, first_revision + n
            status, priority = rng.choice(STATUSES), rng.choice(PRIORITIES)
            hours = round(rng.uniform(0.25, 40), 2)
            created = now - timedelta(minutes=pages - n)
            due = (created + timedelta(days=rng.randint(1, 60))).replace(hour=0, minute=0, second=0, microsecond=0)
            dept = f"Dept {n % DEPARTMENTS} tickets"
            wikitext = issue(f"Problem {n}", Status=status, Priority=priority, Hours=str(hours),
                              Due=due.date().isoformat()) + f"\n[[Category:{dept}]]"
            page_rows.append({"id": page_id, "namespace": TICKET_NS, "title": str(n + 1), "latest_id": None,
                              "is_redirect": False, "length": len(wikitext), "account_id": None, "language": None,
                              "deleted": False, "created_at": created, "touched": created})
            revision_rows.append({"id": revision_id, "page_id": page_id, "parent_id": None, "user_id": None,
                                  "user_text": "Bench", "timestamp": created, "summary": "", "minor": False,
                                  "text": wikitext, "sha1": sha1(wikitext), "size": len(wikitext)})
            for category in ("Tickets", dept):
                category_rows.append({"from_id": page_id, "category": category, "sortkey": str(n + 1), "kind": "page"})
            template_rows.append({"from_id": page_id, "namespace": 10, "title": "Issue"})
            values = {"Subject": ("text", f"Problem {n}"), "Status": ("text", status), "Priority": ("text", priority),
                      "Hours": ("number", hours), "Due": ("date", due)}
            for name, (column, value) in values.items():
                row = {"page_id": page_id, "template": "Issue", "field": name, "position": 0, "value_text": None,
                       "value_long": None, "value_number": None, "value_date": None, "value_bool": None}
                row[f"value_{column}"] = value
                value_rows.append(row)
            snapshot_rows.append({"revision_id": revision_id, "page_id": page_id, "values": {
                "Subject": f"Problem {n}", "Status": status, "Priority": priority, "Hours": str(hours),
                "Due": due.date().isoformat()}})
        with site.db.write() as session:
            session.execute(insert(Page), page_rows)
            session.execute(insert(Revision), revision_rows)
            session.execute(update(Page).where(Page.id >= page_rows[0]["id"], Page.id <= page_rows[-1]["id"])
                            .values(latest_id=Page.id - first_page + first_revision))
            for model, rows in ((CategoryLink, category_rows), (TemplateLink, template_rows),
                                (FieldValue, value_rows), (FieldRevision, snapshot_rows)):
                session.execute(insert(model), rows)
        print(f"  {min(base + chunk, pages):,} pages", end="\r", flush=True)
    site.db.update_planner_statistics()  # what the daily db.optimize job does on SQLite
    return time.perf_counter() - start


def time_query(site, query_text: str, repeat: int) -> tuple[dict, int]:
    samples, size = [], 0
    for i in range(repeat + 3):
        started = time.perf_counter()
        with site.db.read() as session:
            result = run(site, session, ANALYST, parse_query(split_query(query_text), site.titles))
        if i >= 3:  # the first runs warm the caches
            samples.append(time.perf_counter() - started)
        size = len(result.rows) if result.groups is None else len(result.groups)
    return summary_ms(samples), size


def previous_figures() -> dict:
    """Figures of the other database kinds from an earlier run, kept beside this run's."""
    path = RESULTS / "query.json"
    try:
        return {k: v for k, v in json.loads(path.read_text()).items() if isinstance(v, dict) and "queries" in v}
    except (OSError, ValueError):
        return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary instance folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        overrides = {"instance_path": folder, "secret_key": "bench"}
        if args.database_url:
            overrides["database_url"] = args.database_url
        site = create_site(load_settings(overrides=overrides), entry_points=EntryPoints.SHIPPED)
        upgrade_database(site)
        install_issues(site, form=False)
        print(f"Inserting {args.pages:,} ticket pages with fields ({site.db.engine.dialect.name}) ...")
        seconds = fill(site, args.pages)
        print(f"Inserted in {seconds:.1f} s" + " " * 20)
        figures = {"pages": args.pages, "database": site.db.engine.dialect.name, "insert_seconds": round(seconds, 1),
                   "actor": "analyst", "queries": {}}
        for name, query_text in QUERIES.items():
            summary, size = time_query(site, query_text, args.repeat)
            figures["queries"][name] = {"query": query_text, "result_rows": size, **summary}
            print(f"{name}: p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms ({size} rows)")
        site.close()
    path = write_results("query", {**previous_figures(), figures["database"]: figures})
    print(f"Figures written to {path}")


if __name__ == "__main__":
    main()
