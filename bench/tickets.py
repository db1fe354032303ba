"""Tickets benchmark: open N tickets through ``POST /api/v1/tickets`` with 8 concurrent clients,
then time the analysts' report page (``Project:Ticket reports``) at that size.

Prints tickets/s and p50/p95 latency of the API calls, then p50/p95 of the report page
rendered for an analyst, and writes ``bench/results/tickets.json``.  Not a test: run it by
hand, e.g.

    python bench/tickets.py                       # 10,000 tickets, SQLite in a temporary instance
    python bench/tickets.py --tickets 2000 --clients 8
    python bench/tickets.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

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
from wiki.accounts import create_api_key, create_user  # noqa: E402
from wiki.config import load_settings  # noqa: E402
from wiki.install import initialize  # noqa: E402
from wiki.site import create_site  # noqa: E402

PRIORITIES = ("P1", "P2", "P3", "P4")
CATEGORIES = ("Technical", "Feature request", "Question", "Payments", "Accounts")
DEPARTMENTS = ("Support", "Billing", "Operations")


def build(database_url: str, accounts: int) -> tuple[Path, str, str]:
    """A new instance with staff, an analyst and customer accounts; returns it and two API keys."""
    instance = Path(tempfile.mkdtemp(prefix="tw-bench-tickets-"))
    if database_url:
        (instance / "config.toml").write_text(f'database_url = "{database_url}"\n')
    site = create_site(load_settings(instance), load_entry_points=False)
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
    return {**summary_ms(latencies), "seconds": round(seconds, 2), "tickets_per_s": round(len(latencies) / seconds, 1),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--report-repeats", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    instance, monitor_key, analyst_key = build(args.database_url, args.accounts)
    figures: dict = {"tickets": args.tickets, "clients": args.clients,
                     "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite"}
    with ServedInstance(instance, threads=args.clients) as server:
        result = open_tickets(server.url, monitor_key, args.tickets, args.clients, args.accounts)
        figures["open"] = result
        print(f"opened {args.tickets} tickets with {args.clients} clients in {result['seconds']} s: "
              f"{result['tickets_per_s']} tickets/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
              f"errors {result['errors']}")
        report = render_report(server.url, analyst_key, args.report_repeats)
        figures["report_page"] = report
        print(f"report page at {args.tickets} tickets: p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms")
    path = write_results("tickets", figures)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
