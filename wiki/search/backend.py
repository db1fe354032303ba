"""The search backend interface: what the wiki needs from a full-text engine.

The embedded engine is Whoosh (``wiki.search.whoosh_backend``), an index in the instance
folder.  An installation with several app servers can replace it with a server engine
(Elasticsearch, OpenSearch, Meilisearch ...) by implementing ``SearchBackend``:

* ``batch(bulk=False)`` is a context manager giving an ``IndexBatch``: ``add(doc)`` adds or replaces a
  document (one per page, keyed by ``page_id``), ``delete(page_id)`` removes a page (unknown
  ids are ignored), and ``commit()`` makes the changes visible to searches at once;
  leaving the block without ``commit()`` discards them.  A batch is exclusive: while it is
  open, every other ``batch()`` (other threads, other processes of the installation) waits
  for it or fails after a while with an error.  The indexer reads a page's state only once it
  holds a batch, which is what keeps an older state from overwriting a newer one.  A rebuild
  adds many documents to one batch (``bulk=True``: the backend may spread the work over
  processes), so a batch must not keep them all in memory.
* ``maintain()`` does the slow housekeeping that ``commit()`` leaves for later (merging small
  segments); a job calls it now and then.
* ``search(query, filters, limit, offset)`` ranks pages for the user's words (titles count
  more than text), keeps only pages that ``filters.scope`` allows and that match the
  namespace, category and field filters, and returns one page of ``SearchHit`` with an
  HTML-escaped snippet in which matches are wrapped in ``<mark>``.  ``query.text`` uses the
  usual syntax: words, ``"phrases"``, ``prefix*``, ``AND``/``OR``/``NOT``, parentheses.
  ``query.sort`` is one of ``SORTS``: by relevance, or by the time of the indexed revision
  (``SearchDocument.modified``), newest or oldest first, then by relevance.
* ``suggest(query, scope)`` returns a corrected query text ("did you mean"), or ``None``;
  only a correction that finds pages within ``scope`` is offered, so a suggestion never
  names words that only hidden pages contain.
* ``titles_with_prefix(prefix, scope, limit)`` returns readable titles starting with
  ``prefix`` (the search box's suggestions).
* ``indexed_revisions()`` maps every indexed page id to the revision id it was indexed at
  (for ``ticketwiki search check``).
* ``clear()`` empties the index.

Backends do no permission reasoning of their own: the scope (``wiki.permissions.ReadScope``)
is data computed by the policy, and callers re-check every hit with ``Policy.allows``.
Documents and filters are plain values, so a backend never touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from wiki.permissions import ReadScope


@dataclass(frozen=True)
class SearchDocument:
    """What is indexed about one page (its current revision)."""

    page_id: int
    revision_id: int
    namespace: int
    #: The full title with namespace prefix (shown in results).
    title: str
    #: The title without prefix (matched by words and by prefix suggestions).
    title_text: str
    account_id: int | None
    #: Plain text of the revision (markup removed), searched and used for snippets.
    content: str
    categories: tuple[str, ...] = ()
    #: ``name -> values`` searchable as ``name:value`` (from the ``search_fields`` hook).
    fields: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: When the revision was saved (the page's last change), for sorting by date.
    modified: datetime | None = None


#: How results may be ordered: by relevance, or by last change (then by relevance).
RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORTS = (RELEVANCE, NEWEST, OLDEST)


@dataclass(frozen=True)
class SearchQuery:
    """A user's query: free text for the engine plus the filters taken out of it."""

    text: str
    namespaces: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = RELEVANCE

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.categories or self.fields)


@dataclass(frozen=True)
class SearchHit:
    page_id: int
    title: str
    namespace: int
    #: Safe HTML: escaped text with ``<mark>`` around matches.
    snippet: str
    score: float


@dataclass
class SearchResults:
    total: int
    hits: list[SearchHit]


class SearchSyntaxError(ValueError):
    """The query text cannot be understood; the message says where."""


class IndexBatch(Protocol):
    """Changes to the index made under its exclusive lock (``SearchBackend.batch``)."""

    def add(self, doc: SearchDocument) -> None:
        """Add ``doc``, replacing the page's previous document."""

    def delete(self, page_id: int) -> None:
        """Remove the page's document, if there is one."""

    def commit(self) -> None:
        """Make the changes visible; the batch is finished."""


@runtime_checkable
class SearchBackend(Protocol):
    def batch(self, bulk: bool = False) -> AbstractContextManager[IndexBatch]:
        """An exclusive batch of changes; discarded unless committed before the block ends."""

    def maintain(self) -> None:
        """Housekeeping that keeps searches fast (merging small segments); safe to run any time."""

    def search(self, query: SearchQuery, scope: ReadScope, limit: int = 20, offset: int = 0) -> SearchResults:
        """One page of ranked, filtered hits for ``query``, within ``scope``."""

    def suggest(self, query: SearchQuery, scope: ReadScope) -> str | None:
        """A corrected ``query.text`` that finds pages within ``scope``, or ``None``."""

    def titles_with_prefix(self, prefix: str, scope: ReadScope, limit: int = 10) -> list[str]:
        """Readable titles (prefixed) starting with ``prefix``, case-insensitively."""

    def indexed_revisions(self) -> dict[int, int]:
        """``page_id -> revision_id`` of every indexed page."""

    def clear(self) -> None:
        """Remove every document."""

    def close(self) -> None:
        """Release files and connections."""
