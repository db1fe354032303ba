"""The embedded search backend: a Whoosh index in the instance folder (``settings.search_path``).

Whoosh allows one writer at a time; writers in this process queue on a lock, and the
index's own file lock keeps other processes out (they wait up to ``WRITE_TIMEOUT`` and
then fail, leaving the work in the search outbox).  The index is opened once; each thread
keeps its own searcher and reopens it only when the index has a newer generation (checking
costs a directory listing).

Permission filtering: the documents the actor's scope allows are computed once per searcher
and scope, and passed as ``filter=``; an empty set returns no results before Whoosh is asked
(Whoosh reads an empty filter as "no filter").
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Iterable, Sequence

from whoosh import index, qparser
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter, NullFormatter
from whoosh.query import And, Every, NullQuery, Or, Prefix, Query, Term
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, LockError

from wiki.permissions import ReadScope
from wiki.search.analysis import multilingual_analyzer
from wiki.search.backend import SearchDocument, SearchHit, SearchQuery, SearchResults, SearchSyntaxError

#: Seconds a writer waits for another process's writer before giving up.
WRITE_TIMEOUT = 10.0
#: How much more a word in the title counts than the same word in the text.
TITLE_BOOST = 3.0
#: ``account`` value of pages that belong to no customer account.
NO_ACCOUNT = "-"
FIELD_PREFIX = "f_"
SNIPPET_CHARS = 240
#: Segments merge in tiers by size (1-9 documents, 10-99, ...): ``MERGE_FACTOR`` segments of
#: one tier become one of the next.  Tiers from ``BIG_TIER`` up are left to ``search rebuild``.
MERGE_FACTOR = 10
BIG_TIER = 4
#: Allowed-document sets kept per searcher (one per scope and filter combination).
ALLOWED_CACHE = 64


def make_schema() -> Schema:
    analyzer = multilingual_analyzer()
    schema = Schema(
        # The key: one document per page, replaced on every change.
        page_id=ID(stored=True, unique=True),
        # Which revision the document was made from, for ``search check``.
        revision_id=STORED,
        # The prefixed title, shown in results and suggestions.
        display=STORED,
        # Namespace and account are what the permission filter of every query reads.
        namespace=ID(stored=True),
        account=ID(stored=True),
        # Words of the title, ranked above the text; phrases for multi-token words (CJK).
        title=TEXT(analyzer=analyzer, multitoken_query="phrase"),
        # Case-folded bare and prefixed titles, for prefix suggestions; sorted by the latter.
        title_key=ID,
        full_key=ID(sortable=True),
        # The text; stored for snippets and for turning corrected stems back into words.
        # No ``spelling=True``: its extra field more than doubles indexing time.
        content=TEXT(analyzer=analyzer, stored=True, multitoken_query="phrase"),
        # Category names, lower-cased, matched whole.
        category=KEYWORD(commas=True, lowercase=True),
    )
    # Plugins' fields (``search_fields`` hook): ``status:open`` is the term ``open`` in ``f_status``.
    schema.add(FIELD_PREFIX + "*", KEYWORD(commas=True, lowercase=True), glob=True)
    return schema


def field_key(name: str) -> str:
    """The index field of a plugin's search field; names are lower-cased words."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    if not key.replace("_", "").isalnum():
        raise ValueError(f"search field name {name!r} may only have letters, digits and underscores")
    return FIELD_PREFIX + key


def _keywords(values: Iterable[str]) -> str:
    return ",".join(v.replace(",", " ").strip().lower() for v in values if v.strip())


