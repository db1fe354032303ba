"""Phrases through the word-pair fields: a phrase matches only its words, adjacent and in
order, in English, Arabic and mixed text, exactly as Whoosh's positional check does, with
and without common words to pair (on the Whoosh backend directly; no database)."""

from __future__ import annotations

import random
import threading

import pytest
from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter
from whoosh.query import Phrase

from wiki.permissions import ReadScope
from wiki.search.analysis import (ArabicLightStemFilter, ArabicNormalizeFilter, EnglishStemFilter, ScriptTokenizer,
                                  WordPairAnalyzer, common_words, multilingual_analyzer)
from wiki.search.backend import SearchDocument, SearchQuery
from wiki.search.phrases import PAIR_FIELDS, AdjacentWords, pair_phrases, paired_words
from wiki.search.whoosh_backend import WhooshBackend, make_schema

EVERYTHING = ReadScope(everything=True)


def index(backend: WhooshBackend, texts: dict[int, str], titles: dict[int, str] | None = None,
          pair_all: bool = False, bulk: bool = False) -> None:
    """Index ``texts``; ``pair_all``: first make every word of them a common word (paired)."""
    if pair_all:
        words = frozenset(t.text for text in texts.values() for t in multilingual_analyzer()(text))
        with backend._locked():
            backend._set_common_words(words)
    with backend.batch(bulk=bulk) as batch:
        for page_id, text in texts.items():
            title = (titles or {}).get(page_id, f"Page {page_id}")
            batch.add(SearchDocument(page_id, page_id, 0, title, title, None, text))
        batch.commit()


def found(backend: WhooshBackend, text: str) -> list[int]:
    return sorted(hit.page_id for hit in backend.search(SearchQuery(text), EVERYTHING, limit=100).hits)


@pytest.fixture
def backend(tmp_path):
    engine = WhooshBackend(str(tmp_path / "search"))
    yield engine
    engine.close()


def test_word_pairs_are_adjacentpaired_words_without_cjk_runs():
    common = frozenset({"printer", "connect", "طابع", "في", "broke", "todai"})
    text = "Printers connected; الطابعة في 打印机 broke today, printers rarely broke"
    assert [t.text for t in WordPairAnalyzer(common)(text)] == ["printer connect", "connect طابع", "طابع في",
                                                              "broke todai", "todai printer"]
    assert list(WordPairAnalyzer()(text)) == []


def test_an_indexed_text_is_analysed_once_for_its_words_and_its_pairs(monkeypatch):
    """While indexing, the pair field pairs the words its word field has just produced (the
    text is not analysed again): the words are those of the plain chain of filters and the
    pairs those of the text analysed for its pairs alone (in a thread of its own)."""
    common = frozenset({"printer", "connect", "طابع", "في", "broke", "todai"})
    text = "Printers connected; الطابعة في 打印机 broke today, printers rarely broke"
    chain = (ScriptTokenizer() | LowercaseFilter() | ArabicNormalizeFilter() | ArabicLightStemFilter()
             | EnglishStemFilter())
    alone: list[tuple[str, int]] = []
    thread = threading.Thread(target=lambda: alone.extend(
        (t.text, t.pos) for t in WordPairAnalyzer(common)(text, positions=True, mode="index")))
    thread.start()
    thread.join()

    words = [(t.text, t.pos) for t in multilingual_analyzer()(text, positions=True, mode="index")]
    pairs = WordPairAnalyzer(common)
    monkeypatch.setattr(pairs, "_words", None)  # analysing again would fail
    assert words == [(t.text, t.pos) for t in chain(text, positions=True, mode="index")]
    assert [(t.text, t.pos) for t in pairs(text, positions=True, mode="index")] == alone
    assert [pair for pair, _ in alone] == ["printer connect", "connect طابع", "طابع في", "broke todai", "todai printer"]


def testpaired_words_are_in_a_share_of_the_texts():
    texts = ["the printer broke"] * 60 + [f"word{n} the" for n in range(40)]
    assert common_words(texts) == {"the", "printer", "broke"} | {f"word{n}" for n in range(40)}
    assert common_words(texts * 2 + [f"rare{n}" for n in range(100)]) == {"the", "printer", "broke"}


