"""Keeping the search index in step with the database: outbox, catch-up, rebuild, check.

Every change that makes a page's index entry stale writes a ``search_queue`` row inside
its own transaction (``schedule``).  Once the transaction commits, ``apply_queue`` reads
the pages' current state, updates the index and deletes the rows; if the process dies in
between, the rows survive and the next start (first request, or the ``search.outbox``
job) applies them.  Applying is serialised across threads and processes by the database
(SQLite's write lock, a PostgreSQL advisory lock) and reads the page state only once it
holds that lock, so an older state can never overwrite a newer one in the index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, event, func, select, text
from sqlalchemy.orm import Session

from wiki.markup import ParseOutput
from wiki.models import Page
from wiki.pages import after_commit
from wiki.search.backend import SearchBackend, SearchDocument
from wiki.search.documents import build_documents
from wiki.search.models import SearchQueueItem
from wiki.site import Site

log = logging.getLogger(__name__)

BATCH = 500
#: Documents per index commit during a rebuild; between commits, saves can update the index.
REBUILD_COMMIT = 20_000
#: PostgreSQL advisory lock key of the indexer ("tw-search").
ADVISORY_KEY = 0x74772D736561
_PENDING = "search_pending"


def backend(site: Site) -> SearchBackend:
    """The site's search backend (set when the site starts, by ``wiki.search.hooks``)."""
    return site.search_backend


def schedule(site: Site, session: Session, page_id: int, reason: str, output: tuple[int, ParseOutput] | None = None
             ) -> None:
    """Queue ``page_id`` for re-indexing in the caller's transaction; apply after the commit.

    :param output: ``(revision id, ParseOutput)`` the caller already rendered, to spare a render.
    """
    session.add(SearchQueueItem(page_id=page_id, reason=reason[:20]))
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {"pages": set(), "outputs": {}}
        after_commit(session, lambda: _apply_after_commit(site, session.info.pop(_PENDING, pending)))
        if not session.info.get("search_listens"):
            session.info["search_listens"] = True
            # A rolled-back transaction drops its callbacks (and rows); start afresh next time.
            event.listen(session, "after_rollback",
                         lambda s: None if s.in_nested_transaction() else s.info.pop(_PENDING, None))
    pending["pages"].add(page_id)
    if output is not None:
        pending["outputs"][output[0]] = output[1]


def _apply_after_commit(site: Site, pending: dict) -> None:
    try:
        apply_queue(site, page_ids=pending["pages"], outputs=pending["outputs"])
    except Exception:  # the rows stay queued; the next catch-up repairs the index
        log.exception("search index not updated for pages %s", sorted(pending["pages"]))


def _serialise(session: Session) -> None:
    """Hold the indexer's lock until the transaction ends (SQLite's write lock is already held)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})


def apply_queue(site: Site, page_ids: set[int] | None = None,
                outputs: Mapping[int, ParseOutput] | None = None) -> int:
    """Apply queued rows (only those of ``page_ids`` when given); returns how many pages were refreshed."""
    done = 0
    while True:
        with site.db.write() as session:
            _serialise(session)
            query = select(SearchQueueItem.id, SearchQueueItem.page_id).order_by(SearchQueueItem.id).limit(BATCH)
            if page_ids is not None:
                query = query.where(SearchQueueItem.page_id.in_(sorted(page_ids)))
            rows = session.execute(query).all()
            if not rows:
                return done
            ids = {page_id for _, page_id in rows}
            pages = session.scalars(select(Page).where(Page.id.in_(ids))).all()
            live = [p for p in pages if not p.deleted and p.latest_id is not None]
            engine = backend(site)
            gone = sorted(ids - {p.id for p in live})
            if gone:
                engine.delete(gone)
            if live:
                engine.index_documents(build_documents(site, session, live, outputs))
            session.execute(delete(SearchQueueItem).where(SearchQueueItem.id.in_([row_id for row_id, _ in rows])))
            done += len(ids)
        if len(rows) < BATCH:
            return done


def queued(site: Site) -> int:
    with site.db.read() as session:
        return session.scalar(select(func.count()).select_from(SearchQueueItem)) or 0


def catch_up(site: Site) -> int:
    """Apply what an earlier process left in the queue (at start, and as a job)."""
    try:
        done = apply_queue(site) if queued(site) else 0
    except Exception:
        log.exception("search outbox not applied; it will be tried again")
        return 0
    if done:
        log.info("search index caught up on %s pages", done)
    return done


def live_page_count(site: Site) -> int:
    with site.db.read() as session:
        return session.scalar(
            select(func.count()).select_from(Page).where(Page.deleted.is_(False), Page.latest_id.is_not(None))
        ) or 0


def rebuild(site: Site, progress: Callable[[int], None] | None = None) -> int:
    """Empty the index and index every page again; ``progress(n)`` after each batch of ``n``.

    Saves during a rebuild queue their pages as usual; they are applied at the end.
    """
    engine = backend(site)
    engine.clear()
    total = 0
    batch: list[SearchDocument] = []
    for docs in _all_documents(site):
        batch.extend(docs)
        if len(batch) >= REBUILD_COMMIT:
            total += engine.index_documents(batch)
            batch = []
        if progress:
            progress(len(docs))
    total += engine.index_documents(batch)
    apply_queue(site)
    return total


def _all_documents(site: Site) -> Iterator[list[SearchDocument]]:
    last = 0
    with site.db.read() as session:
        while True:
            pages = session.scalars(
                select(Page)
                .where(Page.id > last, Page.deleted.is_(False), Page.latest_id.is_not(None))
                .order_by(Page.id)
                .limit(BATCH)
            ).all()
            if not pages:
                return
            yield build_documents(site, session, pages)
            last = pages[-1].id
            session.expunge_all()


@dataclass(frozen=True)
class Drift:
    """A page whose index entry differs from the database."""

    page_id: int
    title: str
    indexed_revision: int | None
    current_revision: int | None

    @property
    def problem(self) -> str:
        if self.indexed_revision is None:
            return "not indexed"
        if self.current_revision is None:
            return "indexed but deleted"
        return f"indexed at revision {self.indexed_revision}, current is {self.current_revision}"


def check(site: Site) -> list[Drift]:
    """Pages whose indexed revision is not their current one (or that should not be indexed)."""
    indexed = backend(site).indexed_revisions()
    drift = []
    with site.db.read() as session:
        rows = session.execute(select(Page.id, Page.namespace, Page.title, Page.latest_id, Page.deleted))
        seen = set()
        for page_id, ns, title_text, latest, deleted in rows:
            seen.add(page_id)
            current = None if deleted else latest
            if indexed.get(page_id) != current:
                title = site.titles.make(ns, title_text).prefixed if ns in site.namespaces else title_text
                drift.append(Drift(page_id, title, indexed.get(page_id), current))
    drift.extend(Drift(pid, f"(page id {pid})", rev, None) for pid, rev in indexed.items() if pid not in seen)
    return sorted(drift, key=lambda d: d.page_id)
