"""Find the parts of a page that wiki syntax must leave alone.

Markdown code (fenced blocks and inline code spans) and MediaWiki's ``<nowiki>``, ``<pre>``
and ``<!-- comments -->`` are found here, once, so that template expansion, signatures,
section splitting and links all agree on what is code.  Indented code blocks are not
detected (they depend on the surrounding block structure); fences and spans are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$", re.M)
_INLINE = re.compile(r"(?<![\\`])(`+)|<nowiki\s*/>|<(nowiki|pre)(?:\s[^>]*)?>|<!--", re.I)
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
_CLOSE_TAG = {"nowiki": re.compile(r"</nowiki\s*>", re.I), "pre": re.compile(r"</pre\s*>", re.I)}
_COMMENT_END = "-->"


@dataclass(frozen=True, slots=True)
class Span:
    """A protected stretch ``text[start:end]``.

    ``kind`` is ``code`` (Markdown code, kept for Markdown to render), ``nowiki``, ``pre``,
    ``comment`` or ``nowiki/`` (the empty ``<nowiki/>``); ``inner`` is the text between the tags.
    """

    start: int
    end: int
    kind: str
    inner: str


@lru_cache(maxsize=64)
def _closing_fence(char: str, length: int) -> re.Pattern[str]:
    return re.compile(r"^[ \t]*" + re.escape(char) + "{" + str(length) + r",}[ \t]*$", re.M)


@lru_cache(maxsize=32)
def _closing_ticks(length: int) -> re.Pattern[str]:
    return re.compile(r"(?<!`)`{" + str(length) + r"}(?!`)")


def fenced_blocks(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each fenced code block, in order.

    An unclosed fence runs to the end of the text, as in CommonMark, except a line of only
    three to five tildes that nothing closes: that is a signature, not a code fence.
    """
    blocks: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = _FENCE.search(text, pos)
        if m is None:
            return blocks
        fence, info = m.group("fence"), m.group("info")
        if fence[0] == "`" and "`" in info:
            pos = m.end()
            continue
        close = _closing_fence(fence[0], len(fence)).search(text, m.end() + 1)
        if close is None:
            if fence[0] == "~" and not info.strip() and len(fence) <= 5:
                pos = m.end()
                continue
            blocks.append((m.start(), len(text)))
            return blocks
        blocks.append((m.start(), close.end()))
        pos = close.end()


def protected_spans(text: str) -> list[Span]:
    """Every protected span of ``text``, in order and not overlapping."""
    spans: list[Span] = []
    pos = 0
    for start, end in fenced_blocks(text):
        _inline_spans(text, pos, start, spans)
        spans.append(Span(start, end, "code", text[start:end]))
        pos = end
    _inline_spans(text, pos, len(text), spans)
    return spans


def _inline_spans(text: str, pos: int, limit: int, spans: list[Span]) -> None:
    while True:
        m = _INLINE.search(text, pos, limit)
        if m is None:
            return
        ticks, tag = m.group(1), m.group(2)
        if ticks:
            para = _PARAGRAPH_END.search(text, m.end(), limit)
            close = _closing_ticks(len(ticks)).search(text, m.end(), para.start() if para else limit)
            if close is None:
                pos = m.end()
                continue
            spans.append(Span(m.start(), close.end(), "code", text[m.start():close.end()]))
            pos = close.end()
        elif tag:
            close = _CLOSE_TAG[tag.lower()].search(text, m.end(), limit)
            if close is None:
                pos = m.end()
                continue
            spans.append(Span(m.start(), close.end(), tag.lower(), text[m.end():close.start()]))
            pos = close.end()
        elif m.group(0).startswith("<!--"):
            end = text.find(_COMMENT_END, m.end(), limit)
            end = limit if end < 0 else end + len(_COMMENT_END)
            spans.append(Span(m.start(), end, "comment", text[m.end():end]))
            pos = end
        else:
            spans.append(Span(m.start(), m.end(), "nowiki/", ""))
            pos = m.end()
