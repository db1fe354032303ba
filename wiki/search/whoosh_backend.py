"""The embedded search backend: a Whoosh index in the instance folder (``settings.search_path``).

Writing: Whoosh allows one writer at a time.  ``batch()`` takes the index's own write lock
(a thread lock in this process, Whoosh's ``WRITELOCK`` file lock between processes; others
wait up to ``WRITE_TIMEOUT`` and then fail, leaving their work in the search outbox) and
opens the segment writer only when the first change arrives, so a batch that finds nothing
to do costs no files.  A commit only writes one small segment.  Once ``MERGE_FACTOR``
commits have added segments, a background thread merges the small ones (``maintain()``) as
soon as the index has had no commit for ``MERGE_IDLE`` seconds, so a burst of saves never
waits for a merge; under steady load it merges anyway at ``MERGE_CAP`` commits, which a
save then rarely has to wait for.

Reading: the index is opened once; each thread keeps its own searcher and reopens it only
when the index has a newer generation (checking costs a directory listing).  The documents
the actor's scope and the filters allow are computed per segment and kept until the
segment is merged away (``wiki.search.whoosh_allowed``); when none are allowed, no results
come back before anything is searched.  Queries of words are scored a posting block at a time
(``wiki.search.word_scoring``), other queries by Whoosh (``_top_and_total``) with a collector
that filters each segment by its own allowed documents; totals are exact either way.  Snippets are cut from the first
matches of the hits shown, not from the best passages of each text.

Phrases are looked up through fields of paired common words (``wiki.search.phrases``).  A
rebuild chooses the common words from its first ``COMMON_SAMPLE`` pages, before it adds
any, and writes them into the empty index's schema; ``clear()`` gives an index made before
those fields existed the fields.
"""

from __future__ import annotations

import heapq
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from flask_babel import gettext
from whoosh import index, qparser
from whoosh.collectors import TopCollector, UnlimitedCollector
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import HtmlFormatter
from whoosh.multiproc import MpWriter
from whoosh.query import And, Every, Not, Or, Phrase, Prefix, Query
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.util.filelock import try_for
from whoosh.writing import CLEAR, NO_MERGE, LockError, SegmentWriter

from wiki.permissions import ReadScope
from wiki.search.analysis import common_words, has_spelled_words, multilingual_analyzer
from wiki.search.backend import (NEWEST, RELEVANCE, SORTS, SearchDocument, SearchHit, SearchQuery, SearchResults,
                                 SearchSyntaxError)
from wiki.search.phrases import PAIR_FIELDS, AdjacentWords, has_pairs, pair_field, pair_phrases
from wiki.search.snippets import snippet, surface_words
from wiki.search import whoosh_speedups, word_scoring
from wiki.search.whoosh_allowed import FIELD_PREFIX, NO_ACCOUNT, Allowed, AllowedDocs, SegmentFilter, field_key

log = logging.getLogger(__name__)
whoosh_speedups.install()

#: Processes that analyse and write documents during a bulk batch (a rebuild), one per core.
BULK_PROCESSES = min(os.cpu_count() or 1, 4)
#: Documents handed to a bulk process at a time.
BULK_JOB = 250
#: Seconds a writer waits for another process's writer before giving up.
WRITE_TIMEOUT = 10.0
#: How much more a word in the title counts than the same word in the text.
TITLE_BOOST = 3.0
#: Segments merge in tiers by size (1-9 documents, 10-99, ...): ``MERGE_FACTOR`` segments of
#: one tier become one of the next, for tiers below ``BIG_TIER``; bigger segments are left to
#: ``search rebuild``.
MERGE_FACTOR = 10
BIG_TIER = 4
#: Seconds without a commit after which the background thread merges.
MERGE_IDLE = 0.5
#: Commits after which it merges even while saves keep coming.
MERGE_CAP = 3 * MERGE_FACTOR
#: Pages a rebuild reads before it chooses the common words that the pair fields pair.
COMMON_SAMPLE = 2000
#: The ``modified`` column: Unix seconds, 0 for documents indexed before the field existed.
MODIFIED = NumericColumn("I", default=0)


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
        # Adjacent common words of the title and the text, paired, for phrases.
        title_pairs=pair_field(),
        content_pairs=pair_field(),
        # Category names, lower-cased, matched whole.
        category=KEYWORD(commas=True, lowercase=True),
        # When the revision was saved (Unix seconds), for sorting by date; a column only.
        modified=COLUMN(MODIFIED),
    )
    # Plugins' fields (``search_fields`` hook): ``status:open`` is the term ``open`` in ``f_status``.
    schema.add(FIELD_PREFIX + "*", KEYWORD(commas=True, lowercase=True), glob=True)
    return schema


