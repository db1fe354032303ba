"""No script reaches the browser: known XSS payloads through every door of the engine."""

from __future__ import annotations

import re

import pytest

from tests.markup_helpers import Elements, html_of

from wiki.markup import sanitize_html
from wiki.markup.sanitize import ALLOWED_TAGS

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<body onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\" JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "[click](javascript:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<div style=\"width: expression(alert(1))\">x</div>",
    "<span onmouseover=\"alert(1)\">x</span>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<a href=\"#\" onclick=\"alert(1)\">x</a>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<scr<script>ipt>alert(1)</script>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<style>@import 'javascript:alert(1)';</style>",
    "<a href=\"java\nscript:alert(1)\">x</a>",
    "<td background=\"javascript:alert(1)\">",
    "<video><source onerror=\"alert(1)\"></video>",
]

DANGEROUS_URL = re.compile(r"^\s*(javascript|vbscript|data|jav\s*ascript):", re.I)
_C0_AND_SPACE = "".join(map(chr, range(33)))
URL_ATTRIBUTES = {"href", "src", "cite", "action", "background", "formaction", "data", "poster"}


def assert_safe(html: str) -> None:
    elements = Elements(html)
    for tag, attrs in elements.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name != "style", html
            if name in URL_ATTRIBUTES and value is not None:
                # What a browser's URL parser does: drop tab/CR/LF anywhere, trim C0 and spaces.
                compact = re.sub(r"[\t\r\n]", "", value).strip(_C0_AND_SPACE)
                assert not DANGEROUS_URL.match(compact), (name, value)
                assert not DANGEROUS_URL.match(value), (name, value)
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_plain_text(payload):
    assert_safe(html_of(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_through_template_parameters(payload):
    pages = {"Template:Box": '<div class="box">{{{1}}}</div> [{{{1}}}]({{{1}}}) {{{x|}}}'}
    assert_safe(html_of("{{Box|" + payload.replace("|", "&#124;") + "|x=" + payload + "}}", pages))
    assert_safe(html_of("{{Box|1=" + payload + "}}", pages))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_as_link_target_and_label(payload):
    flat = payload.replace("\n", " ")
    assert_safe(html_of(f"[[{flat}]] [[Page|{flat}]] [[{flat}|label]]"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_through_parser_functions(payload):
    assert_safe(html_of("{{#if: x | " + payload + " }}{{#tag:span|" + payload + "|title=" + payload + "}}"))


def test_known_payload_count():
    assert len(PAYLOADS) >= 25


def test_allowed_markup_survives_sanitizing():
    html = sanitize_html('<a href="/wiki/X" title="X" class="new">x</a><h2 id="a" dir="rtl" lang="ar">y</h2>'
                         '<a href="https://example.com">e</a><a href="mailto:a@b.c">m</a>')
    assert '<a href="/wiki/X" title="X" class="new">x</a>' in html
    assert '<h2 id="a" dir="rtl" lang="ar">y</h2>' in html
    assert 'href="https://example.com"' in html and 'href="mailto:a@b.c"' in html


def test_style_attributes_are_dropped_and_tables_keep_alignment():
    assert "style" not in sanitize_html('<p style="color:red">x</p>')
    html = html_of("| a |\n|--:|\n| 1 |\n")
    assert '<th align="right">a</th>' in html and "style" not in html
