"""Transclusion, parameters, inclusion tags, loops and limits of the markup engine."""

from __future__ import annotations

import time

from tests.markup_helpers import TITLES, html_of, make_ctx, out_of

from wiki.markup import render


def test_simple_transclusion_and_positional_params():
    pages = {"Template:Greet": "Hello {{{1}}} and {{{2|nobody}}}!"}
    assert "Hello Ann and nobody!" in html_of("{{Greet|Ann}}", pages)
    assert "Hello Ann and Bob!" in html_of("{{greet|Ann|Bob}}", pages)


def test_named_params_are_stripped_positional_are_not():
    pages = {"Template:T": "({{{name}}})({{{1}}})"}
    out = out_of("{{T| name = Ann |  x }}", pages)
    assert "(Ann)(  x )" in out.html
    assert out.template_calls[0].params == {"name": "Ann", "1": "  x "}


def test_empty_param_is_not_default():
    pages = {"Template:T": "({{{1|default}}})({{{a|dflt}}})"}
    assert "()()" in html_of("{{T||a=}}", pages)
    assert "(default)(dflt)" in html_of("{{T}}", pages)


def test_nested_defaults():
    pages = {"Template:T": "{{{a|{{{b|{{{c|none}}}}}}}}}"}
    assert "none" in html_of("{{T}}", pages)
    assert "C" in html_of("{{T|c=C}}", pages)
    assert "B" in html_of("{{T|b=B|c=C}}", pages)


def test_nested_templates_and_params_passed_down():
    pages = {"Template:Outer": "<{{Inner|{{{1}}}|x={{{2|two}}}}}>",
             "Template:Inner": "{{{1}}}/{{{x}}}"}
    assert "&lt;one/two&gt;" in html_of("{{Outer|one}}", pages)
    out = out_of("{{Outer|one}}", pages)
    assert {t.prefixed for t in out.templates} == {"Template:Outer", "Template:Inner"}
    assert [c.title.prefixed for c in out.template_calls] == ["Template:Outer"]


def test_pipes_inside_links_in_arguments():
    pages = {"Template:T": "A={{{1}}} B={{{2|none}}}", "Target": "x"}
    html = html_of("{{T|[[Target|label]]}}", pages)
    assert '<a href="/wiki/Target" title="Target">label</a>' in html
    assert "B=none" in html


def test_equals_inside_link_is_not_a_named_argument():
    pages = {"Template:T": "{{{1|missing}}}"}
    assert "a=b" in html_of("{{T|[[X|a=b]]}}", pages)


def test_unnamed_main_namespace_and_other_namespaces():
    pages = {"Main page": "main text", "Help:Box": "help text"}
    assert "main text" in html_of("{{:Main page}}", pages)
    assert "help text" in html_of("{{Help:Box}}", pages)


def test_missing_template_is_red_link():
    out = out_of("{{Nope}}")
    assert 'href="/wiki/Template:Nope?action=edit&amp;redlink=1"' in out.html
    assert 'class="new"' in out.html
    assert TITLES.parse("Template:Nope") in out.templates


def test_noinclude_includeonly_onlyinclude():
    pages = {
        "Template:A": "shown<noinclude> hidden</noinclude><includeonly> included</includeonly>",
        "Template:B": "junk<onlyinclude>only</onlyinclude>more junk<onlyinclude>+two</onlyinclude>",
    }
    assert "shown included" in html_of("{{A}}", pages)
    assert "hidden" not in html_of("{{A}}", pages)
    assert html_of("{{B}}", pages).strip() == "<p>only+two</p>"
    own = html_of(pages["Template:A"], title="Template:A")
    assert "shown hidden" in own and "included" not in own


def test_template_data_flows_into_markdown():
    pages = {"Template:Row": "| {{{1}}} | {{{2}}} |"}
    html = html_of("| a | b |\n|---|---|\n{{Row|x|y}}\n", pages)
    assert "<td>x</td>" in html and "<td>y</td>" in html


def test_code_is_not_expanded():
    pages = {"Template:T": "EXPANDED"}
    html = html_of("`{{T}}`\n\n```\n{{T}}\n```\n\n<pre>{{T}}</pre>", pages)
    assert "EXPANDED" not in html
    assert html.count("{{T}}") == 3


def test_unused_top_level_param_shows_literally():
    assert "{{{1}}}" in html_of("{{{1}}}")


def test_template_calls_record_expanded_params():
    pages = {"Template:Ticket": "t", "Template:Now": "2026"}
    out = out_of("{{Ticket|open|priority={{Now}}|note=[[A|b]]}}", pages)
    call = [c for c in out.template_calls if c.title.text == "Ticket"][0]
    assert call.params == {"1": "open", "priority": "2026", "note": "[[A|b]]"}


def test_subst_at_render_is_expanded():
    assert "hi" in html_of("{{subst:T}}", {"Template:T": "hi"})


def test_self_loop_is_visible_error():
    out = out_of("{{A}}", {"Template:A": "a {{A}}"})
    assert "Template loop detected: [[Template:A]]" in out.errors
    assert '<strong class="error">Template loop detected: <a href="/wiki/Template:A"' in out.html


def test_mutual_loop_is_visible_error():
    out = out_of("{{A}}", {"Template:A": "{{B}}", "Template:B": "{{A}}"})
    assert out.errors == ["Template loop detected: [[Template:A]]"]


def test_same_template_twice_is_not_a_loop():
    out = out_of("{{A}} {{A}} {{B}}", {"Template:A": "a", "Template:B": "{{A}}{{A}}"})
    assert not out.errors
    assert "a a aa" in out.html


def test_depth_limit():
    pages = {f"Template:D{i}": f"{{{{D{i + 1}}}}}" for i in range(60)}
    out = out_of("{{D0}}", pages)
    assert any("depth limit" in e for e in out.errors)
    assert 'class="error"' in out.html


def test_billion_laughs_finishes_fast_with_error():
    pages = {"Template:L0": "lol"}
    for i in range(1, 12):
        pages[f"Template:L{i}"] = f"{{{{L{i - 1}}}}}" * 10
    start = time.perf_counter()
    out = out_of("{{L11}}", pages)
    assert time.perf_counter() - start < 2
    assert any("limit" in e for e in out.errors)
    assert 'class="error"' in out.html
    assert len(out.html) < 3_000_000


def test_size_limit():
    pages = {"Template:Big": "x" * 1000}
    out = render("{{Big}}" * 50, make_ctx(pages, max_include_size=10_000))
    assert any("size limit" in e for e in out.errors)
    assert out.html.count("x" * 1000) == 10


def test_argument_amplification_is_bounded():
    pages = {"Template:Twice": "{{{1}}}{{{1}}}"}
    text = "a"
    for _ in range(40):
        text = "{{Twice|" + text + "}}"
    start = time.perf_counter()
    out = out_of(text, pages)
    assert time.perf_counter() - start < 2
    assert any("size limit" in e for e in out.errors)


def test_unbalanced_braces_do_not_crash():
    for text in ("{{", "}}", "{{{", "{{A|", "{{A}}}", "{{{{{1}}}}}", "[[{{A}}", "{{A|[[b}}", "{" * 500 + "}" * 3):
        render(text, make_ctx({"Template:A": "a"}))
    assert "{a" in html_of("{{{A}}", {"Template:A": "a"})


def test_invalid_template_name_is_literal():
    assert "{{a&lt;b}}" in html_of("{{a<b}}")


def test_category_from_template():
    out = out_of("{{Cat}}", {"Template:Cat": "[[Category:From template]]"})
    assert out.categories == [("From template", "")]