@pytest.mark.parametrize("pair_all", [False, True])
def test_a_phrase_matches_only_adjacent_words_in_order(backend, pair_all):
    index(backend, pair_all=pair_all, texts={
        1: "The paper jam light blinks.",
        2: "Paper is in the drawer; a jam of traffic.",
        3: "A jam of paper, then another paper jams.",
        4: "الطابعة في المكتبة لا تعمل",
        5: "المكتبة في الطابعة",
        6: "The printer الطابعة في المكتبة broke: 我们的打印机坏了。",
    })
    assert bool(paired_words(backend._searcher().schema)) is pair_all
    assert found(backend, '"paper jam"') == [1, 3]
    assert found(backend, '"jam paper"') == []
    assert found(backend, '"paper jam light"') == [1]
    assert found(backend, '"jam of paper"') == [3]
    assert found(backend, '"jam of traffic"') == [2]
    assert found(backend, '"الطابعة في المكتبة"') == [4, 6]
    assert found(backend, '"بالطابعة في"') == [4, 6]
    assert found(backend, '"المكتبة الطابعة"') == []
    assert found(backend, '"printer الطابعة"') == [6]
    assert found(backend, '"打印机坏"') == [6]
    assert found(backend, '"paper jam" NOT blinks') == [3]
    assert found(backend, '"paper jam" OR drawer') == [1, 2, 3]


@pytest.mark.parametrize("pair_all", [False, True])
def test_phrases_find_what_the_positional_check_finds(backend, pair_all):
    rng = random.Random(3)
    words = "red green blue paper jam light of the".split()
    texts = {n: " ".join(rng.choices(words, k=rng.randint(3, 30))) for n in range(1, 301)}
    index(backend, {n: text + " rare" + str(n) for n, text in texts.items()}, pair_all=pair_all)
    searcher = backend._searcher()
    for length in (2, 3, 4):
        for n in range(15):
            phrase = rng.choices(words, k=length) + [f"rare{n}"] * (n % 3 == 0)
            query = backend._text_query('"' + " ".join(phrase) + '"')
            rewritten = pair_phrases(query, searcher.schema)
            assert not any(isinstance(leaf, Phrase) for leaf in rewritten.leaves())
            assert set(searcher.docs_for_query(rewritten)) == set(searcher.docs_for_query(query)), phrase


def test_title_phrases_keep_their_weight_and_snippets_mark_the_words(backend):
    index(backend, {1: "Nothing about it here.", 2: "Steps to clear a paper jam quickly."},
          titles={1: "Paper jam", 2: "Printer guide"}, pair_all=True)
    results = backend.search(SearchQuery('"paper jam"'), EVERYTHING)
    assert [hit.page_id for hit in results.hits] == [1, 2]
    assert results.total == 2
    assert '<mark class="searchmatch term0">paper</mark> <mark class="searchmatch term1">jam</mark>' in \
        results.hits[1].snippet


def test_cjk_and_sloppy_phrases_keep_the_positional_check(backend):
    schema = make_schema()
    for text in ('"打印机坏"', '"router 打印"', '"paper jam"~3'):
        query = backend._text_query(text)
        assert pair_phrases(query, schema) == query, text
    assert isinstance(pair_phrases(backend._text_query('"a b c"'), schema).subqueries[1], AdjacentWords)


def test_a_rebuild_chooses_thepaired_words_from_its_first_pages(backend):
    texts = {n: f"the paper jam number{n}" for n in range(1, 251)}
    index(backend, texts, bulk=True)
    assert paired_words(backend._searcher().schema) == {"the", "paper", "jam"}
    assert backend.search(SearchQuery('"paper jam"'), EVERYTHING).total == 250
    assert found(backend, '"jam paper"') == []
    assert found(backend, '"jam number7"') == [7]


def test_an_index_without_pair_fields_still_finds_phrases_and_gets_them_when_cleared(tmp_path):
    path = tmp_path / "old"
    path.mkdir()
    old = make_schema()
    for name in PAIR_FIELDS.values():
        old.remove(name)
    whoosh_index.create_in(str(path), old)
    backend = WhooshBackend(str(path))
    try:
        index(backend, {1: "The paper jam light blinks.", 2: "jam paper"})
        assert found(backend, '"paper jam"') == [1]
        backend.clear()
        index(backend, {1: "The paper jam light blinks.", 2: "jam paper"}, pair_all=True)
        assert all(name in backend._searcher().schema for name in PAIR_FIELDS.values())
        assert found(backend, '"paper jam"') == [1]
    finally:
        backend.close()
