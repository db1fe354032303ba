"""Phrases on the Whoosh index without comparing word positions page by page.

Whoosh checks a phrase by comparing the words' positions (building span objects) in every
document that has all of them, which takes hundreds of milliseconds for frequent words at
100,000 pages.  The title and the text are therefore also indexed as pairs of adjacent
common words (``PAIR_FIELDS``; ``wiki.search.analysis.WordPairAnalyzer``), and
``pair_phrases`` rewrites a parsed query:

* a phrase of two common words becomes its pair term: exact, scored by the pair;
* any other phrase of words becomes ``AdjacentWords``: the documents that have the
  phrase's pairs of common words and the rarest of its other words are the candidates,
  and only their positions are compared, as sets; scored by the words, as Whoosh's
  ``Phrase`` is.  A word that is not common narrows the candidates by itself.

The common words are kept in the index's schema (the pair fields' analyzer), so that every
document in the index is paired alike; they change only when the index is emptied (the
Whoosh backend chooses them when a rebuild starts).  An index without them (new, or made
before the pair fields) compares positions among the documents that have all the words.
Phrases with CJK terms or a slop keep Whoosh's own check.  The position checks skip through posting lists, which
``wiki.search.whoosh_speedups`` makes cheaper.
"""

from __future__ import annotations

from whoosh.fields import TEXT, FieldType, Schema
from whoosh.matching import NullMatcher, WrappingMatcher
from whoosh.query import And, Phrase, Query, Term
from whoosh.searching import Searcher

from wiki.search.analysis import WordPairAnalyzer, has_cjk, pair_term

#: The word-pair field of each text field.
PAIR_FIELDS = {"title": "title_pairs", "content": "content_pairs"}


def pair_field(common: frozenset[str] = frozenset()) -> FieldType:
    """A word-pair field: pairs of the ``common`` words, scored, without positions."""
    return TEXT(analyzer=WordPairAnalyzer(common), phrase=False)


def has_pairs(schema: Schema) -> bool:
    """Whether the index has the word-pair fields (indexes made before them have not)."""
    return all(name in schema for name in PAIR_FIELDS.values())


def paired_words(schema: Schema) -> frozenset[str]:
    """The common words that the index's pair fields pair."""
    return schema[PAIR_FIELDS["content"]].analyzer.common if has_pairs(schema) else frozenset()


def pair_phrases(q: Query, schema: Schema) -> Query:
    """``q`` with its phrases of words (slop 1, no CJK) in the title or the text looked up
    by word pairs (see the module docstring)."""
    if not isinstance(q, Phrase):
        return q if q.is_leaf() else q.apply(lambda sub: pair_phrases(sub, schema))
    if q.slop != 1 or q.fieldname not in PAIR_FIELDS or len(q.words) < 2 or any(map(has_cjk, q.words)):
        return q
    common = paired_words(schema)
    if len(q.words) == 2 and all(word in common for word in q.words):
        return Term(PAIR_FIELDS[q.fieldname], pair_term(*q.words), boost=q.boost)
    pairs: list[Term] = []
    paired: set[int] = set()
    for i, (first, second) in enumerate(zip(q.words, q.words[1:])):
        if first in common and second in common:
            pairs.append(Term(PAIR_FIELDS[q.fieldname], pair_term(first, second)))
            paired.update((i, i + 1))
    return AdjacentWords(q, pairs, [word for i, word in enumerate(q.words) if i not in paired])


class AdjacentWords(Query):
    """The documents in which ``phrase``'s words are at consecutive positions, scored by the
    words (times the phrase's boost) as Whoosh's ``Phrase`` is.  Positions are read only
    for candidates: the documents with all ``pairs`` and the rarest of the ``unpaired``
    words."""

    def __init__(self, phrase: Phrase, pairs: list[Term], unpaired: list[str]):
        self.phrase = phrase
        self.pairs = pairs
        self.unpaired = unpaired

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.phrase == self.phrase

    def __hash__(self) -> int:
        return hash(self.phrase)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.phrase!r})"

    def terms(self, phrases: bool = False):
        return self.phrase.terms(phrases)

    def estimate_size(self, ixreader) -> int:
        return min([ixreader.doc_frequency(term.fieldname, term.text) for term in self.pairs]
                   + [ixreader.doc_frequency(self.phrase.fieldname, word) for word in self.unpaired])

    def estimate_min_size(self, ixreader) -> int:
        return 0

    def matcher(self, searcher: Searcher, context=None):
        fieldname, reader = self.phrase.fieldname, searcher.reader()
        if not (all((term.fieldname, term.text) in reader for term in self.pairs)
                and all((fieldname, word) in reader for word in self.unpaired)):
            return NullMatcher()
        candidates = list(self.pairs)
        if self.unpaired:
            rarest = min(self.unpaired, key=lambda word: reader.doc_frequency(fieldname, word))
            candidates.append(Term(fieldname, rarest))
        weighting = context.weighting if context is not None else None
        words = [searcher.postings(fieldname, word, weighting=weighting) for word in self.phrase.words]
        return _AdjacentMatcher(And(candidates).matcher(searcher, context), words, self.phrase.boost)


class _AdjacentMatcher(WrappingMatcher):
    """The documents of ``child`` in which the ``words`` matchers' positions are consecutive;
    the score is the words' scores (at the current document) times ``boost``."""

    def __init__(self, child, words: list, boost: float = 1.0):
        super().__init__(child, boost)
        self._words = words
        self._find()

    def copy(self):
        return type(self)(self.child.copy(), [word.copy() for word in self._words], self.boost)

    def _replacement(self, newchild):
        return type(self)(newchild, self._words, self.boost)

    def supports_block_quality(self) -> bool:
        return False

    def reset(self) -> None:
        self.child.reset()
        for word in self._words:
            word.reset()
        self._find()

    def _adjacent(self) -> bool:
        """Whether the words are at consecutive positions in the child's current document."""
        docnum = self.child.id()
        starts: set[int] | None = None
        for offset, word in enumerate(self._words):
            if word.is_active() and word.id() < docnum:
                word.skip_to(docnum)
            if not word.is_active() or word.id() != docnum:
                return False
            positions = {pos - offset for pos in word.value_as("positions")}
            starts = positions if starts is None else starts & positions
            if not starts:
                return False
        return True

    def _find(self) -> None:
        while self.child.is_active() and not self._adjacent():
            self.child.next()

    def next(self) -> None:
        self.child.next()
        self._find()

    def skip_to(self, id) -> None:
        self.child.skip_to(id)
        self._find()

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def weight(self) -> float:
        return sum(word.weight() for word in self._words) * self.boost

    def score(self) -> float:
        return sum(word.score() for word in self._words) * self.boost
