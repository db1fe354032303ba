"""Word queries scored a posting block at a time (``wiki.search.word_scoring``) give what
Whoosh's own matchers give: the same documents in the same order with the same scores and
the exact total, over several segments, with replaced (deleted) documents and with allowed
sets per segment (on the Whoosh backend directly; no database)."""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone

import pytest
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.query import And, Or, Term
from whoosh.query.compound import DefaultOr

from wiki.permissions import ReadScope
from wiki.search import whoosh_speedups, word_scoring
from wiki.search.analysis import multilingual_analyzer
from wiki.search.backend import NEWEST, OLDEST, SearchDocument, SearchQuery
from wiki.search.phrases import AdjacentWords, pair_phrases
from wiki.search.whoosh_allowed import Allowed
from wiki.search.whoosh_backend import _top_and_total
from wiki.search.whoosh_backend import WhooshBackend

WORDS = ("printer paper jam toner drawer light blinks network router cable reset password account invoice "
         "refund balance modem fibre outage install").split()


def zipf_words(rng: random.Random, k: int) -> list[str]:
    return rng.choices(WORDS, weights=[1 / (rank + 1) for rank in range(len(WORDS))], k=k)


@pytest.fixture
def backend(tmp_path):
    """An index of 300 pages in three segments, 60 of them replaced by a later segment; the
    six most frequent words are paired."""
    rng = random.Random(11)
    engine = WhooshBackend(str(tmp_path / "search"))
    with engine._locked():
        engine._set_common_words(frozenset(token.text for token in multilingual_analyzer()(" ".join(WORDS[:6]))))
    for batch_no, page_ids in enumerate((range(1, 151), range(151, 301), rng.sample(range(1, 301), 60))):
        with engine.batch() as batch:
            for page_id in page_ids:
                title = " ".join(zipf_words(rng, rng.randint(1, 3)))
                text = " ".join(zipf_words(rng, rng.randint(3, 60)))
                batch.add(SearchDocument(page_id, page_id + batch_no, 0, title, title, None, text))
            batch.commit()
    yield engine
    engine.close()


def whoosh_top_and_total(searcher, q, allowed, limit):
    """Whoosh's exact evaluation: its default ``replace`` and block-quality shortcuts drop
    parts of an ``Or`` from a document's score once they cannot change which hits are best."""
    collector = TopCollector(limit=limit, usequality=False, replace=0)
    if allowed is not None:
        collector = FilterCollector(collector, allow=allowed)
    searcher.search_with_collector(q, collector)
    results = collector.results()
    matching = set(searcher.docs_for_query(q))
    return [(docnum, score) for score, docnum in results.top_n], len(matching & allowed if allowed is not None
                                                                     else matching)


def assert_same(ours, theirs, limit):
    """The same scores best first, and the same documents at each score; documents whose
    scores differ only in the last bits (summed in another order) may swap places, and the
    last of them may be cut off at ``limit``."""
    (our_hits, our_total), (their_hits, their_total) = ours, theirs
    assert our_total == their_total
    assert len(our_hits) == len(their_hits) == min(limit, their_total)
    assert all(math.isclose(a, b, rel_tol=1e-12) for (_, a), (_, b) in zip(our_hits, their_hits))
    runs: list[tuple[set[int], set[int]]] = []
    for n, ((ours_doc, score), (theirs_doc, _)) in enumerate(zip(our_hits, their_hits)):
        if not runs or not math.isclose(score, our_hits[n - 1][1], rel_tol=1e-12):
            runs.append((set(), set()))
        runs[-1][0].add(ours_doc)
        runs[-1][1].add(theirs_doc)
    for n, (our_docs, their_docs) in enumerate(runs):
        assert our_docs == their_docs or (n == len(runs) - 1 and len(our_hits) == limit)


def queries(backend: WhooshBackend, rng: random.Random):
    for text in WORDS:
        yield text
    for _ in range(40):
        yield " ".join(rng.sample(WORDS, rng.randint(2, 3)))
        yield " OR ".join(rng.sample(WORDS, 2))
        yield f"({rng.choice(WORDS)} OR {rng.choice(WORDS)}) {rng.choice(WORDS)}"
        yield f'"{rng.choice(WORDS[:6])} {rng.choice(WORDS[:6])}"'
        yield '"' + " ".join(zipf_words(rng, rng.randint(2, 4))) + '"'
        yield f'"{rng.choice(WORDS[:4])} {rng.choice(WORDS)}" {rng.choice(WORDS)}'
        yield f"{rng.choice(WORDS[:8])} NOT {rng.choice(WORDS)} NOT {rng.choice(WORDS[10:])}"
        yield f"({rng.choice(WORDS)} OR {rng.choice(WORDS)}) AND NOT ({rng.choice(WORDS[:5])} OR {rng.choice(WORDS)})"