class WhooshBackend:
    """``SearchBackend`` on an on-disk Whoosh index (created on first use)."""

    def __init__(self, path: str):
        self.path = path
        self._ix: index.Index | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._local = threading.local()

    # --- opening ---------------------------------------------------------------------------

    def _index(self) -> index.Index:
        if self._ix is None:
            with self._open_lock:
                if self._ix is None:
                    os.makedirs(self.path, exist_ok=True)
                    if index.exists_in(self.path):
                        self._ix = index.open_dir(self.path)
                    else:
                        self._ix = index.create_in(self.path, make_schema())
        return self._ix

    def _searcher(self) -> Searcher:
        # Not ``Searcher.refresh()``: in whoosh-reloaded 2.7.5 its reader reuse keeps the old
        # segments' deletion state, so replaced documents would still be found.
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and not searcher.up_to_date():
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = self._local.searcher = self._index().searcher()
            self._local.allowed = {}
        return searcher

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    # --- writing ---------------------------------------------------------------------------

    def _writer(self):
        try:
            # Plain (not compound) segment files: opening readers after each save is cheaper.
            return self._index().writer(timeout=WRITE_TIMEOUT, limitmb=128, compound=False)
        except LockError as exc:
            raise LockError(f"the search index at {self.path} is locked by another writer") from exc

    def index_documents(self, docs: Iterable[SearchDocument]) -> int:
        count = 0
        with self._write_lock:
            writer = self._writer()
            try:
                for doc in docs:
                    writer.update_document(**self._fields(doc))
                    count += 1
            except BaseException:
                writer.cancel()
                raise
            self._commit(writer)
        return count

    @staticmethod
    def _commit(writer) -> None:
        writer.commit(mergetype=_merge_tiers)

    @staticmethod
    def _fields(doc: SearchDocument) -> dict[str, object]:
        fields: dict[str, object] = {
            "page_id": str(doc.page_id),
            "revision_id": doc.revision_id,
            "display": doc.title,
            "namespace": str(doc.namespace),
            "account": NO_ACCOUNT if doc.account_id is None else str(doc.account_id),
            "title": doc.title_text,
            "title_key": doc.title_text.lower(),
            "full_key": doc.title.lower(),
            "content": doc.content,
            "category": _keywords(doc.categories),
        }
        for name, values in doc.fields.items():
            fields[field_key(name)] = _keywords(values)
        return fields

    def delete(self, page_ids: Sequence[int]) -> None:
        if not page_ids:
            return
        with self._write_lock:
            writer = self._writer()
            try:
                for page_id in page_ids:
                    writer.delete_by_term("page_id", str(page_id))
            except BaseException:
                writer.cancel()
                raise
            self._commit(writer)

    def clear(self) -> None:
        with self._write_lock:
            self._writer().commit(mergetype=CLEAR)

    # --- reading ---------------------------------------------------------------------------

    def _parser(self) -> qparser.QueryParser:
        parser = qparser.MultifieldParser(["title", "content"], self._index().schema,
                                          fieldboosts={"title": TITLE_BOOST})
        # Users may not name index fields (``account:3``); filters are added by ``_filters``.
        for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.BoostPlugin):
            parser.remove_plugin_class(plugin)
        return parser

    def _text_query(self, text: str) -> Query:
        if not text.strip():
            return Every()
        try:
            return self._parser().parse(text)
        except Exception as exc:  # whoosh raises several kinds for malformed input
            raise SearchSyntaxError(f"The search {text!r} cannot be understood: {exc}") from exc

    @staticmethod
    def _scope_query(scope: ReadScope, reader) -> Query | None:
        """The pages ``scope`` allows, as a query; ``None`` means every page."""
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

    def _condition(self, query: SearchQuery, scope: ReadScope, reader) -> Query | None:
        """What a page must match besides the words: the scope and the query's filters.
        ``None`` means nothing is required; ``NullQuery`` that nothing can match."""
        required: list[Query] = []
        scope_q = self._scope_query(scope, reader)
        if scope_q is not None:
            required.append(scope_q)
        if query.namespaces:
            required.append(Or([Term("namespace", str(n)) for n in query.namespaces]))
        required.extend(Term("category", c.lower()) for c in query.categories)
        for name, values in query.fields.items():
            required.append(Or([Term(field_key(name), v.strip().lower()) for v in values]))
        return _prune(And(required), reader) if required else None

    def _allowed(self, searcher: Searcher, query: SearchQuery, scope: ReadScope) -> set[int] | None:
        """Document numbers the condition allows (cached per searcher: a reader-heavy site
        asks for the same few scopes); ``None`` when every document is allowed."""
        key = (scope, query.namespaces, query.categories, tuple(sorted(query.fields.items())))
        cache = self._local.allowed
        if key not in cache:
            if len(cache) >= ALLOWED_CACHE:
                cache.clear()
            condition = self._condition(query, scope, searcher.reader())
            cache[key] = None if condition is None else (
                set() if condition is NullQuery else set(searcher.docs_for_query(condition)))
        return cache[key]

    def _run(self, searcher: Searcher, q: Query, query: SearchQuery, scope: ReadScope, **kwargs):
        """Search ``q`` among the allowed documents; ``None`` when none are allowed.

        The allowed set goes to ``filter=`` only when it is not empty: Whoosh reads an empty
        filter as "no filter".
        """
        allowed = self._allowed(searcher, query, scope)
        if allowed is not None and not allowed:
            return None
        return searcher.search(q, filter=allowed, **kwargs)

    def search(self, query: SearchQuery, scope: ReadScope, limit: int = 20, offset: int = 0) -> SearchResults:
        searcher = self._searcher()
        results = self._run(searcher, self._text_query(query.text), query, scope, limit=offset + limit, terms=True)
        if results is None:
            return SearchResults(total=0, hits=[])
        results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        results.formatter = HtmlFormatter(tagname="mark", between=" … ", classname="searchmatch")
        hits = []
        for hit in results[offset : offset + limit]:
            snippet = hit.highlights("content", top=2) or _lead(hit.get("content", ""))
            hits.append(SearchHit(page_id=int(hit["page_id"]), title=hit["display"],
                                  namespace=int(hit["namespace"]), snippet=snippet, score=round(hit.score, 4)))
        return SearchResults(total=len(results), hits=hits)

    def suggest(self, query: SearchQuery, scope: ReadScope) -> str | None:
        """Correct words absent from the index to near terms (edit distance 2) that are in it.

        The index holds stems, so a correction is a stem; the first page the corrected query
        finds within the scope shows how the stem is written, and that word is offered.
        """
        if not query.text.strip():
            return None
        searcher = self._searcher()
        original = self._text_query(query.text)
        correction = searcher.correct_query(original, query.text, prefix=1, maxdist=2)
        if not correction.tokens or correction.query == original:
            return None
        found = self._run(searcher, correction.query, query, scope, limit=1)
        if found is None or found.is_empty():
            return None
        words = _surface_words(found[0].get("display", "") + " " + found[0].get("content", ""))
        for token in correction.tokens:
            token.text = words.get(token.text, token.text)
        return correction.format_string(NullFormatter())

    def titles_with_prefix(self, prefix: str, scope: ReadScope, limit: int = 10) -> list[str]:
        key = " ".join(prefix.replace("_", " ").split()).lower()
        if not key:
            return []
        prefixes = Or([Prefix("title_key", key), Prefix("full_key", key)])
        results = self._run(self._searcher(), prefixes, SearchQuery(text=""), scope, limit=limit, sortedby="full_key")
        return [hit["display"] for hit in results] if results is not None else []

    def indexed_revisions(self) -> dict[int, int]:
        reader = self._searcher().reader()
        return {int(f["page_id"]): f["revision_id"] for f in reader.all_stored_fields()}