def _keywords(values: Iterable[str]) -> str:
    return ",".join(v.replace(",", " ").strip().lower() for v in values if v.strip())


def _document_fields(doc: SearchDocument, schema: Schema) -> dict[str, object]:
    """The Whoosh fields of ``doc`` that ``schema`` has (an index made before the word-pair
    and date fields has not all of them)."""
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
    if has_pairs(schema):
        fields.update({PAIR_FIELDS["title"]: doc.title_text, PAIR_FIELDS["content"]: doc.content})
    if "modified" in schema and doc.modified is not None:
        fields["modified"] = int(doc.modified.timestamp())
    for name, values in doc.fields.items():
        fields[field_key(name)] = _keywords(values)
    return fields


class _PageLocator:
    """Finds the documents of a page for a writer without opening every segment each time,
    as Whoosh's ``update_document`` does: the segments this process wrote are remembered
    as they were written (``learn``), a reader is kept for each other segment (a segment's
    terms never change), and deletions are read from the writer's current segment list."""

    def __init__(self) -> None:
        self._readers: dict[str, SegmentReader] = {}
        #: ``segment id -> page id -> document numbers in the segment`` of segments written here.
        self._written: dict[str, dict[str, list[int]]] = {}

    def learn(self, segment_id: str, pages: dict[str, list[int]]) -> None:
        """Remember the documents of a segment just written (it holds nothing else)."""
        self._written[segment_id] = pages

    def keep_only(self, segments: list) -> None:
        """Forget the segments no longer in the index (merged or cleared)."""
        live = {segment.segment_id() for segment in segments}
        for segid in [segid for segid in self._readers if segid not in live]:
            self._readers.pop(segid).close()
        for segid in [segid for segid in self._written if segid not in live]:
            del self._written[segid]

    def docnums(self, writer: SegmentWriter, page_id: int) -> list[int]:
        key = str(page_id)
        found: list[int] = []
        base = 0
        for segment in writer.segments:
            found.extend(base + n for n in self._in_segment(writer, segment, key) if not segment.is_deleted(n))
            base += segment.doc_count_all()
        return found

    def _in_segment(self, writer: SegmentWriter, segment, key: str) -> Iterable[int]:
        written = self._written.get(segment.segment_id())
        if written is not None:
            return written.get(key, ())
        reader = self._readers.get(segment.segment_id())
        if reader is None:
            reader = self._readers[segment.segment_id()] = SegmentReader(writer.storage, writer.schema, segment)
        return reader.postings("page_id", key).all_ids() if ("page_id", key) in reader else ()

    def close(self) -> None:
        self.keep_only([])


class _WhooshBatch:
    """``IndexBatch`` of ``WhooshBackend.batch``: the segment writer is opened on the first
    change (the caller already holds the index's write lock)."""

    def __init__(self, backend: WhooshBackend, bulk: bool):
        self._backend = backend
        self._bulk = bulk
        self._writer: SegmentWriter | None = None
        #: ``page id -> document numbers`` added to the new segment (not kept for bulk batches).
        self._added: dict[str, list[int]] = {}
        #: A rebuild's first documents, held until the common words are chosen from them.
        self._sample: list[SearchDocument] | None = [] if bulk and backend._index().is_empty() else None

    def _open(self) -> SegmentWriter:
        if self._writer is None:
            self._writer = self._backend._writer(_lk=False, procs=BULK_PROCESSES if self._bulk else 1)
            self._backend._locator.keep_only(self._writer.segments)
        return self._writer

    def add(self, doc: SearchDocument) -> None:
        if self._sample is not None:
            self._sample.append(doc)
            if len(self._sample) >= COMMON_SAMPLE:
                self._pair_sample()
            return
        self.delete(doc.page_id)
        writer = self._writer
        if not self._bulk:
            self._added.setdefault(str(doc.page_id), []).append(writer.docnum - writer.docbase)
        writer.add_document(**_document_fields(doc, writer.schema))

    def _pair_sample(self) -> None:
        """Choose the common words from the sample (into the empty index's schema), then add it."""
        sample, self._sample = self._sample, None
        self._backend._set_common_words(common_words(doc.content for doc in sample))
        for doc in sample:
            self.add(doc)

    def delete(self, page_id: int) -> None:
        writer = self._open()
        for docnum in self._backend._locator.docnums(writer, page_id):
            writer.delete_document(docnum)

    def commit(self) -> None:
        if self._sample:
            self._pair_sample()
        if self._writer is not None:
            self._writer.commit(mergetype=NO_MERGE)
            if not self._bulk:
                self._backend._locator.learn(self._writer.newsegment.segment_id(), self._added)
            self._writer = None
            self._backend._committed()

    def discard(self) -> None:
        self._sample = None
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None


