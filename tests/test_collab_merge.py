"""The three-way merge of concurrent edits (``wiki.merge.three_way``): what merges, in which
order, and what is still a conflict.  ``mine`` is the edit being saved, ``theirs`` the text
saved meanwhile."""

from __future__ import annotations

import pytest

from wiki.merge import three_way

BASE = "Intro\n\nfirst point\n\nsecond point\n"


def test_two_sections_added_at_the_end_are_both_kept_first_saved_first():
    theirs = BASE + "\n== Reply ==\nOn our way.\n"
    mine = BASE + "\n== Detail ==\nThe printer is in room 4.\n"
    result = three_way(BASE, mine, theirs)
    assert not result.conflict
    assert result.text == BASE + "\n== Reply ==\nOn our way.\n" + "\n== Detail ==\nThe printer is in room 4.\n"


def test_appends_to_a_text_without_final_newline_merge():
    base = "{{Ticket\n|Number=1001\n}}"
    theirs = base + "\n\n== Reply ==\nOn our way."
    mine = base + "\n\nA paragraph."
    result = three_way(base, mine, theirs)
    assert not result.conflict
    assert result.text == base + "\n\n== Reply ==\nOn our way.\n\nA paragraph."


def test_two_lines_inserted_after_the_same_line_are_both_kept():
    theirs = BASE.replace("first point\n", "first point\nfrom Alice\n")
    mine = BASE.replace("first point\n", "first point\nfrom Bob\n")
    result = three_way(BASE, mine, theirs)
    assert not result.conflict
    assert result.text == BASE.replace("first point\n", "first point\nfrom Alice\nfrom Bob\n")


def test_insertions_merge_beside_changes_elsewhere():
    theirs = BASE.replace("Intro", "Introduction") + "\nAlice's section\n"
    mine = BASE.replace("first point", "first point, amended") + "\nBob's section\n"
    result = three_way(BASE, mine, theirs)
    assert not result.conflict
    assert result.text == ("Introduction\n\nfirst point, amended\n\nsecond point\n"
                           "\nAlice's section\n\nBob's section\n")


def test_the_same_insertion_on_both_sides_is_kept_once():
    both = BASE + "Same line\n"
    result = three_way(BASE, both, both)
    assert not result.conflict and result.text == both


@pytest.mark.parametrize("mine, theirs", [
    (BASE.replace("first point", "first point, by Bob"), BASE.replace("first point", "first point, by Alice")),
    (BASE.replace("first point\n", ""), BASE.replace("first point", "first point, by Alice")),
    (BASE.replace("second point\n", "second point, by Bob\nmore\n"), BASE.replace("second point\n", "")),
])
def test_changes_to_the_same_lines_still_conflict(mine, theirs):
    result = three_way(BASE, mine, theirs)
    assert result.conflict and result.text == mine


def test_neighbouring_line_changes_merge():
    theirs = BASE.replace("first point", "first point, by Alice")
    mine = BASE.replace("second point", "second point, by Bob")
    result = three_way(BASE, mine, theirs)
    assert not result.conflict
    assert result.text == "Intro\n\nfirst point, by Alice\n\nsecond point, by Bob\n"
