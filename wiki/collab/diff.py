"""Line diffs of two texts, with word-level highlighting inside changed lines.

``diff_hunks`` compares two revisions' texts line by line (difflib, standard library);
lines replaced one-for-one are compared word by word, and the changed words are wrapped
in ``<del>`` and ``<ins>``.  The result is a list of hunks of rows, each row already
escaped HTML, that the templates show inline or side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from markupsafe import Markup, escape

#: Unchanged lines shown around each change.
CONTEXT = 2
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass
class Row:
    """One row of a diff.  ``kind`` is ``context``, ``change``, ``add`` or ``delete``;
    a side that the row does not have is ``None``."""

    kind: str
    old_no: int | None
    new_no: int | None
    old_html: Markup | None
    new_html: Markup | None


@dataclass
class Hunk:
    old_start: int
    new_start: int
    rows: list[Row] = field(default_factory=list)


def word_diff(old: str, new: str) -> tuple[Markup, Markup]:
    """Both lines as HTML, with removed words in ``<del>`` and added words in ``<ins>``."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    old_out: list[str] = []
    new_out: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if tag == "equal":
            old_out.append(removed)
            new_out.append(added)
            continue
        if removed:
            old_out.append(Markup("<del>%s</del>") % removed)
        if added:
            new_out.append(Markup("<ins>%s</ins>") % added)
    return Markup("".join(old_out)), Markup("".join(new_out))


def _rows(a: list[str], b: list[str], tag: str, i1: int, i2: int, j1: int, j2: int) -> list[Row]:
    if tag == "equal":
        return [Row("context", i + 1, j + 1, escape(a[i]), escape(b[j])) for i, j in zip(range(i1, i2), range(j1, j2))]
    rows: list[Row] = []
    paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
    for k in range(paired):
        old_html, new_html = word_diff(a[i1 + k], b[j1 + k])
        rows.append(Row("change", i1 + k + 1, j1 + k + 1, old_html, new_html))
    rows.extend(Row("delete", i + 1, None, escape(a[i]), None) for i in range(i1 + paired, i2))
    rows.extend(Row("add", None, j + 1, None, escape(b[j])) for j in range(j1 + paired, j2))
    return rows


def diff_hunks(old: str, new: str, context: int = CONTEXT) -> list[Hunk]:
    """The changes from ``old`` to ``new``, grouped into hunks with ``context`` lines around them."""
    a, b = old.split("\n") if old else [], new.split("\n") if new else []
    hunks: list[Hunk] = []
    for group in SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        hunk = Hunk(old_start=group[0][1] + 1, new_start=group[0][3] + 1)
        for opcode in group:
            hunk.rows.extend(_rows(a, b, *opcode))
        hunks.append(hunk)
    return hunks