class WhooshBackend:
    """``SearchBackend`` on an on-disk Whoosh index (created on first use)."""

    def __init__(self, path: str):
        self.path = path
        self._ix: index.Index | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._locator = _PageLocator()
        self._local = threading.local()
        self._allowed_docs = AllowedDocs()
        self._commits = 0
        self._last_commit = 0.0
        self._closing = False
        self._merger: threading.Thread | None = None

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
            self._allowed_docs.keep_only(searcher)
        return searcher

    def close(self) -> None:
        self._closing = True
        if self._merger is not None:
            self._merger.join()
        self._closing = False
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None
        with self._write_lock:
            self._locator.close()
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    # --- writing ---------------------------------------------------------------------------

    def _writer(self, procs: int = 1, **kwargs) -> SegmentWriter:
        """A segment writer; with ``procs`` above 1, one that analyses and writes in that many
        processes, each adding a segment of its own (Whoosh's ``MpWriter``)."""
        # Plain (not compound) segment files: opening readers after each save is cheaper.
        if procs > 1:
            return MpWriter(self._index(), procs=procs, batchsize=BULK_JOB, multisegment=True,
                            subargs={"limitmb": 128, "compound": False}, limitmb=128, compound=False, **kwargs)
        return SegmentWriter(self._index(), limitmb=128, compound=False, **kwargs)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The index's write lock, for this thread among all threads and processes."""
        with self._write_lock:
            lock = self._index().lock("WRITELOCK")
            if not try_for(lock.acquire, timeout=WRITE_TIMEOUT, delay=0.02):
                raise LockError(f"the search index at {self.path} is locked by another writer")
            try:
                yield
            finally:
                lock.release()

    @contextmanager
    def batch(self, bulk: bool = False) -> Iterator[_WhooshBatch]:
        with self._locked():
            batch = _WhooshBatch(self, bulk)
            try:
                yield batch
            finally:
                batch.discard()

    def maintain(self) -> None:
        with self._locked():
            self._commits = 0
            self._writer(_lk=False).commit(mergetype=_merge_tiers)

    def _committed(self) -> None:
        """Count a commit (under the write lock); after ``MERGE_FACTOR`` start the merger."""
        self._commits += 1
        self._last_commit = time.monotonic()
        if self._commits >= MERGE_FACTOR and (self._merger is None or not self._merger.is_alive()):
            self._merger = threading.Thread(target=self._merge_when_idle, name="search-merge", daemon=True)
            self._merger.start()

    def _merge_when_idle(self) -> None:
        while (not self._closing and self._commits < MERGE_CAP
               and time.monotonic() - self._last_commit < MERGE_IDLE):
            time.sleep(MERGE_IDLE / 5)
        if self._closing:
            return  # the search.merge job or a later merger does it
        try:
            self.maintain()
        except Exception:  # a later merger or the search.merge job tries again
            log.exception("merging the search index's segments failed")

    def _set_common_words(self, common: frozenset[str]) -> None:
        """Make the pair fields pair ``common`` (under the write lock, before documents are added)."""
        writer = self._writer(_lk=False)
        for name in PAIR_FIELDS.values():
            writer.remove_field(name)
            writer.add_field(name, pair_field(common))
        writer.commit(mergetype=NO_MERGE)

    def clear(self) -> None:
        """Remove every document; an index made before the word-pair fields gets them."""
        with self._locked():
            writer = self._writer(_lk=False)
            for name, fieldtype in make_schema().items():
                if name not in writer.schema:
                    writer.add_field(name, fieldtype)
            writer.commit(mergetype=CLEAR)

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
            raise SearchSyntaxError(gettext("The search %(text)s cannot be understood: %(problem)s", text=repr(text),
                                             problem=exc)) from exc

    def _run(self, searcher: Searcher, q: Query, query: SearchQuery, scope: ReadScope, limit: int,
             sortedby: str | None = None):
        """Whoosh's results of ``q`` among the allowed documents; ``None`` when none are allowed."""
        allowed = self._allowed_docs.parts(searcher, query, scope)
        if all(part is not None and part.is_empty for part in allowed):
            return None
        collector = SegmentFilter(searcher.collector(limit=limit, sortedby=sortedby), searcher, allowed)
        searcher.search_with_collector(pair_phrases(q, searcher.schema), collector)
        return collector.results()

    def search(self, query: SearchQuery, scope: ReadScope, limit: int = 20, offset: int = 0) -> SearchResults:
        searcher = self._searcher()
        allowed = self._allowed_docs.parts(searcher, query, scope)
        if all(part is not None and part.is_empty for part in allowed):
            return SearchResults(total=0, hits=[])
        q = self._text_query(query.text)
        paired = pair_phrases(q, searcher.schema)
        order_by = _dates(query.sort, searcher.schema)
        if word_scoring.is_words_only(paired, searcher):
            best, total = word_scoring.top_and_total(searcher, paired, allowed, offset + limit, order_by)
        else:
            best, total = _top_and_total(searcher, paired, allowed, offset + limit, order_by)
        words = frozenset(text.decode("utf-8") if isinstance(text, bytes) else text
                          for _, text in q.existing_terms(searcher.reader(), expand=True, fieldname="content"))
        analyzer = searcher.schema["content"].analyzer
        # One formatter per search: it numbers the terms (``term0``, ``term1``) as it meets them.
        formatter = HtmlFormatter(tagname="mark", between=" … ", classname="searchmatch")
        hits = []
        for docnum, score in best[offset : offset + limit]:
            stored = searcher.stored_fields(docnum)
            hits.append(SearchHit(page_id=int(stored["page_id"]), title=stored["display"],
                                  namespace=int(stored["namespace"]),
                                  snippet=snippet(stored.get("content", ""), words, analyzer, formatter),
                                  score=round(score, 4)))
        return SearchResults(total=total, hits=hits)

    def suggest(self, query: SearchQuery, scope: ReadScope) -> str | None:
        """Correct words absent from the index to near terms (edit distance 2) that are in it.

        The index holds stems, so a correction is a stem; the first page the corrected query
        finds within the scope shows how the stem is written, and that word is offered.
        The corrected words are put into the typed text by our own analysis of it: Whoosh's
        ``Correction.format_string`` needs the character positions of every query term, and
        a word the analyzer splits (``tickt=1``, ``Mian=Page``) becomes a phrase whose terms
        have none (Whoosh 2.7.5 then fails with a ``TypeError``).
        """
        if not has_spelled_words(query.text):
            return None
        searcher = self._searcher()
        original = self._text_query(query.text)
        correction = searcher.correct_query(original, None, prefix=1, maxdist=2)
        # compared with a fresh parse: correcting a phrase also changes the words of the original
        if not correction.tokens or correction.query == self._text_query(query.text):
            return None
        found = self._run(searcher, correction.query, query, scope, limit=1)
        if found is None or found.is_empty():
            return None
        words = surface_words(found[0].get("display", "") + " " + found[0].get("content", ""))
        corrected = {token.original: words.get(token.text, token.text) for token in correction.tokens}
        return _replace_words(query.text, corrected, searcher.schema["content"].analyzer)

    def titles_with_prefix(self, prefix: str, scope: ReadScope, limit: int = 10) -> list[str]:
        key = " ".join(prefix.replace("_", " ").split()).lower()
        if not key:
            return []
        prefixes = Or([Prefix("title_key", key), Prefix("full_key", key)])
        results = self._run(self._searcher(), prefixes, SearchQuery(text=""), scope, limit, sortedby="full_key")
        return [hit["display"] for hit in results] if results is not None else []

    def indexed_revisions(self) -> dict[int, int]:
        reader = self._searcher().reader()
        return {int(f["page_id"]): f["revision_id"] for f in reader.all_stored_fields()}


