"""Wikitext to a tree of template calls, parameters and links (MediaWiki's preprocessor).

``{{...}}`` becomes ``Template``, ``{{{...}}}`` ``Param`` and ``[[...]]`` ``Link`` (so that a
pipe inside a link inside a template argument does not split the argument).  Braces are
matched the MediaWiki way: a run of more than three opening braces is shared between an
inner ``{{{param}}}`` and an outer ``{{template}}``.  Protected spans (``code.py``) become
``Verbatim`` leaves.  Trees are immutable tuples, cached by text, and safe to share between
threads.

The ``mode`` says how the page is read: ``view`` (the page itself: ``<includeonly>`` dropped),
``include`` (transcluded: ``<noinclude>`` dropped, ``<onlyinclude>`` honoured) or ``source``
(kept as written, comments included, for the pre-save transform).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Union

from wiki.markup.code import protected_spans

Mode = Literal["view", "include", "source"]

#: Deeper nesting of templates, parameters and links is left as text: it bounds the
#: recursion of expansion and of the pre-save transform.  A run of braces counts one level
#: per two braces (``{{{{{{x}}}}}}`` nests three deep), so one long run cannot nest deeper.
MAX_NESTING = 100

_TOKEN = re.compile(r"\{\{+|\}\}+|\[\[|\]\]|\||\x7fV(\d+)\x7f")
_INCLUDEONLY_BLOCK = re.compile(r"<includeonly\s*>.*?(?:</includeonly\s*>|\Z)", re.I | re.S)
_NOINCLUDE_BLOCK = re.compile(r"<noinclude\s*>.*?(?:</noinclude\s*>|\Z)", re.I | re.S)
_ONLYINCLUDE_BLOCK = re.compile(r"<onlyinclude\s*>(.*?)(?:</onlyinclude\s*>|\Z)", re.I | re.S)
_VIEW_TAGS = re.compile(r"</?(?:noinclude|onlyinclude)\s*>", re.I)
_INCLUDE_TAGS = re.compile(r"</?includeonly\s*>", re.I)


@dataclass(frozen=True, slots=True)
class Verbatim:
    """A protected span: ``source`` as written, ``inner`` between its tags."""

    kind: str
    source: str
    inner: str


@dataclass(frozen=True, slots=True)
class Link:
    children: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Template:
    """``{{name|arg|...}}``: ``parts[0]`` is the name, the rest are arguments."""

    parts: tuple[tuple["Node", ...], ...]


@dataclass(frozen=True, slots=True)
class Param:
    """``{{{name|default}}}``."""

    parts: tuple[tuple["Node", ...], ...]


Node = Union[str, Verbatim, Link, Template, Param]


class _Open:
    """An opening ``{{``-run or ``[[`` not closed yet."""

    __slots__ = ("char", "count", "levels", "parts")

    def __init__(self, char: str, count: int):
        self.char = char
        self.count = count
        #: How deep the nodes made from this run can nest: one level per two braces.
        self.levels = count // 2 if char == "{" else 1
        self.parts: list[list[Node]] = [[]]


def _freeze(acc: list[Node]) -> tuple[Node, ...]:
    """``acc`` as a tree tuple, each run of text pieces joined into one string.

    Text is collected in pieces and joined once here: adding to the last string of a list
    copies it every time, which made pages with many ``|`` (Markdown tables) quadratic.
    """
    out: list[Node] = []
    pieces: list[str] = []
    for node in acc:
        if type(node) is str:
            pieces.append(node)  # type: ignore[arg-type]
            continue
        if pieces:
            out.append("".join(pieces))
            pieces = []
        out.append(node)
    if pieces:
        out.append("".join(pieces))
    return tuple(out)


def _protect(text: str, mode: Mode) -> tuple[str, list[Verbatim]]:
    spans = protected_spans(text)
    if not spans:
        return text, []
    out: list[str] = []
    kept: list[Verbatim] = []
    pos = 0
    for span in spans:
        out.append(text[pos:span.start])
        pos = span.end
        if span.kind == "comment" and mode != "source":
            continue
        if span.kind == "nowiki/" and mode != "source":
            continue
        out.append(f"\x7fV{len(kept)}\x7f")
        kept.append(Verbatim(span.kind, text[span.start:span.end], span.inner))
    out.append(text[pos:])
    return "".join(out), kept


def _inclusion(text: str, mode: Mode) -> str:
    if mode == "view":
        return _VIEW_TAGS.sub("", _INCLUDEONLY_BLOCK.sub("", text))
    if mode == "include":
        if re.search(r"<onlyinclude\s*>", text, re.I):
            text = "".join(_ONLYINCLUDE_BLOCK.findall(text))
        return _INCLUDE_TAGS.sub("", _NOINCLUDE_BLOCK.sub("", text))
    return text


@lru_cache(maxsize=1024)
def parse_wikitext(text: str, mode: Mode) -> tuple[Node, ...]:
    """The tree of ``text`` read in ``mode`` (see the module docstring)."""
    work, verbatims = _protect(text, mode)
    work = _inclusion(work, mode)
    root: list[Node] = []
    stack: list[_Open] = []
    nesting = 0  # the levels of the runs on ``stack``

    def parent() -> list[Node]:
        return stack[-1].parts[-1] if stack else root

    pos = 0
    while (m := _TOKEN.search(work, pos)) is not None:
        acc = parent()
        if m.start() > pos:
            acc.append(work[pos:m.start()])
        token = m.group(0)
        pos = m.end()
        char = token[0]
        if char in "{[":
            opened = _Open(char, len(token))
            if nesting + opened.levels > MAX_NESTING:
                acc.append(token)
            else:
                stack.append(opened)
                nesting += opened.levels
        elif char == "|":
            if stack and stack[-1].char == "{":
                stack[-1].parts.append([])
            else:
                acc.append("|")
        elif char == "]":
            if stack and stack[-1].char == "[":
                closed = stack.pop()
                nesting -= closed.levels
                parent().append(Link(_freeze(closed.parts[0])))
            else:
                acc.append(token)
        elif char == "}":
            if not stack or stack[-1].char != "{":
                acc.append(token)
                continue
            top = stack[-1]
            matched = 3 if min(len(token), top.count) >= 3 else 2
            parts = tuple(_freeze(part) for part in top.parts)
            node: Node = Param(parts) if matched == 3 else Template(parts)
            top.count -= matched
            pos = m.start() + matched
            if top.count >= 2:
                top.parts = [[node]]
            else:
                stack.pop()
                nesting -= top.levels
                if top.count == 1:
                    parent().append("{")
                parent().append(node)
        else:
            parent().append(verbatims[int(m.group(1))])
    if pos < len(work):
        parent().append(work[pos:])
    while stack:
        top = stack.pop()
        acc = parent()
        acc.append(top.char * top.count)
        for i, part in enumerate(top.parts):
            if i:
                acc.append("|")
            acc.extend(part)
    return _freeze(root)


def split_named(part: tuple[Node, ...]) -> tuple[tuple[Node, ...], tuple[Node, ...]] | None:
    """Split ``key=value`` at the first ``=`` outside nested constructs, or ``None``."""
    for i, node in enumerate(part):
        if type(node) is str and "=" in node:
            key, value = node.split("=", 1)
            return (*part[:i], key), (value, *part[i + 1:])
    return None


def source(nodes: tuple[Node, ...]) -> str:
    """The wikitext a tree was parsed from (inclusion tags and comments aside)."""
    out: list[str] = []
    for node in nodes:
        if type(node) is str:
            out.append(node)
        elif isinstance(node, Verbatim):
            out.append(node.source)
        elif isinstance(node, Link):
            out.append("[[" + source(node.children) + "]]")
        else:
            braces = 3 if isinstance(node, Param) else 2
            out.append("{" * braces + "|".join(source(p) for p in node.parts) + "}" * braces)
    return "".join(out)
