"""The markup engine: Markdown with MediaWiki's links, templates and parser functions.

A pure library: it reads nothing but its arguments and the ``RenderContext``.  Modules:
``context`` (types), ``code`` (what is code), ``tree`` (wikitext to a template tree),
``expand`` (template expansion and limits), ``calls`` (what a parser function sees),
``corefunctions`` (built-in parser functions and magic words), ``links`` (wiki links and
categories), ``sections`` (section split and replace), ``toc`` (anchors, edit links, table
of contents), ``presave`` (signatures and ``subst:``), ``sanitize`` (the HTML allow-list)
and ``render`` (the pipeline).
"""

from wiki.markup.calls import FunctionCall
from wiki.markup.context import (
    MagicWord,
    ParseOutput,
    ParserFunction,
    RenderContext,
    Section,
    TemplateCall,
)
from wiki.markup.corefunctions import CORE_MAGIC_WORDS, CORE_PARSER_FUNCTIONS
from wiki.markup.presave import presave
from wiki.markup.render import render
from wiki.markup.sanitize import sanitize_html
from wiki.markup.sections import SectionNotFound, replace_section, split_sections

__all__ = [
    "CORE_MAGIC_WORDS",
    "CORE_PARSER_FUNCTIONS",
    "FunctionCall",
    "MagicWord",
    "ParseOutput",
    "ParserFunction",
    "RenderContext",
    "Section",
    "SectionNotFound",
    "TemplateCall",
    "presave",
    "render",
    "replace_section",
    "sanitize_html",
    "split_sections",
]
