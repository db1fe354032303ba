"""Keeping the search index in step with the database: outbox, catch-up, rebuild, check.

Every change that makes a page's index entry stale writes a ``search_queue`` row inside
its own transaction (``schedule``).  Once the transaction commits, ``apply_queue`` applies
the queue; if the process dies in between, the rows survive and the next start (first
request, or the ``search.outbox`` job) applies them.

Applying holds no database write lock while the index works, so saves never wait for the
index.  In order:

1. take the index's own exclusive lock (``SearchBackend.batch``: across threads and
   processes), and on PostgreSQL also an advisory lock for installations whose app servers
   share a server engine;
2. only then read the queued rows and the pages' current state (a plain read);
3. update the index and commit it;
4. delete exactly the rows read in step 2, in a short write transaction.

Indexers run one at a time and each reads the state after the previous one committed, so
an older state can never overwrite a newer one.  A row committed after step 2 stays queued
for the next indexer, which reads a state at least as new; a crash before step 4 leaves the
rows for the catch-up.  Whoever holds the lock applies every queued row, not only its
own, so concurrent saves share one index commit (the others then find nothing to do).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, event, func, select, text
from sqlalchemy.orm import Session

from wiki.markup import ParseOutput
from wiki.models import Page
from wiki.pages import after_commit
from wiki.search.backend import SearchBackend
from wiki.search.documents import build_documents
from wiki.search.models import SearchQueueItem
from wiki.site import Site

log = logging.getLogger(__name__)

#: Queue rows applied per index commit; pages read per query during a rebuild.
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
    """On PostgreSQL, hold the indexers' advisory lock until ``session``'s transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})


def apply_queue(site: Site, page_ids: set[int] | None = None,
                outputs: Mapping[int, ParseOutput] | None = None) -> int:
    """Apply the queued rows, ``BATCH`` at a time; returns how many pages were refreshed.

    :param page_ids: pages the caller queued; their rows are applied first (rows of other
        pages come along in the same batch).
    :param outputs: ``revision id -> ParseOutput`` the caller already rendered.
    """
    done = 0
    first = sorted(page_ids or ())
    while True:
        applied, rows = _apply_batch(site, first, outputs or {})
        done += applied
        first = []
        if rows < BATCH:
            return done


def _apply_batch(site: Site, first: Sequence[int], outputs: Mapping[int, ParseOutput]) -> tuple[int, int]:
    """Steps 1-4 of the module docstring for one batch: (pages refreshed, rows applied)."""
    with backend(site).batch() as batch, site.db.read() as session:
        _serialise(session)
        rows = _queued_rows(session, first)
        if not rows:
            return 0, 0
        ids = {page_id for _, page_id in rows}
        pages = session.scalars(select(Page).where(Page.id.in_(ids))).all()
        live = [p for p in pages if not p.deleted and p.latest_id is not None]
        for page_id in sorted(ids - {p.id for p in live}):
            batch.delete(page_id)
        for doc in build_documents(site, session, live, outputs):
            batch.add(doc)
        batch.commit()
    with site.db.write() as session:
        session.execute(delete(SearchQueueItem).where(SearchQueueItem.id.in_([row_id for row_id, _ in rows])))
    return len(ids), len(rows)


def _queued_rows(session: Session, first: Sequence[int]) -> list[tuple[int, int]]:
    """Up to ``BATCH`` queued ``(row id, page id)``: the rows of ``first`` pages, then the oldest."""
    query = select(SearchQueueItem.id, SearchQueueItem.page_id).limit(BATCH)
    if first:
        query = query.order_by(SearchQueueItem.page_id.in_(first).desc(), SearchQueueItem.id)
    else:
        query = query.order_by(SearchQueueItem.id)
    return [tuple(row) for row in session.execute(query)]


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


def maintain(site: Site) -> None:
    """Merge the index's small segments (a job: commits after saves leave that for later)."""
    backend(site).maintain()


def live_page_count(site: Site) -> int:
    with site.db.read() as session:
        return session.scalar(
            select(func.count()).select_from(Page).where(Page.deleted.is_(False), Page.latest_id.is_not(None))
        ) or 0


def rebuild(site: Site, progress: Callable[[int], None] | None = None) -> int:
    """Empty the index and index every page again; ``progress(n)`` after each ``BATCH`` pages.

    Pages are indexed ``REBUILD_COMMIT`` at a time, each part read and committed under the
    indexers' lock like any other batch, so saves made meanwhile are applied between the
    parts and never overwritten by an older state.  Nothing is rendered (see
    ``wiki.search.documents``).
    """
    backend(site).clear()
    total = last = 0
    while True:
        count, last = _rebuild_part(site, last, progress)
        total += count
        if count < REBUILD_COMMIT:
            break
    apply_queue(site)
    return total


def _rebuild_part(site: Site, after: int, progress: Callable[[int], None] | None) -> tuple[int, int]:
    """Index up to ``REBUILD_COMMIT`` pages with ids above ``after`` in one batch:
    returns how many, and the last page id."""
    count = 0
    with backend(site).batch(bulk=True) as batch, site.db.read() as session:
        _serialise(session)
        while count < REBUILD_COMMIT:
            pages = session.scalars(
                select(Page)
                .where(Page.id > after, Page.deleted.is_(False), Page.latest_id.is_not(None))
                .order_by(Page.id)
                .limit(BATCH)
            ).all()
            if not pages:
                break
            for doc in build_documents(site, session, pages):
                batch.add(doc)
            count += len(pages)
            after = pages[-1].id
            session.expunge_all()
            if progress:
                progress(len(pages))
        batch.commit()
    return count, after


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
