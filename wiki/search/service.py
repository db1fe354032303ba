"""Searching for an actor: the backend's hits, re-checked page by page against the policy.

The backend already leaves out what the actor's ``ReadScope`` excludes; every hit is then
looked up in the database and shown only if the page still exists and ``Policy.allows``
the actor to read it (plugins' policy rules are not part of the scope, and the index may
lag a moment behind the database).  Titles shown come from the database, not the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.models import Page, Revision
from wiki.permissions import Actor
from wiki.search.backend import SearchQuery
from wiki.search.indexer import backend
from wiki.site import Site
from wiki.titles import InvalidTitle, Title

MAX_LIMIT = 100
#: Below this many results a "did you mean" correction is looked for.
SUGGEST_BELOW = 5


@dataclass(frozen=True)
class Found:
    title: Title
    snippet: str
    score: float
    #: When the page last changed (its current revision), from the database.
    modified: datetime


@dataclass
class SearchPage:
    total: int
    results: list[Found]
    suggestion: str | None = None


def _readable(site: Site, session: Session, actor: Actor, page_ids: list[int]) -> dict[int, tuple[Title, datetime]]:
    """``page id -> (title, time of the current revision)`` of the pages ``actor`` may read."""
    rows = session.execute(select(Page, Revision.timestamp).join(Revision, Revision.id == Page.latest_id)
                           .where(Page.id.in_(page_ids), Page.deleted.is_(False))).all()
    found = {}
    for page, modified in rows:
        if page.namespace not in site.namespaces:
            continue
        title = site.titles.make(page.namespace, page.title)
        if site.policy.allows(actor, "read", title, page):
            found[page.id] = (title, modified)
    return found


def search_pages(site: Site, session: Session, actor: Actor, query: SearchQuery, limit: int = 20,
                 offset: int = 0, suggest: bool = True) -> SearchPage:
    """One page of results for ``query`` as ``actor`` may see them."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise ValueError(f"offset must not be negative, not {offset}")
    if query.is_empty:
        return SearchPage(total=0, results=[])
    scope = site.policy.read_scope(actor)
    engine = backend(site)
    results = engine.search(query, scope, limit=limit, offset=offset)
    readable = _readable(site, session, actor, [hit.page_id for hit in results.hits])
    shown = []
    for hit in results.hits:
        if hit.page_id in readable:
            title, modified = readable[hit.page_id]
            shown.append(Found(title, hit.snippet, hit.score, modified))
    hidden = len(results.hits) - len(shown)
    suggestion = None
    if suggest and offset == 0 and results.total < SUGGEST_BELOW:
        suggestion = engine.suggest(query, scope)
    return SearchPage(total=results.total - hidden, results=shown, suggestion=suggestion)


def exact_match(site: Site, session: Session, actor: Actor, text: str) -> Title | None:
    """The page ``text`` names exactly, if it exists and ``actor`` may read it (the "Go" target)."""
    try:
        title = site.titles.parse(text)
    except InvalidTitle:
        return None
    if title.is_special:
        return title if title.text.split("/")[0].casefold() in site.special_pages else None
    page = site.get_page(session, title)
    if page is None or page.deleted or not site.policy.allows(actor, "read", title, page):
        return None
    return title


def title_suggestions(site: Site, session: Session, actor: Actor, prefix: str, limit: int = 10) -> list[str]:
    """Titles the actor may read that start with ``prefix`` (for the search box)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    shown = []
    for text in backend(site).titles_with_prefix(prefix, site.policy.read_scope(actor), limit=limit):
        title = site.titles.parse(text)
        page = site.get_page(session, title)
        if page is not None and not page.deleted and site.policy.allows(actor, "read", title, page):
            shown.append(title.prefixed)
    return shown
