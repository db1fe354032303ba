"""Three-way merge of page texts, for saves based on an older revision.

merge3 (the breezy project's maintained merge library) finds the regions where the two
edits disagree; a region in which both sides changed *different* lines of the base (for
example two neighbouring lines) is merged line by line before it is called a conflict,
so two people editing adjacent lines both keep their change.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import merge3


@dataclass
class MergeResult:
    text: str
    conflict: bool


def _edits(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """``(base_start, base_end, replacement)`` for every change from ``base`` to ``other``."""
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _clash(a: tuple[int, int, list[str]], b: tuple[int, int, list[str]]) -> bool:
    (a1, a2, _), (b1, b2, _) = a, b
    if a1 == a2 and b1 == b2:
        return a1 == b1  # two insertions at one place
    if a1 == a2:
        return b1 < a1 < b2
    if b1 == b2:
        return a1 < b1 < a2
    return a1 < b2 and b1 < a2


def _merge_region(base: list[str], mine: list[str], theirs: list[str]) -> list[str] | None:
    """Apply both sides' edits to ``base`` when no two of them touch the same lines."""
    ours, others = _edits(base, mine), _edits(base, theirs)
    for a in ours:
        for b in others:
            if _clash(a, b) and a != b:
                return None
    edits = sorted({(e[0], e[1], tuple(e[2])) for e in ours + others}, key=lambda e: (e[0], e[1]))
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
