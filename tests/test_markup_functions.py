"""Parser functions, magic words and the ParserFunction handler contract."""

from __future__ import annotations


import pytest

from tests.markup_helpers import CORE_PARSER_FUNCTIONS, html_of, make_ctx, out_of

from wiki.markup import FunctionCall, ParserFunction, render
from wiki.markup.corefunctions import evaluate_expression


def text_of(wikitext: str, pages: dict[str, str] | None = None, **kwargs) -> str:
    html = html_of(wikitext, pages, **kwargs).strip()
    assert html.startswith("<p>") and html.endswith("</p>"), html
    return html[3:-4]


@pytest.mark.parametrize("source, expected", [
    ("{{#if: x | yes | no}}", "yes"),
    ("{{#if:   | yes | no}}", "no"),
    ("{{#if: x | a=b | no}}", "a=b"),
    ("{{#if: | yes }}", ""),
    ("{{#ifeq: 01 | 1 | same | different}}", "same"),
    ("{{#ifeq: a | A | same | different}}", "different"),
    ("{{#switch: b | a = A | b = B | #default = D}}", "B"),
    ("{{#switch: z | a = A | b = B | #default = D}}", "D"),
    ("{{#switch: z | a = A | b = B | last}}", "last"),
    ("{{#switch: b | a | b | c = ABC | d = D}}", "ABC"),
    ("{{#switch: z | a = A }}", ""),
    ("{{#switch: 1.0 | 1 = one | two}}", "one"),
    ("{{#expr: (2 + 3) * 4}}", "20"),
    ("{{#expr: 7 mod 3}}", "1"),
    ("{{#expr: 1/4}}", "0.25"),
    ("{{#expr: 2 = 2 and 3 > 1}}", "1"),
    ("{{lc: ABC}}", "abc"),
    ("{{uc:abc}}", "ABC"),
    ("{{ucfirst:abc}}", "Abc"),
    ("{{lcfirst:ABC}}", "aBC"),
    ("{{urlencode:a b&c}}", "a+b%26c"),
    ("{{padleft:7|3}}", "007"),
    ("{{padleft:7|5|ab}}", "abab7"),
    ("{{padright:7|3|x}}", "7xx"),
    ("{{#len: hello }}", "5"),
    ("{{formatnum:1234567.5}}", "1,234,567.5"),
    ("{{ns:14}}", "Category"),
    ("{{localurl:Help:A b|action=edit}}", "/wiki/Help:A_b?action=edit"),
])
def test_core_functions(source, expected):
    assert text_of("(" + source + ")") == f"({expected})".replace("&", "&amp;")


def test_switch_and_if_expand_only_the_taken_branch():
    pages = {"Template:Boom": "{{Boom2}}"}
    out = out_of("{{#if: x | fine | {{Boom}} }}{{#switch: a | a = ok | b = {{Boom}} }}", pages)
    assert "fineok" in out.html
    assert not out.templates


def test_ifexist_uses_existing_and_records_link():
    out = out_of("{{#ifexist: Help:Guide | yes | no}} {{#ifexist: Nope | yes | no}} {{#ifexist: a<b | yes | no}}",
                 {"Help:Guide": "x"})
    assert "yes no no" in out.html
    assert {t.prefixed for t in out.links} == {"Help:Guide", "Nope"}


def test_expr_errors_are_visible():
    out = out_of("{{#expr: 1/0}} {{#expr: 2 ** bad}}")
    assert out.html.count('class="error"') == 2
    with pytest.raises(ValueError):
        evaluate_expression("__import__('os')")
    with pytest.raises(ValueError):
        evaluate_expression("9^99999")


def test_tag_function():
    assert '<span class="x">hi <em>there</em></span>' in html_of("{{#tag:span|hi *there*|class=x}}")
    assert 'class="error"' in html_of("{{#tag:script|alert(1)}}")


def test_unknown_function_is_visible_error():
    out = out_of("{{#nosuch: x}}")
    assert out.errors == ["Unknown parser function: #nosuch"]
    assert '<strong class="error">Unknown parser function: #nosuch</strong>' in out.html


def test_function_lookup_is_case_insensitive():
    assert text_of("{{#IF: x | yes}}") == "yes"