def test_the_backend_has_segments_and_deletions(backend):
    searcher = backend._searcher()
    segments = word_scoring.segments(searcher)
    assert len(segments) == 3
    assert sum(sub.reader().has_deletions() for sub, _ in segments) == 2


@pytest.mark.parametrize("limit", [1, 10, 500])
def test_word_queries_score_as_whoosh_scores_them(backend, limit):
    searcher = backend._searcher()
    rng = random.Random(limit)
    parts = [None] * len(word_scoring.segments(searcher))
    for text in queries(backend, rng):
        q = pair_phrases(backend._text_query(text), searcher.schema)
        assert word_scoring.is_words_only(q, searcher), text
        assert_same(word_scoring.top_and_total(searcher, q, parts, limit),
                    whoosh_top_and_total(searcher, q, None, limit), limit)


def test_allowed_documents_are_kept_per_segment(backend):
    searcher = backend._searcher()
    rng = random.Random(5)
    segments = word_scoring.segments(searcher)
    for _ in range(10):
        def some(sub, share):
            return frozenset(d for d in range(sub.reader().doc_count_all()) if rng.random() < share)

        parts = [Allowed(any_of=(some(sub, 0.3), some(sub, 0.2)), all_of=(some(sub, 0.7),)) for sub, _ in segments]
        parts[0] = Allowed(any_of=None, all_of=(some(segments[0][0], 0.5),))
        parts[rng.randrange(1, len(parts))] = None
        merged = {offset + docnum for (sub, offset), part in zip(segments, parts)
                  for docnum in range(sub.reader().doc_count_all()) if part is None or docnum in part}
        for text in ("printer", "paper jam", "toner OR refund", "modem router", ""):
            q = backend._text_query(text)
            assert_same(word_scoring.top_and_total(searcher, q, parts, 20),
                        whoosh_top_and_total(searcher, q, merged, 20), 20)
            assert_same(_top_and_total(searcher, pair_phrases(q, searcher.schema), parts, 20),
                        whoosh_top_and_total(searcher, q, merged, 20), 20)


def test_a_part_of_an_and_is_looked_up_or_read_whole_alike(backend, monkeypatch):
    """An ``And`` looks up the documents of its rarest part in the other parts' postings one
    by one, or reads those postings whole: both give what Whoosh gives."""
    searcher = backend._searcher()
    parts = [None] * len(word_scoring.segments(searcher))
    q = And([Or([Term("title", "instal", boost=3.0), Term("content", "instal")]), Term("content", "printer")])
    looked_up = []
    real_postings_at = whoosh_speedups.postings_at

    def spy(reader, fieldname, btext, docnums):
        looked_up.append(btext)
        return real_postings_at(reader, fieldname, btext, docnums)

    monkeypatch.setattr(whoosh_speedups, "postings_at", spy)
    monkeypatch.setattr(word_scoring, "LOOKUP_SHARE", 1)
    by_lookup = word_scoring.top_and_total(searcher, q, parts, 50)
    assert looked_up and set(looked_up) == {b"printer"}
    monkeypatch.setattr(word_scoring, "LOOKUP_SHARE", 10 ** 9)
    assert word_scoring.top_and_total(searcher, q, parts, 50) == by_lookup
    assert len(looked_up) == 3  # one per segment, all in the first run
    assert_same(by_lookup, whoosh_top_and_total(searcher, q, None, 50), 50)
    assert by_lookup[1] > 0


@pytest.mark.parametrize("text", ["p*", "r*", "in*", "re*", "*er", "?a*"])
def test_a_prefix_or_wildcard_scores_as_the_words_it_stands_for(backend, text):
    """In every segment, whatever its size (Whoosh itself gives every match in segments of
    up to 5,000 documents the same score)."""
    searcher = backend._searcher()
    parts = [None] * len(word_scoring.segments(searcher))
    q = backend._text_query(text)
    assert word_scoring.is_words_only(q, searcher)
    expanded = Or([DefaultOr([Term(fieldname, btext.decode(), boost=pattern.boost)
                              for fieldname, btext in sorted(set(pattern.expanded_terms(searcher.reader())))])
                   for pattern in q.subqueries])
    assert len(list(expanded.leaves())) > 2
    assert_same(word_scoring.top_and_total(searcher, q, parts, 30), whoosh_top_and_total(searcher, expanded, None, 30),
                30)


