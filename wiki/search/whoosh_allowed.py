"""The documents of the Whoosh index that a search may return: those the reader's
``ReadScope`` and the query's namespace, category and field filters allow.

They are found per segment and cached by segment: a segment's documents never change (the
deleted ones are left out by every search anyway), so after a save only the save's small
new segment is looked at, not the whole index.  ``AllowedDocs.parts`` gives one
``Allowed`` of segment-local document numbers per segment; queries that Whoosh runs are
filtered by them segment by segment (``SegmentFilter``), so no index-wide set is ever built.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Set as AbstractSet
from dataclasses import dataclass

from whoosh.collectors import FilterCollector
from whoosh.query import And, NullQuery, Or, Query, Term
from whoosh.searching import Searcher

from wiki.permissions import ReadScope
from wiki.search.backend import SearchQuery
from wiki.search.word_scoring import segments

#: ``account`` value of pages that belong to no customer account.
NO_ACCOUNT = "-"
FIELD_PREFIX = "f_"
#: Sets kept per segment (one per scope part and filter), the least recently used dropped
#: first: a site's shared parts stay while its customers' own parts come and go.
CACHE_PER_SEGMENT = 256


def field_key(name: str) -> str:
    """The index field of a plugin's search field; names are lower-cased words."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    if not key.replace("_", "").isalnum():
        raise ValueError(f"search field name {name!r} may only have letters, digits and underscores")
    return FIELD_PREFIX + key


