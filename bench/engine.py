"""Engine benchmark: save N pages (~2 KB, with templates and categories), then view them over
HTTP with concurrent clients.  Prints pages saved/s, page view p50/p95 and views/s, and writes
``bench/results/engine.json``.  Not a test: run it by hand, e.g.

    python bench/engine.py                 # 10,000 pages, SQLite in a temporary instance
    python bench/engine.py --pages 1000 --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ServedInstance, summary_ms, write_results  # noqa: E402
from wiki.config import load_settings  # noqa: E402
from wiki.install import initialize  # noqa: E402
from wiki.pages import save_page  # noqa: E402
from wiki.permissions import SYSTEM  # noqa: E402
from wiki.site import create_site  # noqa: E402

WORDS = ("ticket customer invoice balance router outage refund upgrade fibre modem billing queue agent "
         "escalation priority contract service usage bundle roaming voicemail porting credit").split()
TEMPLATES = {
    "Template:Infobox ticket": "| Field | Value |\n|---|---|\n| Status | {{{status|New}}} |\n"
                               "| Priority | {{{priority|P3}}} |\n| Owner | [[User:{{{owner|Nobody}}}]] |\n"
                               "[[Category:{{{status|New}}} tickets]]",
    "Template:Nav": "[[Main Page]] · [[Help:Contents]] · {{#if:{{{topic|}}}|[[{{{topic}}}]]|no topic}}",
}


def page_text(rng: random.Random, n: int) -> str:
    status = rng.choice(["Open", "Resolved", "Waiting"])
    parts = [f"{{{{Infobox ticket|status={status}|priority=P{rng.randint(1, 4)}|owner=Agent{n % 50}}}}}",
             f"{{{{Nav|topic=Page {rng.randrange(max(n, 1))}}}}}"]
    for section in range(4):
        parts.append(f"\n## Section {section}\n")
        words = [rng.choice(WORDS) for _ in range(55)]
        parts.append(" ".join(words) + f" See [[Page {rng.randrange(10_000)}]].")
    parts.append(f"\n[[Category:Area {n % 20}]] [[Category:Benchmark|{n:06d}]]")
    return "\n".join(parts)


def save_pages(site, count: int, rng: random.Random) -> tuple[float, int]:
    started = time.perf_counter()
    total_bytes = 0
    for n in range(count):
        text = page_text(rng, n)
        total_bytes += len(text.encode())
        with site.db.write() as session:
            save_page(site, session, site.titles.parse(f"Page {n}"), text, SYSTEM, summary="benchmark")
    return time.perf_counter() - started, total_bytes


def view_pages(base: str, count: int, clients: int, requests_per_client: int, rng: random.Random) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(seed: int) -> None:
        nonlocal errors
        local_rng = random.Random(seed)
        session = requests.Session()
        mine = []
        bad = 0
        for _ in range(requests_per_client):
            url = f"{base}/wiki/Page_{local_rng.randrange(count)}"
            start = time.perf_counter()
            response = session.get(url, timeout=30)
            mine.append(time.perf_counter() - start)
            bad += response.status_code != 200
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client, args=(rng.random(),)) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {**summary_ms(latencies), "views_per_s": round(len(latencies) / elapsed, 1), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="requests per client and pass")
    parser.add_argument("--database-url", default="", help="default: SQLite in the instance folder")
    parser.add_argument("--instance", help="instance folder (default: a temporary one)")
    args = parser.parse_args()
    rng = random.Random(1)
    instance = Path(args.instance or tempfile.mkdtemp(prefix="tw-bench-"))
    overrides = {"instance_path": instance}
    if args.database_url:
        overrides["database_url"] = args.database_url
    site = create_site(load_settings(overrides=overrides), load_entry_points=False)
    initialize(site)
    with site.db.write() as session:
        for title, text in TEMPLATES.items():
            save_page(site, session, site.titles.parse(title), text, SYSTEM)
    seconds, total_bytes = save_pages(site, args.pages, rng)
    site.close()
    figures = {
        "pages": args.pages,
        "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
        "average_page_bytes": round(total_bytes / args.pages),
        "save": {"seconds": round(seconds, 2), "pages_per_s": round(args.pages / seconds, 1)},
    }
    print(f"saved {args.pages} pages (~{figures['average_page_bytes']} B) in {seconds:.1f} s: "
          f"{figures['save']['pages_per_s']} pages/s")
    with ServedInstance(instance, threads=args.clients) as server:
        for name in ("cold", "warm"):
            result = view_pages(server.url, args.pages, args.clients, args.requests, rng)
            figures[f"views_{name}"] = result
            print(f"views ({name} cache, {args.clients} clients): p50 {result['p50_ms']} ms, "
                  f"p95 {result['p95_ms']} ms, {result['views_per_s']} views/s, errors {result['errors']}")
    path = write_results("engine", figures)
    print(f"figures written to {path}")


if __name__ == "__main__":
    main()
