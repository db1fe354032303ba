"""The hard limits of a render (``wiki/markup/limits.py``): template-tree nodes, Markdown
blocks and cells, processor time, ``subst:`` growth and nesting.  Each test reaches a limit
and checks the error; none measures time."""

from __future__ import annotations

import pytest

from tests.markup_helpers import make_ctx, out_of
from wiki.markup import presave, render
from wiki.markup.limits import RenderLimitExceeded
from wiki.markup.tree import MAX_NESTING, Param, Template, parse_wikitext

#: A template that expands to nothing and costs 2,000 parameter nodes per call.
WIDE = {"Template:Wide": "{{{a|}}}" * 2000}


def _table(rows: int, columns: int) -> str:
    row = "|" + "|".join(f" c{i} " for i in range(columns)) + "|\n"
    return row + "|" + "|".join("---" for _ in range(columns)) + "|\n" + row * rows


def test_template_nodes_are_bounded_even_when_they_produce_nothing():
    # 600 calls, below the call limit, and no output to reach the size limit: only the nodes count
    out = out_of("Before {{Wide}}" + "{{Wide}}" * 600, WIDE)
    assert out.refused is not None and "1,000,000 nodes" in out.refused
    assert out.errors == [out.refused]
    assert "Before" not in out.html and 'class="error"' in out.html
    assert not out.links and not out.templates and not out.template_calls
    below = out_of("Before {{Wide}}{{Wide}}", WIDE)
    assert below.refused is None and "Before" in below.html


def test_markdown_cells_are_counted_before_they_are_rendered():
    out = render(_table(10, 10), make_ctx(max_markdown_nodes=100))
    assert out.refused is not None and "100 Markdown blocks" in out.refused and "<table>" not in out.html
    fits = render(_table(10, 5), make_ctx(max_markdown_nodes=100))
    assert fits.refused is None and fits.html.count("<td>") == 50


def test_markdown_blocks_in_lists_and_quotes_are_counted():
    assert render("- item\n" * 60, make_ctx(max_markdown_nodes=50)).refused is not None
    assert render("> quoted\n>\n" * 60, make_ctx(max_markdown_nodes=50)).refused is not None
    assert render("paragraph\n\n" * 40, make_ctx(max_markdown_nodes=50)).refused is None


def test_a_table_of_one_point_six_megabytes_is_refused_with_the_default_limits():
    text = _table(32_000, 10)  # 320,000 cells
    assert len(text.encode()) > 1_600_000
    out = out_of(text)
    assert out.refused is not None and "100,000 Markdown blocks" in out.refused


def test_processor_time_is_bounded():
    out = render("Some text {{#if: x | yes }}", make_ctx(max_render_seconds=0))
    assert out.refused is not None and "0 seconds of processor time" in out.refused


def test_subst_may_not_grow_the_text_past_the_include_size():
    ctx = make_ctx({"Template:Big": "x" * 1000}, max_include_size=10_000)
    assert presave("{{subst:Big}}" * 10, ctx) == "x" * 10_000
    with pytest.raises(RenderLimitExceeded, match="subst: would add more than 10,000 characters"):
        presave("{{subst:Big}}" * 11, ctx)


def test_subst_counts_nodes_like_a_render():
    with pytest.raises(RenderLimitExceeded, match="nodes"):
        presave("{{subst:Wide}}" * 600, make_ctx(WIDE, max_include_size=20_000_000))


@pytest.mark.parametrize("text", ["{{" * 400 + "}}" * 400, "{{{" * 300 + "}}}" * 300, "{{x|" * 400 + "}}" * 400,
                                  "[[" * 400 + "]]" * 400])
def test_deep_brace_runs_are_left_as_text(text):
    assert presave(text, make_ctx()) == text
    out = out_of(text)
    assert out.refused is None and out.errors == []


def _depth(nodes) -> int:
    """How deeply templates and parameters nest in a tree (iteratively: it may be deep)."""
    deepest, pending = 0, [(nodes, 0)]
    while pending:
        children, depth = pending.pop()
        deepest = max(deepest, depth)
        for node in children:
            if isinstance(node, (Template, Param)):
                pending.extend((part, depth + 1) for part in node.parts)
    return deepest


def test_one_run_of_braces_nests_no_deeper_than_many_runs():
    assert _depth(parse_wikitext("{{" * 400 + "x" + "}}" * 400, "view")) == 0
    calls = "{{a|" * MAX_NESTING + "}}" * MAX_NESTING  # separate runs nest as deep as allowed, no deeper
    assert _depth(parse_wikitext(calls, "view")) == MAX_NESTING
    assert _depth(parse_wikitext("{{a|" + calls + "}}", "view")) == MAX_NESTING
    nested = "{{{{{{x}}}}}}"  # a template named by a parameter, in one run of six braces
    assert _depth(parse_wikitext(nested, "view")) == 2
