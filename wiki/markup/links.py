"""Wiki links ``[[Target|label]]`` and categories, as a mistune inline plugin.

Links are resolved while Markdown is parsed (so code spans and blocks are never touched) but
rendered as markers ``\\x7fL<n>\\x7f``; once the whole page is rendered, ``LinkTable.finish``
asks ``RenderContext.existing`` once for all targets and writes blue or red ``<a>`` tags.
Per-render state travels in mistune's ``state.env["wiki_links"]``, so one Markdown instance
serves every render.

Before Markdown runs, ``protect_link_pipes`` replaces pipes inside ``[[...]]`` with
``\\x1f`` so that GFM tables do not split cells at a link's label.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import TYPE_CHECKING, Any, Match
from urllib.parse import quote

from wiki.markup.context import ParseOutput, RenderContext
from wiki.namespaces import CATEGORY
from wiki.titles import InvalidTitle, Title

if TYPE_CHECKING:
    from mistune import InlineParser, Markdown
    from mistune.core import BlockState, InlineState

_LABEL = r"(?:[^\[\]\n]|\[(?!\[)|\](?!\]))*"
WIKILINK_PATTERN = (r"\[\[(?P<wl_target>[^\[\]\n|\x1f]+)(?:[|\x1f](?P<wl_label>" + _LABEL + r"))?\]\]"
                    r"(?P<wl_trail>[^\W\d_]+)?")
_WIKILINK = re.compile(WIKILINK_PATTERN)
_LINK_PIPES = re.compile(r"\[\[[^\[\]\n]*\]\]")
_LINK_MARK = re.compile(r"\x7fL(\d+)\x7f")
_PIPE_TRICK_TAIL = re.compile(r"\s*\([^()]*\)$")
_SPACES = re.compile(r"\s+")


def anchor_for(text: str) -> str:
    """MediaWiki's (HTML5) anchor of a heading: white space runs become ``_``."""
    return _SPACES.sub("_", text.strip()) or "_"


def fragment_href(fragment: str) -> str:
    return "#" + quote(anchor_for(fragment), safe="!$'()*+,;=:@/?-._~")


def protect_link_pipes(text: str) -> str:
    return _LINK_PIPES.sub(lambda m: m.group(0).replace("|", "\x1f"), text)


def _pipe_trick(title: Title) -> str:
    return _PIPE_TRICK_TAIL.sub("", title.text.split(",", 1)[0]) or title.text


class LinkTable:
    """The links of one render, resolved to titles, rendered after the existence check."""

    def __init__(self, ctx: RenderContext, out: ParseOutput):
        self.ctx = ctx
        self.out = out
        self.entries: list[tuple[Title | None, str]] = []

    def add(self, title: Title | None, fragment: str) -> str:
        """Register a link; returns the marker standing for its opening ``<a>`` tag."""
        if title is not None:
            self.out.links.add(Title(title.namespace, title.text))
        self.entries.append((title, fragment))
        return f"\x7fL{len(self.entries) - 1}\x7f"

    def resolve(self, target: str, label: str | None) -> tuple[str, str] | None:
        """``(marker, label text)`` for a link, ``("", "")`` for a category, ``None`` if invalid.

        A ``None`` label means none was written; ``""`` is the pipe trick (``[[Help:A (b)|]]``).
        """
        text = unescape(target).strip()
        if text.startswith("#"):
            return self.add(None, text[1:].strip()), label or text
        try:
            title = self.ctx.titles.parse(text)
        except InvalidTitle:
            return None
        if title.ns == CATEGORY and not text.startswith(":"):
            self.out.add_category(title.text, (label or "").strip())
            return "", ""
        if label is None:
            label = text.lstrip(":").strip()
        elif not label.strip():
            label = _pipe_trick(title)
        return self.add(title, title.fragment), label

    def substitute(self, text: str) -> str:
        """Render the links of raw HTML (an HTML block Markdown leaves alone)."""
        def one(m: Match[str]) -> str:
            label = m.group("wl_label")
            found = self.resolve(m.group("wl_target"), None if label is None else label.replace("\x1f", "|"))
            if found is None:
                return m.group(0)
            marker, shown = found
            return marker and marker + escape(shown + (m.group("wl_trail") or ""), quote=False) + "</a>"
        return _WIKILINK.sub(one, text)

    def finish(self, html: str) -> str:
        """Check existence of every target once and write the ``<a>`` tags."""
        if not self.entries:
            return html
        pages = {t for t, _ in self.entries if t is not None and not t.is_special}
        found = self.ctx.existing(pages) if pages else set()
        tags = [self._tag(title, fragment, found) for title, fragment in self.entries]
        return _LINK_MARK.sub(lambda m: tags[int(m.group(1))], html)

    @staticmethod
    def _tag(title: Title | None, fragment: str, found: set[tuple[int, str]]) -> str:
        if title is None:
            return f'<a href="{escape(fragment_href(fragment))}">'
        name = escape(title.prefixed)
        if title.is_special or title.key in found:
            href = title.url_path + (fragment_href(fragment) if fragment else "")
            return f'<a href="{escape(href)}" title="{name}">'
        return (f'<a href="{escape(title.url_path)}?action=edit&amp;redlink=1" class="new" '
                f'title="{name} (page does not exist)">')


def parse_wikilink(inline: "InlineParser", m: Match[str], state: "InlineState") -> int | None:
    table: LinkTable | None = state.env.get("wiki_links")
    if table is None or state.in_link:
        return None
    label = m.group("wl_label")
    label = None if label is None else label.replace("\x1f", "|")
    found = table.resolve(m.group("wl_target"), label)
    if found is None:
        inline.process_text(m.group(0).replace("\x1f", "|"), state)
        return m.end()
    marker, shown = found
    if not marker:
        return m.end()
    if label is not None and label.strip():
        child = state.copy()
        child.src = shown
        child.in_link = True
        children: list[dict[str, Any]] = inline.render(child)
    else:
        children = [{"type": "text", "raw": shown}]
    if m.group("wl_trail"):
        children.append({"type": "text", "raw": m.group("wl_trail")})
    state.append_token({"type": "wikilink", "children": children, "attrs": {"marker": marker}})
    return m.end()


def render_wikilink(renderer: Any, text: str, marker: str) -> str:
    return marker + text + "</a>"


def _links_in_html_blocks(md: "Markdown", state: "BlockState") -> None:
    table: LinkTable | None = state.env.get("wiki_links")
    if table is None:
        return
    stack = list(state.tokens)
    while stack:
        token = stack.pop()
        if token.get("type") == "block_html" and "[[" in token.get("raw", ""):
            token["raw"] = table.substitute(token["raw"])
        stack.extend(token.get("children") or ())


def wikilinks(md: "Markdown") -> None:
    """The mistune plugin: ``[[...]]`` inline, and inside raw HTML blocks."""
    md.inline.register("wikilink", WIKILINK_PATTERN, parse_wikilink, before="link", start_chars="[")
    md.before_render_hooks.append(_links_in_html_blocks)
    if md.renderer is not None:
        md.renderer.register("wikilink", render_wikilink)
