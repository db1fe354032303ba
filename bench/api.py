"""API read benchmark: what the ``api`` rate limit costs page reads.

``GET /api/v1/pages/<title>`` with 8 concurrent clients against ``python -m wiki serve``
(SQLite in a temporary instance), in three runs: signed in with an API key, anonymous (the
limit then counts the client address), and with an API key while one more client saves a
page through ``PUT /api/v1/pages`` without pause (reads then compete with saves for
SQLite's single write lock).  Prints requests/s and p50/p95 latency of each run and writes
``bench/results/api.json``.  Not a test: run it by hand, e.g.

    python bench/api.py
    python bench/api.py --requests 500 --clients 8

The ``api`` rule is set so high (``--limit``) that nothing is refused: what is measured is
the cost of counting the hits, the limit itself is unchanged.
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
from wiki.accounts import actor_for, create_api_key, create_user  # noqa: E402
from wiki.config import load_settings  # noqa: E402
from wiki.install import initialize  # noqa: E402
from wiki.pages import save_page  # noqa: E402
from wiki.plugins import EntryPoints  # noqa: E402
from wiki.site import create_site  # noqa: E402

PAGES = 20


def build(limit: str) -> tuple[Path, str, str]:
    """A new instance with a few pages; returns it, a read key and a write key."""
    instance = Path(tempfile.mkdtemp(prefix="tw-bench-api-"))
    (instance / "config.toml").write_text(f'[plugins.security.rate_limits]\napi = "{limit}"\nedits = "{limit}"\n')
    site = create_site(load_settings(instance), entry_points=EntryPoints.SHIPPED)
    initialize(site)
    with site.db.write() as session:
        reader = create_user(session, "Reader", "staff", email="reader@example.test")
        writer = create_user(session, "Writer", "staff", email="writer@example.test")
        read_key = create_api_key(session, reader, scope="read")[1]
        write_key = create_api_key(session, writer, scope="write")[1]
        for i in range(PAGES):
            save_page(site, session, site.titles.parse(f"Bench page {i}"), f"Page {i}\n\n" + "Some text. " * 200,
                      actor_for(writer))
    site.close()
    return instance, read_key, write_key


def read_pages(url: str, key: str | None, clients: int, per_client: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        http = requests.Session()
        if key:
            http.headers["Authorization"] = f"Bearer {key}"
        for i in range(per_client):
            started = time.perf_counter()
            response = http.get(f"{url}/api/v1/pages/Bench_page_{(offset + i) % PAGES}", timeout=120)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:200]}")

    seconds = run_clients([lambda n=n: client(n) for n in range(clients)])
    return {**summary_ms(latencies), "seconds": round(seconds, 2), "requests_per_s": round(len(latencies) / seconds, 1),
            "errors": len(errors), "first_errors": errors[:3]}


class BusyWriter:
    """One client saving a page through the API without pause until stopped."""

    def __init__(self, url: str, key: str):
        self.url, self.key = url, key
        self.saves = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop)

    def _loop(self) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {self.key}"
        while not self._stop.is_set():
            response = http.put(f"{self.url}/api/v1/pages/Bench_busy", json={"text": f"Save {self.saves}"}, timeout=120)
            response.raise_for_status()
            self.saves += 1

    def __enter__(self) -> "BusyWriter":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def report(name: str, result: dict) -> None:
    print(f"{name}: {result['requests_per_s']} requests/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
          f"errors {result['errors']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400, help="requests per client and run")
    parser.add_argument("--limit", default="100000000/60", help="the api rule during the benchmark")
    parser.add_argument("--output", default="api", help="name of the JSON file in bench/results")
    args = parser.parse_args()
    instance, read_key, write_key = build(args.limit)
    figures: dict = {"clients": args.clients, "requests_per_client": args.requests, "api_rule": args.limit}
    with ServedInstance(instance, threads=args.clients + 1) as server:
        read_pages(server.url, read_key, args.clients, 20)  # warm the render and connection pools
        figures["key"] = read_pages(server.url, read_key, args.clients, args.requests)
        report("GET with an API key", figures["key"])
        figures["anonymous"] = read_pages(server.url, None, args.clients, args.requests)
        report("GET anonymous", figures["anonymous"])
        with BusyWriter(server.url, write_key) as writer:
            figures["key_during_saves"] = read_pages(server.url, read_key, args.clients, args.requests)
        figures["key_during_saves"]["saves"] = writer.saves
        report(f"GET with an API key during saves ({writer.saves} saves)", figures["key_during_saves"])
    print(f"wrote {write_results(args.output, figures)}")


if __name__ == "__main__":
    main()
