"""The documents a scope allows are found per segment and kept until the segment is merged
away, so a save costs one small look at its own new segment (on the Whoosh backend directly)."""

from __future__ import annotations

import pytest

from wiki.permissions import ReadScope
from wiki.search import whoosh_allowed, whoosh_backend
from wiki.search.backend import SearchDocument, SearchQuery
from wiki.search.whoosh_backend import WhooshBackend

CUSTOMER = ReadScope(everything=False, namespaces=frozenset({0}), account_id=7, account_namespaces=frozenset({0}))


def add(engine: WhooshBackend, page_id: int, account_id: int | None, text: str = "router") -> None:
    with engine.batch() as batch:
        batch.add(SearchDocument(page_id, page_id, 0, f"Page {page_id}", f"Page {page_id}", account_id, text))
        batch.commit()


@pytest.fixture
def engine(tmp_path):
    engine = WhooshBackend(str(tmp_path / "search"))
    yield engine
    engine.close()


@pytest.fixture
def looks(monkeypatch):
    """The document count of each segment in which a part of a scope or a filter is looked up."""
    seen: list[int] = []
    real = whoosh_allowed._matching

    def spy(sub, q):
        seen.append(sub.reader().doc_count_all())
        return real(sub, q)

    monkeypatch.setattr(whoosh_allowed, "_matching", spy)
    return seen


def found(engine: WhooshBackend, scope: ReadScope = CUSTOMER, text: str = "router") -> list[int]:
    return sorted(hit.page_id for hit in engine.search(SearchQuery(text), scope, limit=50).hits)


def test_a_save_computes_only_its_own_segment(engine, looks):
    """Two parts per segment for a customer: the pages without an account, and their own."""
    add(engine, 1, None)
    add(engine, 2, 7)
    add(engine, 3, 8)
    assert found(engine) == [1, 2]
    assert len(looks) == 3 * 2
    add(engine, 4, 7)
    assert found(engine) == [1, 2, 4]
    assert len(looks) == 4 * 2
    add(engine, 2, 8)  # the page moves to another account: its old document is deleted
    assert found(engine) == [1, 4]
    assert len(looks) == 5 * 2


def test_customers_share_the_pages_without_an_account(engine, looks):
    for page_id, account_id in ((1, None), (2, 7), (3, 8), (4, None)):
        add(engine, page_id, account_id, text=f"router page{page_id}")
    assert found(engine) == [1, 2, 4]
    assert len(looks) == 4 * 2
    other = ReadScope(everything=False, namespaces=frozenset({0}), account_id=8, account_namespaces=frozenset({0}))
    assert found(engine, other) == [1, 3, 4]
    assert len(looks) == 4 * 3  # only the second customer's own pages
    assert found(engine, other, "router NOT page4") == [1, 3]
    assert len(looks) == 4 * 3


def test_filters_are_parts_of_their_own(engine, looks):
    with engine.batch() as batch:
        for page_id, category in ((1, "printers"), (2, "network"), (3, "printers")):
            batch.add(SearchDocument(page_id, page_id, 0, f"Page {page_id}", f"Page {page_id}",
                                     7 if page_id == 3 else None, "router", categories=(category,)))
        batch.commit()
    printers = SearchQuery("router", categories=("Printers",))
    assert sorted(hit.page_id for hit in engine.search(printers, CUSTOMER).hits) == [1, 3]
    assert sorted(hit.page_id for hit in engine.search(printers, ReadScope(everything=True)).hits) == [1, 3]
    assert len(looks) == 3  # the two customer parts and the category, once each


def test_merged_segments_are_computed_again_and_the_old_ones_forgotten(engine, looks, monkeypatch):
    monkeypatch.setattr(whoosh_backend, "MERGE_FACTOR", 1000)  # no background merge while adding
    for page_id in range(1, 13):
        add(engine, page_id, 7 if page_id % 2 else 8)
    assert found(engine) == list(range(1, 13, 2))
    assert looks == [1] * 24 and len(engine._allowed_docs._cache) == 12
    monkeypatch.setattr(whoosh_backend, "MERGE_FACTOR", 10)
    engine.maintain()
    assert found(engine) == list(range(1, 13, 2))
    assert looks[24:] == [12, 12]
    assert len(engine._allowed_docs._cache) == 1


def test_a_save_finds_the_page_in_segments_written_here_without_opening_them(engine, monkeypatch):
    monkeypatch.setattr(whoosh_backend, "MERGE_FACTOR", 1000)
    for page_id in (1, 2, 3, 2, 1, 2):
        add(engine, page_id, 7, text=f"router edit{page_id}")
    assert found(engine) == [1, 2, 3]
    assert engine._locator._readers == {}
    other = WhooshBackend(engine.path)  # another process's writer knows none of the segments
    try:
        add(other, 3, 7, text="router moved")
        assert len(other._locator._readers) == len(engine._searcher().subsearchers or [1]) - 1
    finally:
        other.close()
    add(engine, 3, None, text="router back")
    assert found(engine) == [1, 2, 3]
    assert sum(hit.page_id == 3 for hit in engine.search(SearchQuery("router"), CUSTOMER, limit=50).hits) == 1


def test_the_least_recently_used_parts_go_first(engine, looks, monkeypatch):
    monkeypatch.setattr(whoosh_allowed, "CACHE_PER_SEGMENT", 3)
    add(engine, 1, None)
    for account_id in (7, 8, 9):
        scope = ReadScope(everything=False, namespaces=frozenset({0}), account_id=account_id,
                          account_namespaces=frozenset({0}))
        assert found(engine, scope) == [1]
    # Kept: the namespaces present and the shared part (used by every search), and account 9.
    assert len(looks) == 4  # the shared part once, each account once
    assert found(engine) == [1]  # account 7 again: looked up again, the shared part is not
    assert len(looks) == 5
