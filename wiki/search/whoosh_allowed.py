"""The documents of the Whoosh index that a search may return: those the reader's
``ReadScope`` and the query's namespace, category and field filters allow.

They are found per segment and cached by segment: a segment's documents never change (the
deleted ones are left out by every search anyway), so after a save only the save's small
new segment is looked at, not the whole index.  ``AllowedDocs.parts`` gives one set of
segment-local document numbers per segment; ``AllowedDocs.merged`` joins them into the
index-wide set that Whoosh's own ``filter=`` takes.
"""

from __future__ import annotations

import threading

from whoosh.query import And, NullQuery, Or, Query, Term
from whoosh.searching import Searcher

from wiki.permissions import ReadScope
from wiki.search.backend import SearchQuery
from wiki.search.word_scoring import segments

#: ``account`` value of pages that belong to no customer account.
NO_ACCOUNT = "-"
FIELD_PREFIX = "f_"
#: Allowed sets kept per segment (one per scope and filter combination).
CACHE_PER_SEGMENT = 64

Part = frozenset[int] | None
_MISSING = object()


def field_key(name: str) -> str:
    """The index field of a plugin's search field; names are lower-cased words."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    if not key.replace("_", "").isalnum():
        raise ValueError(f"search field name {name!r} may only have letters, digits and underscores")
    return FIELD_PREFIX + key


class AllowedDocs:
    """The allowed documents of each segment, cached by segment id (shared by all threads)."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[tuple, Part]] = {}
        self._lock = threading.Lock()

    def parts(self, searcher: Searcher, query: SearchQuery, scope: ReadScope) -> list[Part]:
        """Per segment (in ``word_scoring.segments`` order), the document numbers within it
        that ``scope`` and ``query``'s filters allow; ``None`` where they allow all."""
        key = (scope, query.namespaces, query.categories, tuple(sorted(query.fields.items())))
        found = []
        for sub, _ in segments(searcher):
            segment_id = _segment_id(sub)
            part = self._cache.get(segment_id, {}).get(key, _MISSING)
            if part is _MISSING:
                part = _allowed_in(sub, query, scope)
                if segment_id is not None:
                    with self._lock:
                        cached = self._cache.setdefault(segment_id, {})
                        if len(cached) >= CACHE_PER_SEGMENT:
                            cached.clear()
                        cached[key] = part
            found.append(part)
        return found

    def keep_only(self, searcher: Searcher) -> None:
        """Forget the segments that are no longer in the index (merged or cleared)."""
        live = {_segment_id(sub) for sub, _ in segments(searcher)}
        with self._lock:
            for segment_id in [segment_id for segment_id in self._cache if segment_id not in live]:
                del self._cache[segment_id]

    @staticmethod
    def merged(searcher: Searcher, parts: list[Part]) -> set[int] | None:
        """The index-wide document numbers of ``parts``; ``None`` when all are allowed."""
        if all(part is None for part in parts):
            return None
        merged: set[int] = set()
        for (sub, offset), part in zip(segments(searcher), parts):
            if part is None:
                merged.update(range(offset, offset + sub.reader().doc_count_all()))
            else:
                merged.update(docnum + offset for docnum in part)
        return merged


def _segment_id(sub: Searcher) -> str | None:
    """The id of the segment ``sub`` reads; ``None`` for an empty index (nothing to cache)."""
    segment = sub.reader().segment()
    return None if segment is None else segment.segment_id()


def _allowed_in(sub: Searcher, query: SearchQuery, scope: ReadScope) -> Part:
    condition = _condition(query, scope, sub.reader())
    if condition is None:
        return None
    return frozenset() if condition is NullQuery else frozenset(sub.docs_for_query(condition))


def _condition(query: SearchQuery, scope: ReadScope, reader) -> Query | None:
    """What a page of ``reader``'s segment must match besides the words: the scope and the
    query's filters.  ``None`` means nothing is required; ``NullQuery`` that nothing can match."""
    required: list[Query] = []
    scope_q = _scope_query(scope, reader)
    if scope_q is not None:
        required.append(scope_q)
    if query.namespaces:
        required.append(Or([Term("namespace", str(n)) for n in query.namespaces]))
    required.extend(Term("category", c.lower()) for c in query.categories)
    for name, values in query.fields.items():
        required.append(Or([Term(field_key(name), v.strip().lower()) for v in values]))
    return _prune(And(required), reader) if required else None


def _scope_query(scope: ReadScope, reader) -> Query | None:
    """The pages of ``reader``'s segment that ``scope`` allows, as a query; ``None`` means all."""
    if scope.everything:
        return None
    present = {int(text) for text in reader.field_terms("namespace")}
    every_space = present <= scope.namespaces
    parts: list[Query] = []
    if scope.namespaces:
        in_spaces = Or([Term("namespace", str(n)) for n in sorted(scope.namespaces)])
        if scope.any_account:
            if every_space:
                return None
            parts.append(in_spaces)
        else:
            parts.append(Term("account", NO_ACCOUNT) if every_space else And([Term("account", NO_ACCOUNT),
                                                                               in_spaces]))
    if scope.account_id is not None and not scope.any_account and scope.account_namespaces:
        own = Term("account", str(scope.account_id))
        parts.append(own if present <= scope.account_namespaces else And([
            own, Or([Term("namespace", str(n)) for n in sorted(scope.account_namespaces)])]))
    return Or(parts) if parts else NullQuery


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