def test_phrases_of_words_are_scored_whichever_words_are_paired(backend):
    """The queries above include phrases of two paired words (one pair term) and phrases
    that need their positions compared (``AdjacentWords``), many of which match."""
    searcher = backend._searcher()
    parts = [None] * len(word_scoring.segments(searcher))
    matched = []
    for text in queries(backend, random.Random(2)):
        q = pair_phrases(backend._text_query(text), searcher.schema)
        if any(isinstance(leaf, AdjacentWords) for leaf in q.leaves()):
            matched.append(word_scoring.top_and_total(searcher, q, parts, 10)[1])
    assert len(matched) > 40 and sum(total > 0 for total in matched) > 20


@pytest.mark.parametrize("text", ["NOT paper", '"打印机"', '"paper jam"~2', "printer OR NOT paper"])
def test_other_queries_are_left_to_whoosh(backend, text):
    searcher = backend._searcher()
    q = pair_phrases(backend._text_query(text), searcher.schema)
    assert not word_scoring.is_words_only(q, searcher)


def test_backend_search_pages_and_totals_match_whoosh(backend):
    searcher = backend._searcher()
    everything = ReadScope(everything=True)
    for text in ("printer", "paper jam", "toner OR refund"):
        q = backend._text_query(text)
        hits, total = whoosh_top_and_total(searcher, q, None, 15)
        found = backend.search(SearchQuery(text), everything, limit=5, offset=10)
        assert found.total == total
        assert [hit.page_id for hit in found.hits] == [int(searcher.stored_fields(d)["page_id"]) for d, _ in hits[10:]]


def test_without_the_speedups_whoosh_runs_every_query_and_finds_the_same(backend, monkeypatch):
    """On a Whoosh whose internals differ (``whoosh_speedups.INSTALLED`` false) the backend
    still answers, through Whoosh alone."""
    everything = ReadScope(everything=True)
    texts = ("printer", "paper jam", "toner OR refund", '"paper jam"', "p*", "modem router")
    fast = {text: backend.search(SearchQuery(text), everything, limit=500) for text in texts}
    monkeypatch.setattr(whoosh_speedups, "INSTALLED", False)
    for text in texts:
        slow = backend.search(SearchQuery(text), everything, limit=500)
        assert slow.total == fast[text].total > 0
        assert {hit.page_id for hit in slow.hits} == {hit.page_id for hit in fast[text].hits}


def dated_engine(path, with_dates: bool = True) -> WhooshBackend:
    """Six pages about toner (the more 'toner', the better the match), changed at four times."""
    engine = WhooshBackend(str(path))
    if not with_dates:  # as an index made before the field existed
        with engine._locked():
            writer = engine._writer(_lk=False)
            writer.remove_field("modified")
            writer.commit()
    times = [datetime(2026, 5, day, tzinfo=timezone.utc) for day in (3, 1, 3, 2, 4, 1)]
    with engine.batch() as batch:
        for page_id, modified in enumerate(times, start=1):
            text = " ".join(["toner"] * page_id + ["paper"] * 3)
            batch.add(SearchDocument(page_id, page_id, 0, f"Page {page_id}", f"Page {page_id}", None, text,
                                     modified=modified))
        batch.commit()
    return engine


@pytest.mark.parametrize("text", ["toner", "toner NOT nothing"])
def test_sorting_by_date_ranks_by_time_then_relevance(tmp_path, text):
    """On both paths: block scoring (words) and Whoosh's (NOT)."""
    engine = dated_engine(tmp_path / "search")
    try:
        everything = ReadScope(everything=True)
        scores = {hit.page_id: hit.score for hit in engine.search(SearchQuery(text), everything, limit=10).hits}
        times = {1: 3, 2: 1, 3: 3, 4: 2, 5: 4, 6: 1}
        newest = engine.search(SearchQuery(text, sort=NEWEST), everything, limit=10)
        oldest = engine.search(SearchQuery(text, sort=OLDEST), everything, limit=4)
        assert [hit.page_id for hit in newest.hits] == sorted(scores, key=lambda p: (-times[p], -scores[p])) == \
            [5, 3, 1, 4, 6, 2]
        assert [hit.page_id for hit in oldest.hits] == [6, 2, 4, 3] and oldest.total == newest.total == 6
    finally:
        engine.close()


def test_an_index_without_dates_sorts_by_relevance(tmp_path):
    engine = dated_engine(tmp_path / "search", with_dates=False)
    try:
        assert "modified" not in engine._searcher().schema
        found = engine.search(SearchQuery("toner", sort=NEWEST), ReadScope(everything=True), limit=10)
        assert [hit.page_id for hit in found.hits] == [6, 5, 4, 3, 2, 1]
    finally:
        engine.close()
