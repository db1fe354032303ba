"""Tickets benchmark: open N tickets through ``POST /api/v1/tickets`` with 8 concurrent clients,
then time the analysts' report page (``Project:Ticket reports``) at that size.

Prints tickets/s and p50/p95 latency of the API calls, then p50/p95 of the report page
rendered for an analyst, and writes ``bench/results/tickets-<backend>.json``.  Not a test: run it by
hand, e.g.

    python bench/tickets.py                       # 10,000 tickets, SQLite in a temporary instance
    python bench/tickets.py --tickets 2000 --clients 8
    python bench/tickets.py --backend postgres --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test

With ``--backend postgres`` a fresh database (``tw_<random>``) is created on the server
of ``--postgres-url`` (any database there that the user may connect to) and dropped at the end.

The server is ``python -m wiki serve`` in its own process (as in production); every tenth
alert repeats an earlier ``external_id``, so de-duplication is part of what is measured.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ServedInstance, run_clients, summary_ms, write_results  # noqa: E402
from tests.support.postgres import temporary_database  # noqa: E402
from wiki.accounts import create_api_key, create_user  # noqa: E402
from wiki.config import load_settings  # noqa: E402
from wiki.install import initialize  # noqa: E402
from wiki.plugins import EntryPoints  # noqa: E402
from wiki.site import create_site  # noqa: E402

PRIORITIES = ("P1", "P2", "P3", "P4")
CATEGORIES = ("Technical", "Feature request", "Question", "Payments", "Accounts")
DEPARTMENTS = ("Support", "Billing", "Operations")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def build(database_url: str, accounts: int) -> tuple[Path, str, str]:
    """A new instance with staff, an analyst and customer accounts; returns it and two API keys."""
    instance = Path(tempfile.mkdtemp(prefix="tw-bench-tickets-"))
    config = f'database_url = "{database_url}"\n' if database_url else ""
    # one monitoring key opens tickets as fast as it can: lift the per-key API and edit limits,
    # which would otherwise answer 429 after 600 requests a minute
    config += '\n[plugins.security.rate_limits]\napi = "1000000/60"\nedits = "1000000/60"\n'
    (instance / "config.toml").write_text(config)
    site = create_site(load_settings(instance), entry_points=EntryPoints.SHIPPED)
    initialize(site)
    with site.db.write() as session:
        monitor = create_user(session, "Monitor", "staff", email="monitor@example.test")
        analyst = create_user(session, "Analyst", "analyst", email="analyst@example.test")
        for i in range(accounts):
            create_user(session, f"Customer {i}", "customer", email=f"c{i}@example.test", account=f"Account {i}")
        monitor_key = create_api_key(session, monitor, scope="write")[1]
        analyst_key = create_api_key(session, analyst, scope="read")[1]
    site.close()
    return instance, monitor_key, analyst_key


def open_tickets(url: str, key: str, tickets: int, clients: int, accounts: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(tickets))
    lock = threading.Lock()

    def client() -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {key}"
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            alert_id = f"alert-{i - 5 if i % 10 == 9 else i}"
            body = {"subject": f"Alert {i}: disk usage high", "description": f"Host {i % 97} reports {i % 100}% used.",
                    "priority": PRIORITIES[i % 4], "category": CATEGORIES[i % 5], "department": DEPARTMENTS[i % 3],
                    "account": f"Account {i % accounts}", "external_id": alert_id}
            started = time.perf_counter()
            response = http.post(url + "/api/v1/tickets", json=body, timeout=120)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status_code not in (200, 201):
                    errors.append(f"{response.status_code} {response.text[:200]}")

    seconds = run_clients([client] * clients)
    opened = len(latencies) - len(errors)  # answers other than 200/201 (such as 429) opened nothing
    return {**summary_ms(latencies), "seconds": round(seconds, 2), "tickets_per_s": round(opened / seconds, 1),
            "errors": len(errors), "first_errors": errors[:3]}


def render_report(url: str, key: str, repeats: int) -> dict:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {key}"
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = http.get(url + "/api/v1/pages/Project:Ticket_reports?render=1", timeout=300)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
    return summary_ms(samples)


def run(args: argparse.Namespace, database_url: str) -> dict:
    instance, monitor_key, analyst_key = build(database_url, args.accounts)
    figures: dict = {"tickets": args.tickets, "clients": args.clients, "database": args.backend}
    with ServedInstance(instance, threads=args.clients) as server:
        result = open_tickets(server.url, monitor_key, args.tickets, args.clients, args.accounts)
        figures["open"] = result
        print(f"{args.backend}: opened {args.tickets} tickets with {args.clients} clients in {result['seconds']} s: "
              f"{result['tickets_per_s']} tickets/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
              f"errors {result['errors']}", flush=True)
        report = render_report(server.url, analyst_key, args.report_repeats)
        figures["report_page"] = report
        print(f"report page at {args.tickets} tickets: p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms",
              flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--report-repeats", type=int, default=5)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite",
                        help="sqlite (a file in a temporary instance) or postgres (a fresh database)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help=f"with --backend postgres: a database URL on the server to use (default {DEFAULT_POSTGRES_URL})")
    args = parser.parse_args()
    if args.backend == "postgres":
        with temporary_database(args.postgres_url) as database_url:
            figures = run(args, database_url)
    else:
        figures = run(args, "")
    path = write_results(f"tickets-{args.backend}", figures)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
