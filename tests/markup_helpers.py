"""Helpers for the markup tests: a site of pages held in a dict, and a context factory."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

from wiki.markup import CORE_MAGIC_WORDS, CORE_PARSER_FUNCTIONS, ParseOutput, RenderContext, render
from wiki.namespaces import CORE_NAMESPACE_DIR, NamespaceRegistry, load_namespace_dir
from wiki.titles import Title, TitleParser

NOW = datetime(2026, 11, 21, 21, 4, 5, tzinfo=timezone.utc)


def make_titles() -> TitleParser:
    registry = NamespaceRegistry()
    for ns in load_namespace_dir(CORE_NAMESPACE_DIR):
        registry.add(ns)
    return TitleParser(registry)


TITLES = make_titles()


class Site:
    """Pages by prefixed title; counts how often existence is asked."""

    def __init__(self, pages: dict[str, str] | None = None):
        self.pages = {TITLES.parse(name).key: text for name, text in (pages or {}).items()}
        self.existence_calls = 0

    def fetch(self, title: Title) -> str | None:
        return self.pages.get(title.key)

    def existing(self, titles) -> set[tuple[int, str]]:
        self.existence_calls += 1
        return {t.key for t in titles if t.key in self.pages}


def make_ctx(pages: dict[str, str] | None = None, title: str = "Test page", **kwargs) -> RenderContext:
    site = kwargs.pop("site", None) or Site(pages)
    kwargs.setdefault("parser_functions", {f.name: f for f in CORE_PARSER_FUNCTIONS})
    kwargs.setdefault("magic_words", {w.name: w for w in CORE_MAGIC_WORDS})
    kwargs.setdefault("now", NOW)
    ctx = RenderContext(title=TITLES.parse(title), titles=TITLES, fetch_text=site.fetch,
                        existing=site.existing, **kwargs)
    ctx.services = site
    return ctx


def html_of(text: str, pages: dict[str, str] | None = None, **kwargs) -> str:
    return render(text, make_ctx(pages, **kwargs)).html


def out_of(text: str, pages: dict[str, str] | None = None, **kwargs) -> ParseOutput:
    return render(text, make_ctx(pages, **kwargs))


class Elements(HTMLParser):
    """Every start tag of a fragment as ``(tag, {attribute: value})``, and the text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]
