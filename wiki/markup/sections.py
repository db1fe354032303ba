"""Sections of page source: split at headings, replace one, mark them for numbering.

A section starts at an ATX (``## Title``) or setext (``Title`` over ``===``/``---``)
heading outside code fences; section 0 is the text before the first heading.  Sections do
not overlap: section *n* runs from its heading to the next heading of any level, so
``"".join(split_sections(text)) == text`` and an edit of section *n* never touches its
subsections (unlike MediaWiki, where a section includes them).  Headings inside lists or
block quotes do not start sections.
"""

from __future__ import annotations

import re

from wiki.markup.code import fenced_blocks

_LINE = re.compile(r"[^\n]*\n|[^\n]+$")
_ATX = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_NOT_PARAGRAPH = re.compile(r" {0,3}(?:[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|>|#{1,6}(?:[ \t]|$))|[ \t]{4}")
_THEMATIC = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|(?:-[ \t]*){3,})$")


class SectionNotFound(KeyError):
    """``replace_section`` was given a section number the page does not have."""

    def __init__(self, index: int, count: int):
        super().__init__(index)
        self.message = (f"Section {index} does not exist; this page has sections 0 to {count - 1}."
                        if count > 1 else f"Section {index} does not exist; this page has no headings.")

    def __str__(self) -> str:
        return self.message


def heading_starts(text: str) -> list[tuple[int, int]]:
    """``(section start, heading text start)`` of each heading, in order."""
    fences = fenced_blocks(text)
    found: list[tuple[int, int]] = []
    fence = 0
    paragraph: int | None = None
    for m in _LINE.finditer(text):
        start = m.start()
        while fence < len(fences) and fences[fence][1] <= start:
            fence += 1
        if fence < len(fences) and fences[fence][0] <= start:
            paragraph = None
            continue
        line = m.group(0).rstrip("\n")
        if not line.strip():
            paragraph = None
            continue
        atx = _ATX.match(line)
        if atx:
            found.append((start, start + atx.end(1)))
            paragraph = None
        elif paragraph is not None and _SETEXT.match(line):
            found.append((paragraph, paragraph))
            paragraph = None
        elif paragraph is None and not _NOT_PARAGRAPH.match(line) and not _THEMATIC.match(line):
            paragraph = start
    return found


def split_sections(text: str) -> list[str]:
    """Section 0 (maybe empty) and one piece per heading; the pieces join back to ``text``."""
    starts = [start for start, _ in heading_starts(text)]
    bounds = [0, *starts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


def replace_section(text: str, index: int, new_text: str) -> str:
    """``text`` with section ``index`` replaced by ``new_text`` (a newline is added if needed).

    Raises ``ValueError`` if ``index`` is not an integer, ``SectionNotFound`` (a ``KeyError``)
    if the page has no such section.
    """
    if not isinstance(index, int) or isinstance(index, bool):
        raise ValueError(f"A section number must be an integer, not {index!r}.")
    pieces = split_sections(text)
    if not 0 <= index < len(pieces):
        raise SectionNotFound(index, len(pieces))
    if index < len(pieces) - 1 and new_text and not new_text.endswith("\n"):
        new_text += "\n"
    pieces[index] = new_text
    return "".join(pieces)


def mark_headings(text: str) -> str:
    """Put a marker ``\\x7fS<n>\\x7f`` in each heading, ``n`` being its section number.

    The markers survive expansion and Markdown, so the rendered headings that come from the
    page's own text (not from templates) get their edit links.
    """
    starts = heading_starts(text)
    if not starts:
        return text
    out: list[str] = []
    pos = 0
    for number, (_, at) in enumerate(starts, start=1):
        out.append(text[pos:at])
        out.append(f" \x7fS{number}\x7f" if text[at - 1:at] == "#" else f"\x7fS{number}\x7f")
        pos = at
    out.append(text[pos:])
    return "".join(out)