def _replace_words(text: str, corrected: dict[str, str], analyzer) -> str:
    """``text`` with each word whose term is a key of ``corrected`` replaced by its value."""
    out: list[str] = []
    end = 0
    for token in analyzer(text, chars=True, mode="query"):
        if token.text in corrected:
            out += [text[end:token.startchar], corrected[token.text]]
            end = token.endchar
    out.append(text[end:])
    return "".join(out)


def _top_and_total(searcher: Searcher, q: Query, allowed: list[Allowed | None], limit: int,
                   order_by: Callable[[Searcher], Sequence[float]] | None = None
                   ) -> tuple[list[tuple[int, float]], int]:
    """The ``limit`` best ``(document number, score)`` of ``q`` among the ``allowed``
    documents of each segment, best first, and the exact number of matches, for queries
    ``word_scoring`` does not score (``order_by`` as there).

    Whoosh finds the best hits fastest by skipping posting blocks that cannot reach them, but
    then knows no total and would run the query again to count.  When ``q`` is words joined
    by AND/OR/NOT, the total comes from set operations on the words' document lists, which
    is far cheaper; for phrases (whose positions must be compared document by document),
    and to order by something else than the score, one pass that scores and counts every
    match costs less than two.
    """
    exhaustive = order_by is not None or any(isinstance(leaf, (Phrase, AdjacentWords)) for leaf in q.leaves())
    if order_by is not None:
        collector = UnlimitedCollector()
    else:
        collector = TopCollector(limit=limit, usequality=not exhaustive, replace=0 if exhaustive else 10)
    filtered = SegmentFilter(collector, searcher, allowed)
    searcher.search_with_collector(q, filtered)
    results = filtered.results()
    if order_by is not None:
        first = [value for sub, _ in word_scoring.segments(searcher) for value in order_by(sub)]
        ranked = heapq.nlargest(limit, (((first[d], score), -d, score) for score, d in results.top_n))
        return [(-negated, score) for _, negated, score in ranked], len(results)
    exact = exhaustive or (results.has_exact_length() and all(part is None for part in allowed))
    total = len(results) if exact else _allowed_total(searcher, q, allowed)
    return [(docnum, score) for score, docnum in results.top_n], total


