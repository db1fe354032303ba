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

from bench.common import ServedInstance, run_clients, summary_ms, write_results  # noqa: E402
from wiki.config import load_settings  # noqa: E402
from wiki.install import initialize  # noqa: E402
from wiki.pages import save_page  # noqa: E402
from wiki.permissions import SYSTEM  # noqa: E402
from wiki.plugins import EntryPoints  # noqa: E402
from wiki.site import create_site  # noqa: E402

WORDS = ("ticket customer invoice balance router outage refund upgrade fibre modem billing queue agent "
         "escalation priority contract service usage bundle roaming voicemail porting credit").split()
TEMPLATES = {
    "Template:Infobox ticket": "| Field | Value |\n|---|---|\n| Status | {{{status|New}}} |\n"
                               "| Priority | {{{priority|P3}}} |\n| Owner | [[User:{{{owner|Nobody}}}]] |\n"
                               "[[Category:{{{status|New}}} tickets]]",
    "Template:Nav": "[[Main Page]] · [[Help:Contents]] · {{#if:{{{topic|}}}|[[{{{topic}}}]]|no topic}}",
}


def page_fields(rng: random.Random, n: int) -> dict:
    """The random content of page ``n``, independent of the markup it is written in.

    Draws from ``rng`` in a fixed order, so the same seed gives the same pages whichever
    markup renders them (``page_text`` here, the wikitext variant in ``bench/mediawiki.py``).
    """
    status = rng.choice(["Open", "Resolved", "Waiting"])
    priority = f"P{rng.randint(1, 4)}"
    topic = f"Page {rng.randrange(max(n, 1))}"
    sections = []
    for _ in range(4):
        words = [rng.choice(WORDS) for _ in range(55)]
        sections.append((" ".join(words), f"Page {rng.randrange(10_000)}"))
    return {"status": status, "priority": priority, "owner": f"Agent{n % 50}", "topic": topic,
            "sections": sections, "area": f"Area {n % 20}", "sort_key": f"{n:06d}"}


def page_text(rng: random.Random, n: int) -> str:
    f = page_fields(rng, n)
    parts = [f"{{{{Infobox ticket|status={f['status']}|priority={f['priority']}|owner={f['owner']}}}}}",
             f"{{{{Nav|topic={f['topic']}}}}}"]
    for section, (words, link) in enumerate(f["sections"]):
        parts.append(f"\n## Section {section}\n")
        parts.append(words + f" See [[{link}]].")
    parts.append(f"\n[[Category:{f['area']}]] [[Category:Benchmark|{f['sort_key']}]]")
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

    seeds = [rng.random() for _ in range(clients)]
    elapsed = run_clients([lambda seed=seed: client(seed) for seed in seeds])
    return {**summary_ms(latencies), "views_per_s": round(len(latencies) / elapsed, 1), "errors": errors}


def build(pages: int, rng: random.Random, database_url: str = "", instance: str | None = None,
          log=print) -> tuple[Path, dict]:
    """Create an instance and save the templates and ``pages`` pages; returns its folder and the figures."""
    instance_path = Path(instance or tempfile.mkdtemp(prefix="tw-bench-"))
    overrides = {"instance_path": instance_path}
    if database_url:
        overrides["database_url"] = database_url
    site = create_site(load_settings(overrides=overrides), entry_points=EntryPoints.SHIPPED)
    initialize(site)
    with site.db.write() as session:
        for title, text in TEMPLATES.items():
            save_page(site, session, site.titles.parse(title), text, SYSTEM)
    seconds, total_bytes = save_pages(site, pages, rng)
    site.close()
    figures = {
        "pages": pages,
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "average_page_bytes": round(total_bytes / pages),
        "save": {"seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1)},
    }
    log(f"saved {pages} pages (~{figures['average_page_bytes']} B) in {seconds:.1f} s: "
        f"{figures['save']['pages_per_s']} pages/s")
    return instance_path, figures


def run(pages: int, clients: int, requests_per_client: int, database_url: str = "",
        instance: str | None = None, log=print) -> dict:
    """Save ``pages`` pages, serve them and measure cold then warm views; returns the figures."""
    rng = random.Random(1)
    instance_path, figures = build(pages, rng, database_url, instance, log)
    with ServedInstance(instance_path, threads=clients) as server:
        for name in ("cold", "warm"):
            result = view_pages(server.url, pages, clients, requests_per_client, rng)
            figures[f"views_{name}"] = result
            log(f"views ({name} cache, {clients} clients): p50 {result['p50_ms']} ms, "
                f"p95 {result['p95_ms']} ms, {result['views_per_s']} views/s, errors {result['errors']}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="requests per client and pass")
    parser.add_argument("--database-url", default="", help="default: SQLite in the instance folder")
    parser.add_argument("--instance", help="instance folder (default: a temporary one)")
    args = parser.parse_args()
    figures = run(args.pages, args.clients, args.requests, args.database_url, args.instance)
    path = write_results("engine", figures)
    print(f"figures written to {path}")


if __name__ == "__main__":
    main()
