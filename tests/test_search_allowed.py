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
    """The segments whose allowed documents are computed, in order."""
    seen: list[int] = []
    real = whoosh_allowed._allowed_in

    def spy(sub, query, scope):
        seen.append(sub.reader().doc_count_all())
        return real(sub, query, scope)

    monkeypatch.setattr(whoosh_allowed, "_allowed_in", spy)
    return seen


def found(engine: WhooshBackend) -> list[int]:
    return sorted(hit.page_id for hit in engine.search(SearchQuery("router"), CUSTOMER, limit=50).hits)


def test_a_save_computes_only_its_own_segment(engine, looks):
    add(engine, 1, None)
    add(engine, 2, 7)
    add(engine, 3, 8)
    assert found(engine) == [1, 2]
    assert len(looks) == 3
    add(engine, 4, 7)
    assert found(engine) == [1, 2, 4]
    assert len(looks) == 4
    add(engine, 2, 8)  # the page moves to another account: its old document is deleted
    assert found(engine) == [1, 4]
    assert len(looks) == 5


def test_merged_segments_are_computed_again_and_the_old_ones_forgotten(engine, looks, monkeypatch):
    monkeypatch.setattr(whoosh_backend, "MERGE_FACTOR", 1000)  # no background merge while adding
    for page_id in range(1, 13):
        add(engine, page_id, 7 if page_id % 2 else 8)
    assert found(engine) == list(range(1, 13, 2))
    assert looks == [1] * 12 and len(engine._allowed_docs._cache) == 12
    monkeypatch.setattr(whoosh_backend, "MERGE_FACTOR", 10)
    engine.maintain()
    assert found(engine) == list(range(1, 13, 2))
    assert looks[12:] == [12]
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
