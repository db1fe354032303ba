"""Text analysis for search: one Whoosh analyzer that routes each run of text by script.

Pages mix English, Arabic, Chinese and Japanese, often in one sentence, so a single
analyzer splits text into runs and treats each by its script:

* **CJK** (Han, Hiragana, Katakana) has no spaces between words: a run is indexed as
  overlapping character bigrams plus single characters, so a two-character word is found
  inside a longer sentence and a one-character query still matches.  At query time a run
  of two or more characters gives only its bigrams (a phrase of consecutive positions), and
  a single character gives the unigram.
* **Arabic** is normalised (tashkeel and tatweel removed, alef/hamza forms, ta marbuta and
  alef maqsura unified) and light-stemmed after Larkey's *light10* (prefixes such as ``ال``,
  ``وال``, ``بال``, ``لل``, ``و`` and suffixes such as ``ها``, ``ات``, ``ين`` stripped).
* **Latin letters** are lower-cased and reduced to their Porter stem, so English words
  match their inflections; other scripts are lower-cased only.

The stemming filters are marked ``is_morph`` so that Whoosh's spelling field keeps the
unstemmed words for "did you mean" suggestions.

``WordPairAnalyzer`` gives the terms of the word-pair fields: two adjacent *common* words
(after the analysis above) as one term ``"first second"``.  A phrase of common words, found
in a large share of all pages, would otherwise need the words' positions compared in each of
them; a word that is not common narrows the pages to check by itself.  Pairing only common
words (``common_words``: those in at least ``COMMON_SHARE`` of the pages of a sample) keeps
the pair fields at about half the postings that all pairs would need.  CJK runs make no
pairs.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator

from whoosh.analysis import Analyzer, CompositeAnalyzer, Filter, LowercaseFilter, StemFilter, Token, Tokenizer
from whoosh.lang import porter

CJK = "cjk"
ARABIC = "arabic"
LATIN = "latin"
OTHER = "other"

_CJK_CHARS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_ARABIC_CHARS = "\u0621-\u063a\u0640-\u065f\u0660-\u0669\u0670-\u06d3\u06d5\u06f0-\u06fc\u0750-\u077f"
_TOKEN = re.compile(
    rf"(?P<cjk>[{_CJK_CHARS}]+)"
    rf"|(?P<arabic>[{_ARABIC_CHARS}]+)"
    rf"|(?P<word>[^\W_{_CJK_CHARS}{_ARABIC_CHARS}]+(?:['’.][^\W_{_CJK_CHARS}{_ARABIC_CHARS}]+)*)"
)
_ASCII_WORD = re.compile(r"[a-z0-9'’.]+\Z", re.IGNORECASE)
_SPELLED_LETTER = re.compile(rf"[^\W\d_{_CJK_CHARS}]")
_CJK_CHAR = re.compile(rf"[{_CJK_CHARS}]")


def has_spelled_words(text: str) -> bool:
    """Whether ``text`` has letters outside CJK runs.  Spelling correction by edit distance
    means nothing for CJK bigrams (any two characters are two edits apart)."""
    return _SPELLED_LETTER.search(text) is not None


def has_cjk(term: str) -> bool:
    """Whether ``term`` (a word or an index term) has CJK characters."""
    return _CJK_CHAR.search(term) is not None


class ScriptTokenizer(Tokenizer):
    """Splits text into words and CJK runs; sets ``token.script`` for the filters."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield self._emit(token, value, OTHER, start_pos, start_char, start_char + len(value), keeporiginal)
            return
        pos = start_pos
        for match in _TOKEN.finditer(value):
            start, end = start_char + match.start(), start_char + match.end()
            if match.lastgroup == "cjk":
                yield from self._cjk(token, match.group(), pos, start, mode == "query", keeporiginal)
                pos += max(len(match.group()) - 1, 1)
                continue
            text = match.group()
            script = ARABIC if match.lastgroup == "arabic" else (LATIN if _ASCII_WORD.match(text) else OTHER)
            yield self._emit(token, text, script, pos, start, end, keeporiginal)
            pos += 1

    def _cjk(self, token: Token, run: str, pos: int, start: int, query: bool, keeporiginal: bool) -> Iterator[Token]:
        """Bigrams (and, when indexing or for a lone character, unigrams) at the run's positions.

        Bigram *i* and character *i* share position ``pos + i``, so the bigrams of a query run
        form a phrase of consecutive positions wherever the run occurs in a longer one.
        """
        if len(run) == 1 or not query:
            for i, char in enumerate(run):
                yield self._emit(token, char, CJK, pos + i, start + i, start + i + 1, keeporiginal)
        for i in range(len(run) - 1):
            yield self._emit(token, run[i : i + 2], CJK, pos + i, start + i, start + i + 2, keeporiginal)

    @staticmethod
    def _emit(token: Token, text: str, script: str, pos: int, start: int, end: int, keeporiginal: bool) -> Token:
        token.text = text
        token.script = script
        token.boost = 1.0
        token.stopped = False
        if keeporiginal:
            token.original = text
        if token.positions:
            token.pos = pos
        if token.chars:
            token.startchar, token.endchar = start, end
        return token