def _merge_tiers(writer, segments: list) -> list:
    """A Whoosh merge policy (log-structured): segments are grouped by the number of digits
    of their document count, and a group of ``MERGE_FACTOR`` is merged into one segment.
    Each document is copied about once per tier, so a save pays for a merge rarely (Whoosh's
    own ``MERGE_SMALL`` re-copies a growing segment every few commits)."""
    tiers: dict[int, list] = {}
    for segment in segments:
        tiers.setdefault(len(str(segment.doc_count_all())), []).append(segment)
    kept = []
    for tier, members in tiers.items():
        if tier < BIG_TIER and len(members) >= MERGE_FACTOR:
            for segment in members:
                writer.add_reader(SegmentReader(writer.storage, writer.schema, segment))
        else:
            kept.extend(members)
    return kept


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


def _surface_words(text: str) -> dict[str, str]:
    """``term -> the word it came from`` (lower-cased, first occurrence) for the words of ``text``."""
    words: dict[str, str] = {}
    for token in multilingual_analyzer()(text, chars=True, mode="index"):
        words.setdefault(token.text, text[token.startchar : token.endchar].lower())
    return words


def _lead(text: str) -> str:
    """The start of the text, escaped, when no match is in it (the title matched)."""
    if len(text) <= SNIPPET_CHARS:
        return html.escape(text)
    return html.escape(text[:SNIPPET_CHARS].rsplit(" ", 1)[0]) + " …"
