"""Three-way merge of page texts, for saves based on an older revision.

merge3 (the breezy project's maintained merge library) finds the regions where the two
edits disagree; a region in which both sides changed *different* lines of the base (for
example two neighbouring lines) is merged line by line before it is called a conflict,
so two people editing adjacent lines both keep their change.  Two pure insertions at the
same place (two people each adding a section at the end of a page) are both kept, the
text saved first before the other; only edits that replace or delete the same base lines
conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import merge3


@dataclass
class MergeResult:
    text: str
    conflict: bool


#: ``(base_start, base_end, replacement lines)``; an insertion has ``base_start == base_end``.
Edit = tuple[int, int, tuple[str, ...]]


def _edits(base: list[str], other: list[str]) -> list[Edit]:
    """Every change from ``base`` to ``other``."""
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, tuple(other[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _clash(a: Edit, b: Edit) -> bool:
    """Whether two different edits touch the same base lines (insertions never clash)."""
    (a1, a2, _), (b1, b2, _) = a, b
    if a1 == a2 and b1 == b2:
        return False
    if a1 == a2:
        return b1 < a1 < b2
    if b1 == b2:
        return a1 < b1 < a2
    return a1 < b2 and b1 < a2


def _merge_region(base: list[str], mine: list[str], theirs: list[str]) -> list[str] | None:
    """Apply both sides' edits to ``base`` when no two of them touch the same lines.

    ``theirs`` was saved first, so at one insertion point its lines come before ``mine``.
    """
    ours, others = _edits(base, mine), _edits(base, theirs)
    if any(_clash(a, b) for a in ours for b in others if a != b):
        return None
    edits = others + [edit for edit in ours if edit not in others]
    edits.sort(key=lambda edit: (edit[0], edit[1]))  # stable: at a tie, theirs stays first
    out: list[str] = []
    pos = 0
    for start, end, lines in edits:
        out.extend(base[pos:start])
        out.extend(lines)
        pos = end
    out.extend(base[pos:])
    return out


def three_way(base: str, mine: str, theirs: str) -> MergeResult:
    """Merge ``mine`` and ``theirs``, two edits of ``base``."""
    b, m, t = (s.splitlines(keepends=True) for s in (base, mine, theirs))
    for lines in (b, m, t):
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
    out: list[str] = []
    for region in merge3.Merge3(b, m, t).merge_regions():
        kind = region[0]
        if kind == "unchanged":
            out.extend(b[region[1] : region[2]])
        elif kind in ("a", "same"):
            out.extend(m[region[1] : region[2]])
        elif kind == "b":
            out.extend(t[region[1] : region[2]])
        else:
            _, z1, z2, a1, a2, b1, b2 = region
            merged = _merge_region(b[z1:z2], m[a1:a2], t[b1:b2])
            if merged is None:
                return MergeResult(text=mine, conflict=True)
            out.extend(merged)
    text = "".join(out)
    if not (mine.endswith("\n") or theirs.endswith("\n")):
        text = text[:-1] if text.endswith("\n") else text
    return MergeResult(text=text, conflict=False)
