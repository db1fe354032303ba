"""Search benchmark: N generated pages (mixed English, Arabic and Chinese), then

* ``ticketwiki search rebuild`` speed (pages/s, from the database into an empty index),
* the index update that follows one save (``apply_queue`` after the commit), p50/p95,
* 100 queries (words, phrases, prefixes, Arabic, Chinese; as staff and as a customer), p50/p95,
  each with snippets, exact total and the policy re-check of every hit,

printed and written to ``bench/results/search.json``, as wall-clock times and as CPU times of
the measuring thread (which stay meaningful when other work shares the machine; the load
average is recorded too).  Not a test: run it by hand, e.g.

    python bench/search.py --pages 10000
    python bench/search.py               # 100,000 pages

Pages are inserted straight into the tables (the save path is the engine benchmark's
subject), then indexed by the real rebuild; updates go through the real ``save_page``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
from itertools import accumulate
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import summary_ms, write_results  # noqa: E402
from wiki.config import load_settings  # noqa: E402
from wiki.install import upgrade_database  # noqa: E402
from wiki.models import Account, Page, Revision  # noqa: E402
from wiki.pages import save_page, sha1  # noqa: E402
from wiki.permissions import SYSTEM, Actor  # noqa: E402
from wiki.plugins import EntryPoints  # noqa: E402
from wiki.search import indexer  # noqa: E402
from wiki.search.query import parse_query  # noqa: E402
from wiki.search.service import search_pages  # noqa: E402
from wiki.site import create_site  # noqa: E402

DOMAIN = ("ticket customer invoice balance router outage refund upgrade fibre modem billing queue agent "
          "network printer password account contract payment overdue reset install configure connection "
          "firewall latency bandwidth backup restore license renewal shipment delivery warranty repair").split()
NAMESPACES = (0, 0, 0, 12, 4)
CJK_CHARS = [chr(0x4E00 + i) for i in range(3000)]


def pseudo_words(rng: random.Random, letters: str, count: int, low: int, high: int) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < count:
        words["".join(rng.choice(letters) for _ in range(rng.randint(low, high)))] = None
    return list(words)


class Corpus:
    """Text with Zipf-distributed words, as natural text has: a few words are everywhere,
    most are rare.  English-like words (with the help-desk words among the common ones),
    Arabic words (a third of them written with a prefix such as ال، و، ب), Chinese runs."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        english = pseudo_words(rng, "etaoinshrdlcumwfgypbvk", 30_000, 3, 9)
        self.english = english[:50] + DOMAIN + english[50:]
        arabic = pseudo_words(rng, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي", 8_000, 3, 6)
        self.arabic = [("ال" if n % 3 == 0 else "") + w for n, w in enumerate(arabic)]
        self.weights = {name: list(accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(words))))
                        for name, words in (("english", self.english), ("arabic", self.arabic),
                                            ("cjk", CJK_CHARS))}

    def words(self, kind: str, k: int) -> list[str]:
        population = {"english": self.english, "arabic": self.arabic, "cjk": CJK_CHARS}[kind]
        return self.rng.choices(population, cum_weights=self.weights[kind], k=k)

    def sentence(self) -> str:
        kind = self.rng.random()
        if kind < 0.6:
            return " ".join(self.words("english", self.rng.randint(6, 16))).capitalize() + "."
        if kind < 0.8:
            return " ".join(self.words("arabic", self.rng.randint(5, 12))) + "."
        return "".join(self.words("cjk", self.rng.randint(8, 20))) + "。"

    def page_text(self, n: int) -> str:
        body = " ".join(self.sentence() for _ in range(self.rng.randint(6, 14)))
        return f"== Case {n} ==\n{body}\n[[Category:{self.rng.choice(DOMAIN).capitalize()}]]"

    def mid(self, kind: str) -> str:
        """A word of middling frequency, as most searched words are."""
        population = {"english": self.english, "arabic": self.arabic, "cjk": CJK_CHARS}[kind]
        return population[self.rng.randint(20, min(3000, len(population) - 1))]

    def queries(self, count: int) -> list[str]:
        made = []
        for n in range(count):
            kind = n % 7
            if kind == 0:
                made.append(self.mid("english"))
            elif kind == 1:
                made.append(f"{self.mid('english')} {self.rng.choice(self.english[:200])}")
            elif kind == 2:
                made.append('"' + " ".join(self.words("english", 2)) + '"')
            elif kind == 3:
                made.append(self.mid("english")[:4] + "*")
            elif kind == 4:
                made.append(self.mid("arabic"))
            elif kind == 5:
                made.append(self.rng.choice(DOMAIN))
            else:
                made.append(self.mid("cjk") + self.mid("cjk") if self.rng.random() < 0.3 else
                            "".join(self.words("cjk", 2)))
        return made


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (the rebuild's indexers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def insert_pages(site, count: int, corpus: Corpus) -> None:
    rng = corpus.rng
    now = datetime.now(timezone.utc)
    with site.db.write() as session:
        session.add_all([Account(id=1, name="Acme"), Account(id=2, name="Globex")])
        session.flush()
        for start in range(1, count + 1, 5000):
            ids = range(start, min(start + 5000, count + 1))
            texts = {i: corpus.page_text(i) for i in ids}
            session.execute(insert(Page), [
                {"id": i, "namespace": NAMESPACES[i % len(NAMESPACES)], "title": f"Case {i} {rng.choice(DOMAIN)}",
                 "account_id": (1 if i % 10 == 0 else 2 if i % 10 == 1 else None), "length": len(texts[i]),
                 "created_at": now, "touched": now} for i in ids])
            session.execute(insert(Revision), [
                {"id": i, "page_id": i, "user_text": "Bench", "timestamp": now, "text": texts[i],
                 "sha1": sha1(texts[i]), "size": len(texts[i].encode())} for i in ids])
            session.execute(update(Page).where(Page.id.in_(list(ids))).values(latest_id=Page.id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = Corpus(rng)

    instance = Path(tempfile.mkdtemp(prefix="ticketwiki-bench-search-"))
    site = create_site(load_settings(overrides={"instance_path": instance, "secret_key": "bench"}),
                       entry_points=EntryPoints.SHIPPED)
    upgrade_database(site)
    started = time.perf_counter()
    insert_pages(site, args.pages, corpus)
    print(f"inserted {args.pages:,} pages in {time.perf_counter() - started:.1f} s")

    started, cpu = time.perf_counter(), cpu_seconds()
    indexed = indexer.rebuild(site)
    rebuild_s, rebuild_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(f"rebuild: {indexed:,} pages in {rebuild_s:.1f} s = {indexed / rebuild_s:,.0f} pages/s "
          f"({indexed / rebuild_cpu:,.0f} pages per CPU second, indexing processes included)")

    applied: list[float] = []
    applied_cpu: list[float] = []
    original = indexer.apply_queue

    def timed(*a, **kw):
        t, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(*a, **kw)
        finally:
            applied.append(time.perf_counter() - t)
            applied_cpu.append(time.thread_time() - cpu)

    indexer.apply_queue = timed  # the after-commit step calls it through the module
    saves = []
    for n in range(args.updates):
        page_id = rng.randint(1, args.pages)
        t = time.perf_counter()
        with site.db.write() as session:
            page = session.get(Page, page_id)
            title = site.titles.make(page.namespace, page.title)
            save_page(site, session, title, corpus.page_text(page_id) + f" edit {n}", SYSTEM)
        saves.append(time.perf_counter() - t)
    indexer.apply_queue = original
    update_figures, update_cpu = summary_ms(applied), summary_ms(applied_cpu)
    print(f"index update per save: p50 {update_figures['p50_ms']} ms, p95 {update_figures['p95_ms']} ms; "
          f"CPU p50 {update_cpu['p50_ms']} ms, p95 {update_cpu['p95_ms']} ms "
          f"(whole save incl. update: p50 {summary_ms(saves)['p50_ms']} ms)")

    staff = Actor(user_id=1, name="Sam", role="staff")
    customer = Actor(user_id=2, name="Ann", role="customer", account_id=1)
    timings, cpu_timings, totals = [], [], []
    with site.db.read() as session:
        for n, text in enumerate(corpus.queries(args.queries)):
            who = customer if n % 2 else staff
            t, cpu = time.perf_counter(), time.thread_time()
            found = search_pages(site, session, who, parse_query(text, site.namespaces), limit=20)
            timings.append(time.perf_counter() - t)
            cpu_timings.append(time.thread_time() - cpu)
            totals.append(found.total)
    query_figures, query_cpu = summary_ms(timings), summary_ms(cpu_timings)
    print(f"queries: p50 {query_figures['p50_ms']} ms, p95 {query_figures['p95_ms']} ms; "
          f"CPU p50 {query_cpu['p50_ms']} ms, p95 {query_cpu['p95_ms']} ms "
          f"(median hits {sorted(totals)[len(totals) // 2]:,})")

    figures = {
        "pages": args.pages,
        "rebuild_pages_per_s": round(indexed / rebuild_s, 1),
        "rebuild_s": round(rebuild_s, 1),
        "rebuild_pages_per_cpu_s": round(indexed / rebuild_cpu, 1),
        "index_update": update_figures,
        "index_update_cpu": update_cpu,
        "save_with_index_update": summary_ms(saves),
        "query": query_figures,
        "query_cpu": query_cpu,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "goals": {"query_p95_ms": 50, "index_update_ms": 20, "rebuild_pages_per_s": 500},
    }
    print(f"wrote {write_results('search', figures)}")
    site.search_backend.close()
    site.close()


if __name__ == "__main__":
    main()
