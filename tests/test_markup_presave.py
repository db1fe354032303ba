"""The pre-save transform: signatures and subst:."""

from __future__ import annotations

from tests.markup_helpers import make_ctx

from wiki.markup import presave

STAMP = "21:04, 21 November 2026 (UTC)"


def test_signatures():
    ctx = make_ctx(user_name="Ann Lee")
    assert presave("a ~~~", ctx) == "a [[User:Ann Lee|Ann Lee]]"
    assert presave("a ~~~~", ctx) == f"a [[User:Ann Lee|Ann Lee]] {STAMP}"
    assert presave("a ~~~~~", ctx) == f"a {STAMP}"


def test_anonymous_signature():
    assert presave("~~~~", make_ctx()) == f"Anonymous {STAMP}"


def test_signature_alone_on_a_line_is_not_a_fence():
    assert presave("Comment\n~~~~\n", make_ctx(user_name="Bo")) == f"Comment\n[[User:Bo|Bo]] {STAMP}\n"


def test_no_signatures_in_code():
    ctx = make_ctx(user_name="Bo")
    text = "`~~~~` and\n```\n~~~~\n```\n<nowiki>~~~~</nowiki> <!-- ~~~~ -->\n"
    assert presave(text, ctx) == text
    assert presave("~~~\ncode\n~~~\n", ctx) == "~~~\ncode\n~~~\n"


def test_subst_replaces_template_text_with_params():
    ctx = make_ctx({"Template:Welcome": "Hi {{{1|there}}}, see {{Help}}.<noinclude>doc</noinclude>"})
    assert presave("{{subst:Welcome|Ann}}", ctx) == "Hi Ann, see {{Help}}."
    assert presave("{{subst:welcome}}", ctx) == "Hi there, see {{Help}}."


def test_nested_subst_and_functions():
    ctx = make_ctx({"Template:Stamp": "{{subst:#if:{{{1|}}}|{{{1}}}|none}} in {{subst:CURRENTYEAR}}"})
    assert presave("{{subst:Stamp|x}}", ctx) == "x in 2026"
    assert presave("{{safesubst:Stamp}}", ctx) == "none in 2026"


def test_subst_inside_arguments_of_a_kept_template():
    ctx = make_ctx({"Template:Year": "2026"})
    assert presave("{{Keep|{{subst:Year}}|a=[[b|c]]}}", ctx) == "{{Keep|2026|a=[[b|c]]}}"


def test_missing_template_subst_is_left():
    assert presave("{{subst:Nope|a}}", make_ctx()) == "{{subst:Nope|a}}"


def test_presave_keeps_everything_else():
    text = "<!-- note -->\n<noinclude>x</noinclude>{{T|{{{1}}}}} `{{subst:T}}` ~~"
    assert presave(text, make_ctx({"Template:T": "t"})) == text


def test_subst_loop_terminates():
    ctx = make_ctx({"Template:A": "a{{subst:A}}"})
    result = presave("{{subst:A}}", ctx)
    assert result.startswith("aaa") and "{{subst:A}}" in result
