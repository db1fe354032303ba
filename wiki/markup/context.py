"""The markup engine's vocabulary: what a render needs from the world and what it gives back.

``RenderContext`` is the only door between the engine and the rest of the site: page texts,
page existence, the parser functions and magic words plugged in, the clock and the acting
user all come in through it, so the engine itself never touches a database or a request.
``ParseOutput`` is everything a render produces, including the link tables a page service
stores after a save.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from wiki.titles import Title, TitleParser

if TYPE_CHECKING:
    from wiki.markup.calls import FunctionCall


@dataclass(frozen=True)
class ParserFunction:
    """A parser function, called as ``{{#name: a | b | ...}}``.

    ``handler`` receives a ``FunctionCall`` whose arguments are expanded only when asked for
    (``call.arg(i)``), so that ``#if`` expands just the branch it takes.  It returns wikitext
    (Markdown plus wiki links) that is placed in the page as it is: it is *not* scanned for
    templates again (call ``call.expand(text)`` for that) but it is rendered as Markdown.
    Raw HTML goes through ``call.html(markup)``.  Exceptions become a visible error.
    ``no_hash`` also allows the MediaWiki spelling without ``#`` (``{{lc:Text}}``).
    """

    name: str
    handler: Callable[["FunctionCall"], str]
    no_hash: bool = False


@dataclass(frozen=True)
class MagicWord:
    """A variable such as ``{{PAGENAME}}``; ``volatile`` ones make the output uncacheable."""

    name: str
    handler: Callable[["RenderContext"], str]
    volatile: bool = False


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class RenderContext:
    """Everything the engine may ask the outside world during one render."""

    title: Title
    titles: TitleParser
    #: Current text of a page, ``None`` if it does not exist (templates, ``{{:Page}}``).
    #: The site answers ``None`` too for a page some reader of this render may not read.
    fetch_text: Callable[[Title], str | None]
    #: Which of these pages exist, as a set of ``Title.key``; called once per render for links
    #: (and by ``#ifexist``).  Pages ``fetch_text`` would not show are missing here too.
    existing: Callable[[Iterable[Title]], set[tuple[int, str]]]
    parser_functions: Mapping[str, ParserFunction] = field(default_factory=dict)
    magic_words: Mapping[str, MagicWord] = field(default_factory=dict)
    now: datetime = field(default_factory=_utc_now)
    user_name: str | None = None
    revision_id: int | None = None
    #: Opaque to the engine: plugins' parser functions reach the site and database through it.
    services: Any = None
    site_name: str = "ticketwiki"
    #: Soft limits: expansion stops where one is reached and the page shows an error.
    max_depth: int = 40
    max_include_size: int = 2_000_000
    max_expansions: int = 5_000
    #: Hard limits (``limits.py``): the render is abandoned and a save refused.
    max_nodes: int = 1_000_000
    max_markdown_nodes: int = 100_000
    max_render_seconds: float = 10.0
    section_edit_links: bool = True


@dataclass(frozen=True)
class Section:
    """A heading of the rendered page; ``index`` is its editable section number or ``None``."""

    level: int
    text: str
    anchor: str
    index: int | None


@dataclass(frozen=True)
class TemplateCall:
    """A template call written on the page itself, with its arguments expanded."""

    title: Title
    params: dict[str, str]


@dataclass
class ParseOutput:
    """The result of ``render``."""

    html: str = ""
    links: set[Title] = field(default_factory=set)
    templates: set[Title] = field(default_factory=set)
    categories: list[tuple[str, str]] = field(default_factory=list)
    redirect: Title | None = None
    sections: list[Section] = field(default_factory=list)
    template_calls: list[TemplateCall] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)
    #: Why the render was abandoned at a hard limit (``limits.py``); ``html`` then shows only that.
    refused: str | None = None

    def add_category(self, name: str, sort_key: str) -> None:
        """Record a category once, at its first place, with its first sort key."""
        if all(existing != name for existing, _ in self.categories):
            self.categories.append((name, sort_key))