# --- Arabic --------------------------------------------------------------------------------

_TASHKEEL = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, tanween, shadda, sukun, dagger alef; tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
#: light10's definite articles, longest first (after ``و`` has been tried).
_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")
#: Single-letter prepositions and conjunctions; stripped only from longer words, where
#: they are far more often a prefix than part of the stem.
_PARTICLES = ("ب", "ك", "ل", "ف")
#: light10's suffixes (normalised: ة is ه, ى is ي), tried once each, in this order.
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


def normalize_arabic(word: str) -> str:
    """Remove diacritics and tatweel; unify alef/hamza forms, ta marbuta and alef maqsura."""
    return _TASHKEEL.sub("", word).translate(_ARABIC_LETTERS)


def light_stem(word: str) -> str:
    """Larkey's light10 stemmer on a normalised word (with single-letter particles added).

    ``و`` goes when at least three letters remain; an article when at least two remain;
    failing an article, ``ب ك ل ف`` when at least four remain (so ``بكتاب`` and ``كتاب``
    meet at ``كتاب``); then each suffix once while at least two letters remain.
    """
    if word.startswith("و") and len(word) - 1 >= 3:
        word = word[1:]
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            word = word[len(article) :]
            break
    else:
        if word[:1] in _PARTICLES and len(word) - 1 >= 4:
            word = word[1:]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


class ArabicNormalizeFilter(Filter):
    """Spelling variants of Arabic words become one form (index and query alike)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if getattr(token, "script", None) == ARABIC:
                token.text = normalize_arabic(token.text)
                if not token.text:
                    continue
            yield token


class ArabicLightStemFilter(Filter):
    """light10 prefix and suffix stripping for Arabic tokens (a morphological filter)."""

    is_morph = True

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if getattr(token, "script", None) == ARABIC:
                token.text = light_stem(token.text)
            yield token


#: Porter stems of recent words (Whoosh's own stem cache is a slower pure-Python LFU cache).
_porter_stem = functools.lru_cache(maxsize=50_000)(porter.stem)


class EnglishStemFilter(StemFilter):
    """Whoosh's Porter ``StemFilter``, applied to words in Latin letters only."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self._stem
        for token in tokens:
            if getattr(token, "script", None) == LATIN and not token.stopped:
                token.text = stem(token.text)
            yield token


class _IndexedWords(threading.local):
    """The words (term, script, position) of the texts this thread last analysed for an
    index field, by text, so that the word-pair fields pair them without analysing again."""

    #: A document's title and its text.
    TEXTS = 2

    def __init__(self) -> None:
        self.words: dict[str, list[tuple[str, str, int]]] = {}

    def remember(self, text: str, tokens: Iterator[Token]) -> Iterator[Token]:
        """``tokens`` (of ``text``), passed on; their words are kept once all have passed."""
        words = []
        for token in tokens:
            words.append((token.text, token.script, token.pos))
            yield token
        if len(self.words) >= self.TEXTS:
            del self.words[next(iter(self.words))]
        self.words[text] = words


