"""The search index's text analysis, query reading and plain-text extraction (no database)."""

from __future__ import annotations

import pytest
from whoosh.analysis import CompositeAnalyzer

from wiki.namespaces import CORE_NAMESPACE_DIR, NamespaceRegistry, load_namespace_dir
from wiki.search.analysis import has_spelled_words, light_stem, multilingual_analyzer, normalize_arabic
from wiki.search.documents import plain_text
from wiki.search.query import QueryError, parse_query


def terms(text: str, mode: str = "index") -> list[str]:
    return [t.text for t in multilingual_analyzer()(text, mode=mode)]


@pytest.fixture(scope="module")
def namespaces() -> NamespaceRegistry:
    registry = NamespaceRegistry()
    for ns in load_namespace_dir(CORE_NAMESPACE_DIR):
        registry.add(ns)
    return registry


def test_english_words_meet_at_their_porter_stem():
    assert terms("Connected connecting connection CONNECTS") == ["connect"] * 4
    assert terms("printers") == terms("printer")


@pytest.mark.parametrize("variant", ["أحمد", "إحمد", "آحمد", "ٱحمد", "أَحْمَد", "أحـــمد"])
def test_arabic_hamza_forms_diacritics_and_tatweel_are_unified(variant):
    assert terms(variant) == ["احمد"]


def test_arabic_ta_marbuta_and_alef_maqsura():
    assert normalize_arabic("مدرسة") == "مدرسه"
    assert normalize_arabic("مستشفى") == "مستشفي"


@pytest.mark.parametrize("word", ["الكتاب", "والكتاب", "بالكتاب", "كالكتاب", "فالكتاب", "للكتاب", "وكتاب",
                                  "بكتاب", "لكتاب", "فكتاب", "كتاب", "الْكِتَابُ"])
def test_arabic_prefixes_do_not_prevent_a_match(word):
    assert terms(word) == ["كتاب"]


def test_arabic_suffixes_are_stripped_once_each():
    assert light_stem(normalize_arabic("مكتبات")) == "مكتب"
    assert light_stem(normalize_arabic("المعلمون")) == "معلم"
    # Short words keep enough letters to stay words.
    assert light_stem("بيت") == "بيت"


def test_cjk_runs_are_indexed_as_bigrams_and_unigrams():
    assert terms("打印机") == ["打", "印", "机", "打印", "印机"]


def test_cjk_query_uses_bigrams_and_unigrams_for_a_lone_character():
    assert terms("打印机", mode="query") == ["打印", "印机"]
    assert terms("机", mode="query") == ["机"]
    assert terms("プリンター", mode="query")[:2] == ["プリ", "リン"]


def test_cjk_bigram_positions_line_up_inside_a_longer_sentence():
    tokens = [(t.text, t.pos) for t in multilingual_analyzer()("我们的打印机坏了", positions=True)]
    assert ("打印", 3) in tokens and ("印机", 4) in tokens


def test_mixed_scripts_in_one_sentence_are_each_analysed_by_their_rules():
    assert terms("Printers والطابعات 打印机") == ["printer", "طابع", "打", "印", "机", "打印", "印机"]


def test_character_offsets_point_into_the_original_text():
    text = "Hello والكتاب 打印"
    for token in multilingual_analyzer()(text, chars=True, mode="index"):
        assert text[token.startchar:token.endchar]


def test_query_takes_out_fields_categories_and_namespaces(namespaces):
    query = parse_query('printer "paper jam" status:open priority:P1 incategory:Network_issues Help:toner',
                        namespaces)
    assert query.text == 'printer "paper jam" toner'
    assert query.fields == {"status": ("open",), "priority": ("P1",)}
    assert query.categories == ("Network issues",)
    assert query.namespaces == (12,)


def test_query_keeps_filters_inside_quotes_as_text(namespaces):
    query = parse_query('"status:open" status:"in progress"', namespaces)
    assert query.text == '"status:open"'
    assert query.fields == {"status": ("in progress",)}


def test_query_rejects_unknown_namespaces_and_empty_filters(namespaces):
    with pytest.raises(QueryError, match="no namespace numbered 999"):
        parse_query("x", namespaces, [999])
    with pytest.raises(QueryError, match="status: needs a value"):
        parse_query('status:""', namespaces)
    with pytest.raises(QueryError, match="at most 300"):
        parse_query("x" * 301, namespaces)


def test_plain_text_drops_the_delimiter_rows_of_tables():
    text = "| Type | Values |\n| --- | :---: |\n| text | one - line |\nleft | right\n---|---:\nwell - known\n---\nend"
    assert plain_text(text) == "Type Values text one - line left right well - known end"


def test_plain_text_drops_markup_and_categories_but_keeps_link_labels():
    text = plain_text(
        "== Setup ==\nSome **bold** [[Printer setup|printers]] and [[Network]] <!-- hidden --> "
        "{{Ticket|status=open}}\n* item\n[[Category:Printers]] [[:Category:Linked]] <b>x</b> __NOTOC__ ~~~~"
    )
    assert text == "Setup Some bold printers and Network Ticket status=open item Category:Linked x"


def test_only_words_with_letters_outside_cjk_get_spelling_corrections():
    assert has_spelled_words("printr") and has_spelled_words("الطابعة") and has_spelled_words("打印 printr")
    assert not has_spelled_words("打印机") and not has_spelled_words("12 34")


MIXED = ("Printers CONNECTED to the router's port 3.5 — الطابعةُ في المكتبِ لا تعمل والكتابات بالـــكتاب ـــ "
         "我们的打印机坏了 プリンター O'Brien naïve ÉCOLE straße 42")


@pytest.mark.parametrize("options", [
    {}, {"mode": "index"}, {"mode": "query"}, {"positions": True, "chars": True, "mode": "index"},
    {"positions": True, "chars": True, "keeporiginal": True, "start_pos": 5, "start_char": 10},
    {"no_morph": True, "mode": "index", "positions": True}, {"tokenize": False}, {"removestops": False},
])
def test_the_analyzer_runs_its_declared_chain_in_one_loop(options):
    analyzer = multilingual_analyzer()
    chain = CompositeAnalyzer(*analyzer.items)

    def tokens(run):
        return [(t.text, getattr(t, "pos", None), getattr(t, "startchar", None), getattr(t, "endchar", None),
                 getattr(t, "original", None)) for t in run(MIXED, **options)]

    assert tokens(analyzer) == tokens(chain)
    assert len(tokens(analyzer)) == 1 if options.get("tokenize") is False else len(tokens(analyzer)) > 20
