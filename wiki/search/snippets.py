"""Search result snippets: the first passages of a page's text around the matched words."""

from __future__ import annotations

import html
from itertools import islice

from whoosh.highlight import ContextFragmenter, Highlighter, HtmlFormatter, set_matched_filter

from wiki.search.analysis import multilingual_analyzer

SNIPPET_CHARS = 240
#: Matching passages shown per hit.
SNIPPET_FRAGMENTS = 2

_FRAGMENTER = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)


def snippet(text: str, words: frozenset[str], analyzer, formatter: HtmlFormatter) -> str:
    """The first ``SNIPPET_FRAGMENTS`` passages of ``text`` around ``words`` (index terms),
    escaped, matches in ``<mark>``; the start of the text when none matches.

    Whoosh's ``highlights()`` analyses the whole text to pick the best passages; taking the
    first ones lets the analysis stop early, which matters for long pages."""
    if words:
        tokens = analyzer(text, chars=True, mode="index", removestops=False)
        matched = Highlighter._merge_matched_tokens(set_matched_filter(tokens, words))
        fragments = list(islice(_FRAGMENTER.fragment_tokens(text, matched), SNIPPET_FRAGMENTS))
        if fragments:
            return formatter(text, fragments)
    return _lead(text)


def surface_words(text: str) -> dict[str, str]:
    """``term -> the word it came from`` (lower-cased, first occurrence) for the words of ``text``."""
    words: dict[str, str] = {}
    for token in multilingual_analyzer()(text, chars=True, mode="index"):
        words.setdefault(token.text, text[token.startchar : token.endchar].lower())
    return words


def _lead(text: str) -> str:
    """The start of the text, escaped, when no match is in it (the title matched)."""
    if len(text) <= SNIPPET_CHARS:
        return html.escape(text)
    return html.escape(text[:SNIPPET_CHARS].rsplit(" ", 1)[0]) + " …"
