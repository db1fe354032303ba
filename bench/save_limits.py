"""Save and render limits benchmark: what pathological pages cost, and whether small saves
wait for a large one.

1. Renders, each timed in processor seconds of this thread: a 1.6 MB Markdown table of ten
   columns (refused at the Markdown node limit), a 400 KB table (rendered), 1.6 MB of prose,
   and a template that expands 2,000 empty parameters called 600 times (refused at the
   node limit).
2. Writers: one thread saves a 400 KB table again and again while another makes small
   saves; the small saves' latencies show whether they wait for the large one's render,
   and the write transactions of the large saves are timed from BEGIN to COMMIT (the time
   they hold SQLite's write lock).  Both threads share one process, and so its GIL.

Prints the figures and writes ``bench/results/save_limits.json``.  Not a test: run it by
hand, ``python bench/save_limits.py [--saves 40]`` (SQLite in a temporary instance).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import summary_ms, write_results  # noqa: E402
from wiki.config import load_settings  # noqa: E402
from wiki.install import upgrade_database  # noqa: E402
from wiki.markup import render  # noqa: E402
from wiki.pages import save_page  # noqa: E402
from wiki.permissions import SYSTEM  # noqa: E402
from wiki.plugins import EntryPoints  # noqa: E402
from wiki.site import create_site  # noqa: E402


def table(size: int, columns: int = 10) -> str:
    row = "|" + "|".join(f" cell {i} " for i in range(columns)) + "|\n"
    return row + "|" + "|".join("---" for _ in range(columns)) + "|\n" + row * (size // len(row))


def prose(size: int) -> str:
    paragraph = "Some *words*, a [[Link]] and `code`, then more text to make the line long enough.\n\n"
    return paragraph * (size // len(paragraph))


def save(site, title: str, text: str) -> None:
    with site.db.write() as session:
        save_page(site, session, site.titles.parse(title), text, SYSTEM)


def renders(site) -> dict:
    save(site, "Template:Wide", "{{{a|}}}" * 2000)
    cases = {"table_1.6MB": table(1_600_000), "table_400KB": table(400_000), "prose_1.6MB": prose(1_600_000),
             "node_bomb": "{{Wide}}" * 600}
    figures = {}
    with site.db.read() as session:
        for name, text in cases.items():
            ctx = site.render_context(session, site.titles.parse("Bench page"), SYSTEM)
            started = time.thread_time()
            out = render(text, ctx)
            refused = getattr(out, "refused", None)  # None also before the limits existed
            figures[name] = {"bytes": len(text.encode()), "cpu_s": round(time.thread_time() - started, 3),
                             "refused": refused}
            print(f"{name:12} {figures[name]['bytes']:>9,} bytes  {figures[name]['cpu_s']:6.2f} s CPU  "
                  f"{refused or 'rendered'}")
    return figures


def writers(site, saves: int) -> dict:
    large, done = table(400_000), threading.Event()
    large_seconds: list[float] = []
    began: dict[int, float] = {}
    held: list[float] = []  # seconds from BEGIN to COMMIT of the large saves' transactions

    @event.listens_for(site.db.engine, "begin")
    def _begin(_conn) -> None:
        began[threading.get_ident()] = time.perf_counter()

    @event.listens_for(site.db.engine, "commit")
    def _commit(_conn) -> None:
        if threading.current_thread().name == "large" and threading.get_ident() in began:
            held.append(time.perf_counter() - began.pop(threading.get_ident()))

    def large_writer() -> None:
        n = 0
        while not done.is_set():
            started = time.perf_counter()
            save(site, "Large table", large + f"\nedit {n}")
            large_seconds.append(time.perf_counter() - started)
            n += 1

    thread = threading.Thread(target=large_writer, name="large")
    thread.start()
    small: list[float] = []
    for n in range(saves):
        started = time.perf_counter()
        save(site, f"Small page {n}", f"small page {n}")
        small.append(time.perf_counter() - started)
    done.set()
    thread.join()
    figures = {"small_saves": summary_ms(small), "large_saves": summary_ms(large_seconds),
               "large_transactions": summary_ms(held)}
    print(f"small saves while 400 KB tables are saved: p50 {figures['small_saves']['p50_ms']} ms, "
          f"p95 {figures['small_saves']['p95_ms']} ms; large saves p50 {figures['large_saves']['p50_ms']} ms "
          f"({len(large_seconds)} of them), their transactions (reads and writes) p50 "
          f"{figures['large_transactions']['p50_ms']} ms")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=40, help="small saves made while large ones run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        settings = load_settings(overrides={"instance_path": instance, "secret_key": "bench"})
        site = create_site(settings, entry_points=EntryPoints.SHIPPED)
        upgrade_database(site)
        try:
            figures = {"renders": renders(site), "writers": writers(site, args.saves)}
        finally:
            site.close()
    print(f"written to {write_results('save_limits', figures)}")


if __name__ == "__main__":
    main()