_indexed_words = _IndexedWords()


class MultilingualAnalyzer(CompositeAnalyzer):
    """Script routing, lower-casing, Arabic normalising and stemming, English stemming.

    ``items`` declares the chain (and is what an index's pickled schema holds), but a call
    runs it in one loop: each token the ``ScriptTokenizer`` yields is lower-cased, normalised
    and stemmed (unless ``no_morph``) by the functions the filters use, which costs about a
    third less than passing every token through four generators.  The behaviour lives in
    this class, so indexes made before keep working and get the same speed.

    When it analyses a text for an index field (``mode="index"``, with positions), it keeps
    the words for ``WordPairAnalyzer``: Whoosh indexes a document's fields in name order, so
    ``content_pairs`` pairs the words just produced for ``content`` (and ``title_pairs`` those
    of ``title``), in the same process and thread, also inside ``MpWriter``'s processes.
    """

    def __init__(self) -> None:
        super().__init__(ScriptTokenizer(), LowercaseFilter(), ArabicNormalizeFilter(), ArabicLightStemFilter(),
                         EnglishStemFilter())

    def __call__(self, value: str, no_morph: bool = False, **kwargs) -> Iterator[Token]:
        tokens = self._words(value, no_morph, **kwargs)
        if no_morph or kwargs.get("mode") != "index" or not kwargs.get("positions"):
            return tokens
        return _indexed_words.remember(value, tokens)

    def _words(self, value: str, no_morph: bool, **kwargs) -> Iterator[Token]:
        for token in self.items[0](value, **kwargs):
            text = token.text.lower()
            if token.script == ARABIC:
                text = normalize_arabic(text)
                if not text:
                    continue
                if not no_morph:
                    text = light_stem(text)
            elif token.script == LATIN and not no_morph:
                text = _porter_stem(text)
            token.text = text
            yield token


def multilingual_analyzer() -> Analyzer:
    """The analyzer of every text field of the index (titles and content)."""
    return MultilingualAnalyzer()


#: Share of pages a word must be in to be a common word (one that the pair fields pair).
COMMON_SHARE = 0.01


def common_words(texts: Iterable[str]) -> frozenset[str]:
    """The index terms (outside CJK runs) in at least ``COMMON_SHARE`` of ``texts``."""
    analyzer = multilingual_analyzer()
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        total += 1
        counts.update({token.text for token in analyzer(text, mode="index") if token.script != CJK})
    return frozenset(word for word, count in counts.items() if count >= COMMON_SHARE * total)


class WordPairAnalyzer(Analyzer):
    """Adjacent common words of the text, analysed as by ``multilingual_analyzer``, paired:
    ``"a b"`` for each word ``a`` in ``common`` directly followed by ``b`` in ``common``
    (consecutive positions; CJK runs break a pair).  While indexing, the words are those
    ``MultilingualAnalyzer`` has just produced for the same text's word field, if it has."""

    def __init__(self, common: frozenset[str] = frozenset()) -> None:
        self.common = common
        self._words = multilingual_analyzer()

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.common == self.common

    def __hash__(self) -> int:
        return hash(self.common)

    def __call__(self, value: str, **kwargs) -> Iterator[Token]:
        common = self.common
        if not common:
            return
        words = _indexed_words.words.get(value) if kwargs.get("mode") == "index" else None
        if words is None:
            # A word-pair field stores no positions, but pairing needs them.
            words = ((t.text, t.script, t.pos) for t in self._words(value, **{**kwargs, "positions": True}))
        token = Token(**kwargs)
        previous, previous_pos = None, -2
        for text, script, pos in words:
            if script == CJK or text not in common:
                previous = None
                continue
            if previous is not None and pos == previous_pos + 1:
                token.text = pair_term(previous, text)
                token.boost = 1.0
                if token.positions:
                    token.pos = pos
                yield token
            previous, previous_pos = text, pos


def pair_term(first: str, second: str) -> str:
    """The word-pair term of two adjacent index terms."""
    return f"{first} {second}"
