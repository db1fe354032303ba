"""Rendered headings: unique anchors, section edit links and the table of contents.

Runs on the HTML Mistune produced.  A heading that carries a section marker (see
``sections.mark_headings``) came from the page's own text and gets an edit link for that
section; headings from templates get an anchor and a TOC entry only.
"""

from __future__ import annotations

import re
from html import escape, unescape

from wiki.markup.context import RenderContext, Section
from wiki.markup.links import anchor_for, fragment_href

TOC_MARK = "\x7fTOC\x7f"
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_SECTION_MARK = re.compile(r"\s*\x7fS(\d+)\x7f\s*")
_ANY_MARK = re.compile(r"\x7f[A-Z]+\d*\x7f")
_TAG = re.compile(r"<[^>]*>")
_TOC_PLACE = re.compile(r"(?:<p>)?" + TOC_MARK + r"(?:</p>\n?)?")
#: A table of contents is shown from this many headings on (MediaWiki's rule).
TOC_MIN_HEADINGS = 4


def number_headings(html: str, ctx: RenderContext, flags: set[str], sections: list[Section]) -> str:
    """Give headings ids and edit links, fill ``sections`` and place the table of contents."""
    used: set[str] = {"toc", "mw-toc-heading"}
    edit = ctx.section_edit_links and "noeditsection" not in flags
    edit_base = escape(ctx.title.url_path) + "?action=edit&amp;section="

    def heading(m: re.Match[str]) -> str:
        level, inner = int(m.group(1)), m.group(2)
        marker = _SECTION_MARK.search(inner)
        inner = _SECTION_MARK.sub("", inner).strip()
        text = unescape(_TAG.sub("", _ANY_MARK.sub("", inner))).strip()
        anchor = base = anchor_for(text)
        n = 2
        while anchor in used:
            anchor, n = f"{base}_{n}", n + 1
        used.add(anchor)
        index = int(marker.group(1)) if marker else None
        sections.append(Section(level, text, anchor, index))
        link = ""
        if edit and index is not None:
            link = (f'<span class="mw-editsection"><a href="{edit_base}{index}" '
                    f'title="Edit section: {escape(text)}">edit</a></span>')
        place = TOC_MARK if len(sections) == 1 and "toc" not in flags else ""
        return f'{place}<h{level} id="{escape(anchor)}">{inner}{link}</h{level}>'

    html = _HEADING.sub(heading, html)
    show = bool(sections) and "notoc" not in flags and (
        len(sections) >= TOC_MIN_HEADINGS or "forcetoc" in flags or "toc" in flags)
    toc = [build_toc(sections) if show else ""]

    def place(_: re.Match[str]) -> str:
        first, toc[0] = toc[0], ""
        return first

    return _TOC_PLACE.sub(place, html)


def build_toc(sections: list[Section]) -> str:
    """MediaWiki's table of contents: nested lists numbered 1, 1.1, 1.2, 2 ..."""
    out = ['<div id="toc" class="toc" role="navigation"><div class="toctitle">'
           '<h2 id="mw-toc-heading">Contents</h2></div>\n<ul>\n']
    levels: list[int] = []
    numbers: list[int] = []
    for section in sections:
        if not levels:
            levels.append(section.level)
            numbers.append(1)
        elif section.level > levels[-1]:
            out.append("\n<ul>\n")
            levels.append(section.level)
            numbers.append(1)
        else:
            out.append("</li>\n")
            while len(levels) > 1 and section.level <= levels[-2]:
                levels.pop()
                numbers.pop()
                out.append("</ul>\n</li>\n")
            levels[-1] = section.level
            numbers[-1] += 1
        number = ".".join(map(str, numbers))
        out.append(f'<li class="toclevel-{len(levels)}"><a href="{escape(fragment_href(section.anchor))}">'
                   f'<span class="tocnumber">{number}</span> '
                   f'<span class="toctext">{escape(section.text)}</span></a>')
    out.append("</li>\n" + "</ul>\n</li>\n" * (len(levels) - 1) + "</ul>\n</div>\n")
    return "".join(out)