@dataclass(frozen=True)
class Allowed:
    """The documents of one segment that a search may return: those in at least one of
    ``any_of`` (the scope's parts: pages without an account in readable namespaces, and the
    reader's own account's pages; ``None`` when the scope allows every page) and in every one
    of ``all_of`` (the query's filters).  The parts are kept apart because each is shared:
    every customer reads the same pages without an account, so a customer's first search
    adds only the few pages of their own account, not a copy of the whole index."""

    any_of: tuple[frozenset[int], ...] | None
    all_of: tuple[frozenset[int], ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether surely nothing is allowed (cheap; a false answer proves nothing)."""
        return (self.any_of is not None and not any(self.any_of)) or not all(self.all_of)

    def keep(self, docnums: AbstractSet[int]) -> AbstractSet[int]:
        """The allowed ones of ``docnums``."""
        kept = docnums if self.any_of is None else set().union(*(docnums & part for part in self.any_of))
        for part in self.all_of:
            kept = kept & part
        return kept

    def __contains__(self, docnum: int) -> bool:
        return ((self.any_of is None or any(docnum in part for part in self.any_of))
                and all(docnum in part for part in self.all_of))


Part = Allowed | None


class AllowedDocs:
    """The allowed documents of each segment, from sets cached by segment id and part
    (shared by all threads)."""

    def __init__(self) -> None:
        self._cache: dict[str, OrderedDict[tuple, frozenset[int]]] = {}
        self._lock = threading.Lock()

    def parts(self, searcher: Searcher, query: SearchQuery, scope: ReadScope) -> list[Part]:
        """Per segment (in ``word_scoring.segments`` order), what ``scope`` and ``query``'s
        filters allow in it; ``None`` where they allow everything."""
        found = []
        for sub, _ in segments(searcher):
            scope_parts = _scope_parts(scope, self._namespaces(sub))
            filters = _filter_parts(query)
            if scope_parts is None and not filters:
                found.append(None)
                continue
            any_of = None if scope_parts is None else tuple(self._docs(sub, key, q) for key, q in scope_parts)
            found.append(Allowed(any_of, tuple(self._docs(sub, key, q) for key, q in filters)))
        return found

    def _docs(self, sub: Searcher, key: tuple, q: Query) -> frozenset[int]:
        """The documents of ``sub``'s segment that match ``q`` (cached under ``key``)."""
        return self._cached(sub, key, lambda: _matching(sub, q))

    def _namespaces(self, sub: Searcher) -> frozenset[int]:
        """The namespaces of the pages in ``sub``'s segment."""
        return self._cached(sub, ("namespaces present",),
                            lambda: frozenset(int(text) for text in sub.reader().field_terms("namespace")))

    def _cached(self, sub: Searcher, key: tuple, compute: Callable[[], frozenset[int]]) -> frozenset[int]:
        segment_id = _segment_id(sub)
        with self._lock:
            cached = self._cache.get(segment_id)
            if cached is not None and key in cached:
                cached.move_to_end(key)
                return cached[key]
        docs = compute()
        if segment_id is not None:
            with self._lock:
                cached = self._cache.setdefault(segment_id, OrderedDict())
                cached[key] = docs
                if len(cached) > CACHE_PER_SEGMENT:
                    cached.popitem(last=False)
        return docs

    def keep_only(self, searcher: Searcher) -> None:
        """Forget the segments that are no longer in the index (merged or cleared)."""
        live = {_segment_id(sub) for sub, _ in segments(searcher)}
        with self._lock:
            for segment_id in [segment_id for segment_id in self._cache if segment_id not in live]:
                del self._cache[segment_id]


class SegmentFilter(FilterCollector):
    """Whoosh's ``FilterCollector`` keeping only what each segment's ``Allowed`` allows
    (``parts`` in ``word_scoring.segments`` order), so that no index-wide set is built."""

    def __init__(self, child, searcher: Searcher, parts: list[Part]):
        super().__init__(child)
        self._parts = {offset: part for (_, offset), part in zip(segments(searcher), parts)}
        self._part: Part = None

    def set_subsearcher(self, subsearcher: Searcher, offset: int) -> None:
        super().set_subsearcher(subsearcher, offset)
        self._part = self._parts[offset]

    def collect_matches(self) -> None:
        part = self._part
        if part is None:
            self.child.collect_matches()
            return
        for sub_docnum in self.child.matches():
            if sub_docnum in part:
                self.child.collect(sub_docnum)
            else:
                self.filtered_count += 1


def _segment_id(sub: Searcher) -> str | None:
    """The id of the segment ``sub`` reads; ``None`` for an empty index (nothing to cache)."""
    segment = sub.reader().segment()
    return None if segment is None else segment.segment_id()


def _matching(sub: Searcher, q: Query) -> frozenset[int]:
    pruned = _prune(q, sub.reader())
    return frozenset() if pruned is NullQuery else frozenset(sub.docs_for_query(pruned))


def _scope_parts(scope: ReadScope, present: frozenset[int]) -> list[tuple[tuple, Query]] | None:
    """The pages of a segment with pages in the ``present`` namespaces that ``scope`` allows,
    as ``(cache key, query)`` of each part (a page may be in any); ``None`` when the scope
    allows every page."""
    if scope.everything:
        return None
    parts: list[tuple[tuple, Query]] = []
    if scope.namespaces:
        key = ("shared", scope.namespaces, scope.any_account)
        in_spaces = Or([Term("namespace", str(n)) for n in sorted(scope.namespaces)])
        if scope.any_account:
            if present <= scope.namespaces:
                return None
            parts.append((key, in_spaces))
        else:
            no_account = Term("account", NO_ACCOUNT)
            parts.append((key, no_account if present <= scope.namespaces else And([no_account, in_spaces])))
    if scope.account_id is not None and not scope.any_account and scope.account_namespaces:
        own = Term("account", str(scope.account_id))
        parts.append((("own", scope.account_id, scope.account_namespaces),
                      own if present <= scope.account_namespaces else And([
                          own, Or([Term("namespace", str(n)) for n in sorted(scope.account_namespaces)])])))
    return parts


def _filter_parts(query: SearchQuery) -> list[tuple[tuple, Query]]:
    """The query's namespace, category and field filters, as ``(cache key, query)`` of each
    (a page must match all)."""
    parts: list[tuple[tuple, Query]] = []
    if query.namespaces:
        parts.append((("namespaces", tuple(query.namespaces)),
                      Or([Term("namespace", str(n)) for n in query.namespaces])))
    parts.extend((("category", c.lower()), Term("category", c.lower())) for c in query.categories)
    for name, values in query.fields.items():
        terms = tuple(v.strip().lower() for v in values)
        parts.append((("field", field_key(name), terms), Or([Term(field_key(name), v) for v in terms])))
    return parts


def _prune(q: Query, reader) -> Query:
    """``q`` (terms joined by ``And``/``Or``) without terms absent from the index: an absent
    term makes its ``And`` match nothing and drops out of its ``Or``.  Whoosh's matchers
    mishandle absent terms inside such filters."""
    if isinstance(q, Term):
        return q if (q.fieldname, q.text) in reader else NullQuery
    parts = [_prune(sub, reader) for sub in q.subqueries]
    if isinstance(q, And):
        return NullQuery if any(p is NullQuery for p in parts) else And(parts)
    kept = [p for p in parts if p is not NullQuery]
    return Or(kept) if kept else NullQuery
