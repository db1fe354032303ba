"""Best hits and exact totals of word queries, scored a posting block at a time.

Whoosh scores a query one posting at a time through a tree of matcher objects, some ten
Python calls per posting: a word in 10,000 of 100,000 pages costs about 40 ms, and the
exact total a second pass.  Most queries are words only: the parser makes
``Or(title:w^3, content:w)`` of a word and joins words with ``And``, a phrase of two
common words becomes one word-pair term, and other phrases of words ``AdjacentWords``
(``wiki.search.phrases``), and a prefix (``rout*``) stands for the words it begins.  For those,
``top_and_total`` reads each term's postings a block at a time
(``wiki.search.whoosh_speedups``), scores them with the BM25F formula and parameters of
Whoosh's own scorer, and adds the scores up per document as Whoosh's matchers do (an ``Or``
sums the parts a document has; an ``And`` keeps the documents every part has and sums).
The total comes with it.  An ``And`` reads its smallest part in full and looks up only the
documents found there in its other parts.

The scores are those of Whoosh's exact evaluation (``TopCollector(usequality=False,
replace=0)``), to the last bit where a document's score adds up at most two numbers at each
level (more may differ in the last bits, summed in another order); ties go to the lower
document number, as in Whoosh.  A prefix or wildcard scores as the ``Or`` of the words it
expands to, each with the pattern's boost; Whoosh does so in segments of more than 5,000
documents but gives every match the same score in smaller ones, so rankings no longer
depend on how the index happens to be split.  ``Every()`` (a search of filters alone) gives
every document the same score, as Whoosh does, and a ``NOT`` part of an ``And`` removes the
documents it matches (and adds 1 to the others' scores, as Whoosh's matcher does).  Any
other query (CJK and sloppy phrases, a ``NOT`` alone) or weighting is left to Whoosh
(``is_words_only`` is false).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence, Set as AbstractSet
from typing import TYPE_CHECKING

from whoosh.query import And, Every, Not, NullQuery, Or, Prefix, Query, Term, Wildcard
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from wiki.search import whoosh_speedups
from wiki.search.phrases import AdjacentWords

if TYPE_CHECKING:
    from wiki.search.whoosh_allowed import Allowed

#: An ``And`` looks up its other parts' postings one document at a time when it has fewer
#: than 1/``LOOKUP_SHARE`` as many documents as the part's term; else it reads them all.
LOOKUP_SHARE = 8

Scores = dict[int, float]


def segments(searcher: Searcher) -> list[tuple[Searcher, int]]:
    """``(segment searcher, offset of its document numbers)`` of every segment of the index."""
    return searcher.subsearchers or [(searcher, 0)]


def is_words_only(q: Query, searcher: Searcher) -> bool:
    """Whether ``top_and_total`` can score ``q``: terms, prefixes, wildcards and phrases of
    words (``AdjacentWords``) of scored fields, joined by plain ``And`` and ``Or`` (an ``And``
    may leave out what its ``NOT`` parts match), under Whoosh's BM25F weighting; or
    ``Every()`` (a search of filters alone)."""
    if not (whoosh_speedups.INSTALLED and isinstance(searcher.weighting, BM25F)):
        return False
    return _words_only(q, searcher)


def _words_only(q: Query, searcher: Searcher) -> bool:
    if q is NullQuery or (type(q) is Every and q.fieldname is None):
        return True
    if type(q) is Term:
        return _scored_field(q, searcher) and not q.minquality
    if type(q) in (Prefix, Wildcard):
        return _scored_field(q, searcher) and q.text != ""
    if type(q) is AdjacentWords:
        return _scored_field(q.phrase, searcher) and all(_words_only(pair, searcher) for pair in q.pairs)
    if type(q) is Or and (q.minmatch or q.scale):
        return False
    if type(q) is Or and q.boost == 1.0:
        return all(_words_only(sub, searcher) for sub in q.subqueries)
    if type(q) is And and q.boost == 1.0:
        wanted = [sub for sub in q.subqueries if type(sub) is not Not]
        unwanted = [sub.query for sub in q.subqueries if type(sub) is Not]
        return bool(wanted) and all(_words_only(sub, searcher) for sub in wanted + unwanted)
    return False


def _scored_field(q: Query, searcher: Searcher) -> bool:
    return q.fieldname in searcher.schema and searcher.schema[q.fieldname].scorable


def top_and_total(searcher: Searcher, q: Query, allowed: Sequence[Allowed | None], limit: int,
                  order_by: Callable[[Searcher], Sequence[float]] | None = None) -> tuple[list[tuple[int, float]], int]:
    """The ``limit`` best ``(document number, score)`` of ``q`` (``is_words_only``), best
    first, and the number of matching documents, among the documents of each segment that
    ``allowed`` (in ``segments`` order; ``None``: all) lets through.

    :param order_by: gives a segment's searcher a number per document that ranks before the
        score (highest first), such as a date; ``None`` ranks by score alone.
    """
    scorer = _Scorer(searcher)
    best: list[tuple] = []
    total = 0
    for (sub, offset), allow in zip(segments(searcher), allowed):
        if allow is not None and allow.is_empty:
            continue
        scores = scorer.scores(q, sub, None)
        reader = sub.reader()
        kept = scores.keys() - reader.deleted_docs_set if reader.has_deletions() else scores.keys()
        if allow is not None:
            kept = allow.keep(kept)
        total += len(kept)
        if order_by is None:
            found = _best(scores, kept, offset, limit)
        else:
            first = order_by(sub)
            found = [((first[d], scores[d]), -(d + offset), scores[d]) for d in kept]
        best = heapq.nlargest(limit, best + found)
    return [(-negated, score) for _, negated, score in best], total


def _best(scores: Scores, kept: AbstractSet[int], offset: int, limit: int) -> list[tuple[float, int, float]]:
    """The ``limit`` best ``(score, -global docnum, score)`` of the ``kept`` documents (ties:
    the lower document number first).  The threshold score is found among the bare scores,
    so that only the documents above it and the first ones at it become tuples."""
    if len(kept) > limit:
        threshold = heapq.nlargest(limit, [scores[d] for d in kept])[-1]
        above = [d for d in kept if scores[d] > threshold]
        kept = above + heapq.nsmallest(limit - len(above), (d for d in kept if scores[d] == threshold))
    return heapq.nlargest(limit, [(scores[d], -(d + offset), scores[d]) for d in kept])


class _Scorer:
    """Scores of ``q``'s documents in one segment at a time, with the statistics of the whole
    index (``searcher``), as Whoosh's ``BM25FScorer`` has them."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self.weighting: BM25F = searcher.weighting
        self.k1 = self.weighting.K1
        self._norms: dict[str, list[float]] = {}

    def _norm(self, fieldname: str) -> list[float]:
        """BM25F's length part ``K1 * ((1 - B) + B * fl / avgfl)`` for each stored length byte."""
        if fieldname not in self._norms:
            k1, b = self.k1, self.weighting._field_B.get(fieldname, self.weighting.B)
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            self._norms[fieldname] = [k1 * ((1 - b) + b * byte_to_length(n) / avgfl) for n in range(256)]
        return self._norms[fieldname]

    def scores(self, q: Query, sub: Searcher, candidates: list[int] | None) -> Scores:
        """``docnum -> score`` in ``sub``'s segment (deleted documents included); with
        ``candidates`` (ascending), at least those of them that match and maybe more."""
        if q is NullQuery:
            return {}
        if type(q) is Every:  # filters alone: every document, all alike (as Whoosh scores them)
            return dict.fromkeys(range(sub.reader().doc_count_all()), q.boost)
        if type(q) is Term:
            try:
                btext = self.searcher.schema[q.fieldname].to_bytes(q.text)
            except ValueError:
                return {}
            return self._term(q.fieldname, btext, q.boost, sub, candidates)
        if type(q) in (Prefix, Wildcard):
            return self._or([self._term(fieldname, btext, q.boost, sub, candidates)
                             for fieldname, btext in q.expanded_terms(sub.reader())])
        if type(q) is AdjacentWords:
            return self._adjacent(q, sub, candidates)
        if type(q) is Or:
            return self._or([self.scores(part, sub, candidates) for part in q.subqueries])
        return self._and(q.subqueries, sub, candidates)

    @staticmethod
    def _or(parts: list[Scores]) -> Scores:
        parts.sort(key=len, reverse=True)
        summed = dict(parts[0]) if parts else {}
        for part in parts[1:]:
            for docnum, score in part.items():
                summed[docnum] = summed[docnum] + score if docnum in summed else score
        return summed

    def _and(self, parts: list[Query], sub: Searcher, candidates: list[int] | None) -> Scores:
        """The documents of every part but the ``NOT`` ones, their scores summed, without the
        documents that a ``NOT`` part matches."""
        reader = sub.reader()
        wanted = sorted((part for part in parts if type(part) is not Not), key=lambda part: part.estimate_size(reader))
        summed = self.scores(wanted[0], sub, candidates)
        for part in wanted[1:]:
            if not summed:
                break
            other = self.scores(part, sub, sorted(summed))
            summed = {docnum: score + other[docnum] for docnum, score in summed.items() if docnum in other}
        for part in (part.query for part in parts if type(part) is Not):
            if not summed:
                break
            unwanted = self.scores(part, sub, sorted(summed))
            # Whoosh's matcher of a NOT part gives every document it keeps a score of 1.
            summed = {docnum: score + 1.0 for docnum, score in summed.items() if docnum not in unwanted}
        return summed

    def _bm25(self, fieldname: str, btext: bytes, reader) -> tuple[float, list[float], bytes]:
        """The term's idf, the field's length norms and the segment's lengths: a posting's
        score is ``idf * ((w * (K1 + 1)) / (w + norm[lengths[docnum]]))``."""
        lengths = whoosh_speedups.field_lengths(reader, fieldname)
        return self.searcher.idf(fieldname, btext), self._norm(fieldname), lengths

    def _term(self, fieldname: str, btext: bytes, boost: float, sub: Searcher, candidates: list[int] | None) -> Scores:
        reader = sub.reader()
        if (fieldname, btext) not in reader:
            return {}
        idf, norm, lengths = self._bm25(fieldname, btext, reader)
        k1_1 = self.k1 + 1
        if candidates is not None and len(candidates) * LOOKUP_SHARE < reader.doc_frequency(fieldname, btext):
            postings = whoosh_speedups.postings_at(reader, fieldname, btext, candidates)
            return {d: idf * ((w * k1_1) / (w + norm[lengths[d]])) * boost for d, w, _ in postings}
        return {d: idf * ((w * k1_1) / (w + norm[lengths[d]])) * boost
                for ids, weights in whoosh_speedups.block_postings(reader, fieldname, btext)
                for d, w in zip(ids, weights)}

    def _adjacent(self, q: AdjacentWords, sub: Searcher, candidates: list[int] | None) -> Scores:
        """The documents with ``q``'s words at consecutive positions, scored as Whoosh's
        ``Phrase``: the words' scores summed in order, times the phrase's boost.  The
        candidates are the documents with all of ``q``'s word pairs and its rarest other word;
        the words' positions are then read rarest word first, each only for the documents
        still in the running."""
        phrase, reader, k1_1 = q.phrase, sub.reader(), self.k1 + 1
        fieldname = phrase.fieldname
        btexts = [self.searcher.schema[fieldname].to_bytes(word) for word in phrase.words]
        if not all((fieldname, btext) in reader for btext in btexts):
            return {}
        narrowing = list(q.pairs)
        if q.unpaired:
            narrowing.append(Term(fieldname, min(q.unpaired, key=lambda word: reader.doc_frequency(fieldname, word))))
        docnums = sorted(self.scores(And(narrowing), sub, candidates))
        starts: dict[int, set[int]] | None = None
        word_scores: dict[int, list[float]] = {}
        for offset in sorted(range(len(btexts)), key=lambda n: reader.doc_frequency(fieldname, btexts[n])):
            idf, norm, lengths = self._bm25(fieldname, btexts[offset], reader)
            still: dict[int, set[int]] = {}
            for d, w, positions in whoosh_speedups.postings_at(reader, fieldname, btexts[offset], docnums,
                                                              positions=True):
                shifted = {p - offset for p in positions}
                left = shifted if starts is None else starts[d] & shifted
                if left:
                    still[d] = left
                    word_scores.setdefault(d, [0.0] * len(btexts))[offset] = (
                        idf * ((w * k1_1) / (w + norm[lengths[d]])))
            starts, docnums = still, list(still)
        return {d: sum(word_scores[d]) * phrase.boost for d in docnums}
