"""The render pipeline: page text to sanitized HTML and link tables.

1. ``#REDIRECT [[Target]]`` on the first line is taken off and noted.
2. Headings of the page's own text get section markers (``sections.mark_headings``).
3. Templates, parameters, parser functions and magic words are expanded (``expand.py``).
4. Behaviour switches (``__NOTOC__`` ...) are removed and become flags.
5. Markdown (CommonMark, tables, strikethrough, task lists, footnotes, bare URLs) with the
   wiki-link plugin renders HTML; code was hidden from steps 3-4 and is put back first.
6. Headings get anchors and edit links, the table of contents is placed, links are checked
   for existence in one batch, strip markers are replaced, and the HTML is sanitized.

The Markdown instance is built once per process and shared: mistune keeps per-parse state
in the ``BlockState`` each call creates, and our per-render data rides in ``state.env``,
among it the render's ``Budget``, which the block state and the inline parser charge as
they go (``limits.py``).  A render that reaches a hard limit returns only the error.
"""

from __future__ import annotations

import re
from html import escape

import mistune
from mistune.core import BlockState, InlineState

from wiki.markup.context import ParseOutput, RenderContext
from wiki.markup.expand import Expander, strip_markers
from wiki.markup.limits import Budget, RenderLimitExceeded
from wiki.markup.links import LinkTable, protect_link_pipes, wikilinks
from wiki.markup.sanitize import sanitize_html
from wiki.markup.sections import mark_headings
from wiki.markup.toc import TOC_MARK, number_headings
from wiki.markup.tree import parse_wikitext
from wiki.titles import InvalidTitle, Title

_REDIRECT = re.compile(r"\A[ \t]*#REDIRECT[ \t]*:?[ \t]*\[\[([^\[\]\n|]+)(?:\|[^\[\]\n]*)?\]\][^\n]*\n?", re.I)
_SWITCH = re.compile(r"__(NOTOC|FORCETOC|TOC|NOEDITSECTION|NOINDEX|INDEX|NEWSECTIONLINK|NONEWSECTIONLINK"
                     r"|HIDDENCAT|NOTITLECONVERT|NOCONTENTCONVERT|DISAMBIG|STATICREDIRECT)__")
_LEFTOVER = re.compile(r"\x7f[A-Z]*\d*\x7f")
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>\n?")


def _table_cell(renderer: object, text: str, align: str | None = None, head: bool = False) -> str:
    """Table cells with ``align`` rather than a ``style`` the sanitizer would drop."""
    tag = "th" if head else "td"
    attribute = f' align="{align}"' if align in ("left", "center", "right") else ""
    return f"<{tag}{attribute}>{text}</{tag}>\n"


def _markdown_nodes(token: dict) -> int:
    """Blocks in ``token``: a table arrives whole, with its rows and cells; other blocks
    were counted as their parts were added; blank lines between blocks are not counted."""
    if token["type"] == "blank_line":
        return 0
    if token["type"] != "table":
        return 1
    head, body = token["children"]
    return 1 + len(head["children"]) + sum(1 + len(row["children"]) for row in body["children"])


class _BudgetedState(BlockState):
    """mistune's block state, charging the render's budget for every block it records
    (child states of lists and quotes are made of the same class)."""

    def append_token(self, token: dict) -> None:
        self.env["budget"].markdown(_markdown_nodes(token))
        super().append_token(token)

    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        if last and last["type"] == "paragraph":
            self.env["budget"].check_time()
        else:
            self.env["budget"].markdown(1)
        super().add_paragraph(text)


class _BudgetedInline(mistune.InlineParser):
    """mistune's inline parser, watching the render's clock between runs of text."""

    def process_text(self, text: str, state: InlineState, parse_emphasis: bool = True) -> None:
        state.env["budget"].check_time()
        super().process_text(text, state, parse_emphasis)


def _build_markdown() -> mistune.Markdown:
    # what mistune.create_markdown(escape=False, plugins=...) builds, with our inline parser
    md = mistune.Markdown(
        renderer=mistune.HTMLRenderer(escape=False),
        inline=_BudgetedInline(),
        plugins=[mistune.import_plugin(name) for name in
                 ("table", "strikethrough", "task_lists", "footnotes", "url")] + [wikilinks],
    )
    assert md.renderer is not None
    md.renderer.register("table_cell", _table_cell)
    return md


_MARKDOWN = _build_markdown()


def _switches(text: str, flags: set[str]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1).lower()
        first_toc = name == "toc" and "toc" not in flags
        flags.add(name)
        return TOC_MARK if first_toc else ""
    return _SWITCH.sub(one, text) if "__" in text else text


def _redirect(text: str, ctx: RenderContext) -> tuple[str, Title | None]:
    m = _REDIRECT.match(text)
    if m is None:
        return text, None
    try:
        return text[m.end():], ctx.titles.parse(m.group(1))
    except InvalidTitle:
        return text, None


def render(text: str, ctx: RenderContext) -> ParseOutput:
    """Render page ``text`` as the page ``ctx.title`` (see the module docstring)."""
    try:
        return _render(text, ctx)
    except RenderLimitExceeded as exc:
        return _refused(str(exc))
    except RecursionError:
        return _refused("The page is nested too deeply to render.")


def _refused(message: str) -> ParseOutput:
    return ParseOutput(html=f'<p><strong class="error">{escape(message)}</strong></p>\n', errors=[message],
                       refused=message)


def _render(text: str, ctx: RenderContext) -> ParseOutput:
    out = ParseOutput()
    budget = Budget(ctx)
    body, out.redirect = _redirect(strip_markers(text.replace("\r\n", "\n")), ctx)
    expander = Expander(ctx, out, budget)
    links = LinkTable(ctx, out)
    wikitext = expander.expand(parse_wikitext(mark_headings(body), "view"), expander.page)
    if expander.stopped is not None and expander.stopped not in wikitext:
        wikitext = expander.stopped + "\n\n" + wikitext
    wikitext = expander.restore_code(protect_link_pipes(_switches(wikitext, out.flags)))
    state = _BudgetedState()
    state.env["wiki_links"] = links
    state.env["budget"] = budget
    html, _ = _MARKDOWN.parse(wikitext, state)
    assert isinstance(html, str)
    html = number_headings(html, ctx, out.flags, out.sections)
    if out.redirect is not None:
        target = out.redirect
        marker = links.add(Title(target.namespace, target.text), target.fragment)
        shown = escape(target.prefixed + (f"#{target.fragment}" if target.fragment else ""))
        html = f'<div class="mw-redirect">Redirect to: {marker}{shown}</a></div>\n' + html
    html = expander.restore_html(links.finish(html))
    html = _EMPTY_PARAGRAPH.sub("", _LEFTOVER.sub("", html).replace("\x1f", "|"))
    out.html = sanitize_html(html)
    return out