def _allowed_total(searcher: Searcher, q: Query, allowed: list[Allowed | None]) -> int:
    """How many allowed documents match ``q``, counted segment by segment."""
    total = 0
    for (sub, _), part in zip(word_scoring.segments(searcher), allowed):
        docs = _doc_set(sub, q)
        total += len(docs if part is None else part.keep(docs))
    return total


def _dates(sort: str, schema: Schema) -> Callable[[Searcher], Sequence[float]] | None:
    """What ``sort`` ranks by before the score, per segment: the time of each document's
    revision, newest or oldest first; ``None`` for relevance.  An index made before the
    ``modified`` field knows no times (all 0) until it is rebuilt."""
    if sort == RELEVANCE:
        return None
    if sort not in SORTS:
        raise ValueError(f"search results are sorted by one of {', '.join(SORTS)}, not {sort!r}")
    sign = 1 if sort == NEWEST else -1

    def times(sub: Searcher) -> Sequence[float]:
        reader = sub.reader()
        if "modified" not in schema:
            return [0] * reader.doc_count_all()
        if whoosh_speedups.INSTALLED:
            return [sign * t for t in whoosh_speedups.numeric_column(reader, "modified", MODIFIED)]
        return [sign * t for t in reader.column_reader("modified")]

    return times


def _doc_set(searcher: Searcher, q: Query) -> set[int]:
    """Document numbers matching ``q``: set algebra over OR and NOT; the words of an AND are
    intersected by Whoosh's matcher, which skips through the longer lists instead of reading
    them (``_skipping_docs``)."""
    if isinstance(q, And):
        wanted = [sub for sub in q.subqueries if not isinstance(sub, Not)]
        unwanted = [_doc_set(searcher, sub.query) for sub in q.subqueries if isinstance(sub, Not)]
        found = set(_skipping_docs(searcher, And(wanted)) if wanted else searcher.docs_for_query(Every()))
        return found.difference(*unwanted)
    if isinstance(q, Or) and not q.minmatch:
        return set().union(*(_doc_set(searcher, sub) for sub in q.subqueries))
    if isinstance(q, Not):
        return set(searcher.docs_for_query(Every())) - _doc_set(searcher, q.query)
    return set(searcher.docs_for_query(q))


def _skipping_docs(searcher: Searcher, q: Query) -> Iterator[int]:
    """Document numbers matching ``q``, found by stepping its matcher; Whoosh's
    ``docs_for_query`` asks an AND's matcher for all ids, which reads every list in full."""
    for sub, offset in word_scoring.segments(searcher):
        matcher = q.matcher(sub, sub.boolean_context())
        while matcher.is_active():
            yield matcher.id() + offset
            matcher.next()


def _merge_tiers(writer, segments: list) -> list:
    """A Whoosh merge policy (log-structured): segments are grouped by the number of digits
    of their document count, and a group of ``MERGE_FACTOR`` in a tier below ``BIG_TIER`` is
    merged into one segment.  Each document is copied about once per tier (Whoosh's own
    ``MERGE_SMALL`` re-copies a growing segment every few commits)."""
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
