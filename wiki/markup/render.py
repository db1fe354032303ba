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
in the ``BlockState`` each call creates, and our per-render data rides in ``state.env``.
"""

from __future__ import annotations

import re
from html import escape

import mistune
from mistune.core import BlockState

from wiki.markup.context import ParseOutput, RenderContext
from wiki.markup.expand import Expander, strip_markers
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


def _build_markdown() -> mistune.Markdown:
    md = mistune.create_markdown(
        escape=False,
        plugins=["table", "strikethrough", "task_lists", "footnotes", "url", wikilinks],
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
    out = ParseOutput()
    body, out.redirect = _redirect(strip_markers(text.replace("\r\n", "\n")), ctx)
    expander = Expander(ctx, out)
    links = LinkTable(ctx, out)
    wikitext = expander.expand(parse_wikitext(mark_headings(body), "view"), expander.page)
    if expander.stopped is not None and expander.stopped not in wikitext:
        wikitext = expander.stopped + "\n\n" + wikitext
    wikitext = expander.restore_code(protect_link_pipes(_switches(wikitext, out.flags)))
    state = BlockState()
    state.env["wiki_links"] = links
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
