"""Headings, anchors, table of contents, behaviour switches and section editing."""

from __future__ import annotations


import pytest

from tests.markup_helpers import html_of, out_of

from wiki.markup import SectionNotFound, replace_section, split_sections

PAGE = """Intro text.

## First
one
### Sub
sub text
```
## not a heading
```
Setext
======
body
## First
last
"""


def test_split_sections_round_trip():
    pieces = split_sections(PAGE)
    assert "".join(pieces) == PAGE
    assert pieces[0] == "Intro text.\n\n"
    assert pieces[1] == "## First\none\n"
    assert pieces[2].startswith("### Sub") and "## not a heading" in pieces[2]
    assert pieces[3] == "Setext\n======\nbody\n"
    assert pieces[4] == "## First\nlast\n"
    assert len(pieces) == 5


def test_split_without_headings_and_empty():
    assert split_sections("just text") == ["just text"]
    assert split_sections("") == [""]
    assert split_sections("# Top\nx") == ["", "# Top\nx"]


def test_thematic_break_and_lists_are_not_setext():
    assert len(split_sections("text\n\n---\n- item\n---\n")) == 1
    assert len(split_sections("#hashtag\n")) == 1


def test_replace_section():
    new = replace_section(PAGE, 1, "## Renamed\nnew body")
    assert "## Renamed\nnew body\n### Sub" in new
    assert split_sections(new)[0] == "Intro text.\n\n"
    assert replace_section(PAGE, 0, "Intro text.\n\n") == PAGE
    for i, piece in enumerate(split_sections(PAGE)):
        assert replace_section(PAGE, i, piece) == PAGE


def test_replace_last_section_and_delete():
    assert replace_section(PAGE, 4, "## First\nchanged\n").endswith("## First\nchanged\n")
    assert "### Sub" not in replace_section(PAGE, 2, "")


def test_replace_section_bad_index():
    with pytest.raises(KeyError) as err:
        replace_section(PAGE, 9, "x")
    assert "Section 9 does not exist" in str(err.value)
    assert isinstance(err.value, SectionNotFound)
    with pytest.raises(KeyError):
        replace_section(PAGE, -1, "x")
    with pytest.raises(ValueError):
        replace_section(PAGE, "1", "x")  # type: ignore[arg-type]


def test_sections_output_and_edit_links():
    out = out_of(PAGE, title="Help:Guide")
    assert [(s.level, s.text, s.anchor, s.index) for s in out.sections] == [
        (2, "First", "First", 1), (3, "Sub", "Sub", 2), (1, "Setext", "Setext", 3), (2, "First", "First_2", 4)]
    assert ('<h2 id="First">First<span class="mw-editsection"><a href="/wiki/Help:Guide?action=edit&amp;section=1"'
            in out.html)
    assert 'id="First_2"' in out.html and "section=4" in out.html


def test_toc_from_four_headings_before_first_heading():
    out = out_of(PAGE)
    assert out.html.index('<div id="toc" class="toc"') < out.html.index("<h2 id=\"First\"")
    assert out.html.index("Intro text.") < out.html.index('id="toc"')
    assert '<a href="#First_2"><span class="tocnumber">' in out.html
    assert '<span class="tocnumber">1.1</span> <span class="toctext">Sub</span>' in out.html


def test_no_toc_below_four_headings_unless_forced():
    assert 'id="toc"' not in html_of("## a\n## b\n## c\n")
    assert 'id="toc"' in html_of("__FORCETOC__\n## a\n")
    assert 'id="toc"' not in html_of("__NOTOC__\n" + PAGE)


def test_toc_switch_places_toc():
    html = html_of("## a\ntext\n\n__TOC__\n\n## b\n")
    assert html.index('id="a"') < html.index('id="toc"') < html.index('id="b"')
    assert "__TOC__" not in html


def test_switches_become_flags():
    out = out_of("__NOTOC__ __NOEDITSECTION__ __NOINDEX__ text")
    assert {"notoc", "noeditsection", "noindex"} <= out.flags
    assert "__" not in out.html


def test_switches_in_code_are_kept():
    out = out_of("`__NOTOC__`")
    assert "__NOTOC__" in out.html and "notoc" not in out.flags


def test_noeditsection_and_context_switch():
    assert "mw-editsection" not in html_of("__NOEDITSECTION__\n## a\n")
    assert "mw-editsection" not in html_of("## a\n", section_edit_links=False)


def test_template_headings_have_no_edit_link():
    out = out_of("## Own\n{{H}}\n## Own 2\n", {"Template:H": "## From template"})
    assert [(s.text, s.index) for s in out.sections] == [("Own", 1), ("From template", None), ("Own 2", 2)]
    assert out.html.count("mw-editsection") == 2


def test_heading_anchor_text_is_plain():
    out = out_of("## Hello *world* [[Target|link]]\n## Hello world link\n")
    assert [s.anchor for s in out.sections] == ["Hello_world_link", "Hello_world_link_2"]
    assert out.sections[0].text == "Hello world link"


def test_code_fence_headings_not_rendered_as_headings():
    out = out_of("```\n# not\n```\n")
    assert out.sections == []