def test_magic_words():
    ctx_kwargs = {"title": "Help:Billing/Invoices/2026", "revision_id": 42}
    cases = {
        "PAGENAME": "Billing/Invoices/2026", "FULLPAGENAME": "Help:Billing/Invoices/2026",
        "NAMESPACE": "Help", "NAMESPACENUMBER": "12", "TALKPAGENAME": "Help talk:Billing/Invoices/2026",
        "BASEPAGENAME": "Billing/Invoices", "ROOTPAGENAME": "Billing", "SUBPAGENAME": "2026",
        "CURRENTYEAR": "2026", "CURRENTMONTH": "11", "CURRENTDAY": "21", "CURRENTTIME": "21:04",
        "CURRENTTIMESTAMP": "20261121210405", "REVISIONID": "42", "CURRENTMONTHNAME": "November",
    }
    for word, expected in cases.items():
        assert text_of("{{" + word + "}}", **ctx_kwargs) == expected, word


def test_time_magic_words_mark_output_volatile():
    assert "volatile" in out_of("{{CURRENTYEAR}}").flags
    assert "volatile" not in out_of("{{PAGENAME}}").flags


def test_magic_word_names_are_case_sensitive():
    out = out_of("{{pagename}}")
    assert "Template:Pagename" in {t.prefixed for t in out.templates}


def test_functions_only_from_context():
    out = render("{{#if: x | yes}}", make_ctx(parser_functions={}))
    assert out.errors == ["Unknown parser function: #if"]


def _plugin_ctx(*functions: ParserFunction, pages=None):
    table = {f.name: f for f in CORE_PARSER_FUNCTIONS}
    table.update({f.name: f for f in functions})
    return make_ctx(pages, parser_functions=table)


def test_plugin_function_contract():
    seen = {}

    def balance(call: FunctionCall) -> str:
        seen["count"] = call.count
        seen["raw"] = call.raw(1)
        seen["named"] = call.named()
        seen["positional"] = call.positional()
        seen["services"] = call.services
        call.flag("volatile")
        call.extra["balance"] = 12
        return "**" + call.arg(0) + "**"

    ctx = _plugin_ctx(ParserFunction("balance", balance), pages={"Template:X": "ex"})
    out = render("{{#balance: ACME | {{X}} | currency = EUR }}", ctx)
    assert "<strong>ACME</strong>" in out.html
    assert seen["count"] == 3 and seen["raw"] == " {{X}} "
    assert seen["named"] == {"currency": "EUR"}
    assert seen["positional"] == ["ACME", "ex"]
    assert seen["services"] is ctx.services
    assert "volatile" in out.flags and out.extra["balance"] == 12


def test_function_output_is_not_reexpanded_but_expand_is_available():
    ctx = _plugin_ctx(
        ParserFunction("literal", lambda call: "{{X}}"),
        ParserFunction("expanded", lambda call: call.expand("{{X}}")),
        pages={"Template:X": "ex"},
    )
    html = render("{{#literal:}} {{#expanded:}}", ctx).html
    assert "{{X}} ex" in html


def test_function_html_goes_through_sanitizer():
    ctx = _plugin_ctx(ParserFunction("table", lambda call: call.html(
        '<table class="t"><tr><td onclick="x()">1</td></tr></table><script>bad()</script>')))
    html = render("{{#table:}}", ctx).html
    assert '<table class="t"><tr><td>1</td></tr></table>' in html.replace("<tbody>", "").replace("</tbody>", "")
    assert "script" not in html and "onclick" not in html


def test_function_exception_is_visible_error():
    def broken(call: FunctionCall) -> str:
        raise RuntimeError("database down")

    out = render("a {{#broken: x}} b", _plugin_ctx(ParserFunction("broken", broken)))
    assert out.errors == ["Error in #broken: database down"]
    assert "a " in out.html and " b" in out.html


def test_function_arguments_expanded_lazily_and_once():
    calls = []

    def counter(call: FunctionCall) -> str:
        calls.append(1)
        return "c"

    def pick(call: FunctionCall) -> str:
        return call.arg(1) + call.arg(1)

    ctx = _plugin_ctx(ParserFunction("counter", counter), ParserFunction("pick", pick))
    html = render("{{#pick: x | {{#counter:}} | {{#counter:}} }}", ctx).html
    assert "cc" in html and len(calls) == 1
