"""Page titles, normalised the MediaWiki way.

``_`` and runs of white space become one space, a namespace prefix (name or alias, in any
case) is resolved, the first letter is upper-cased where the namespace says so, and a
``#fragment`` is kept apart.  Illegal characters, relative paths and over-long titles are
refused with an ``InvalidTitle`` whose message says what was wrong.

So that no title can look like another page's, characters that only change how a title
looks are removed or folded before anything else (``_clean``):

* bidirectional controls (marks, embeddings, overrides, isolates) are removed, as MediaWiki
  does;
* characters that draw nothing (zero-width space, word joiner, byte order mark, soft
  hyphen) are removed, and so are zero-width joiners and non-joiners except where they
  change how the text is drawn: after a virama (Indic conjuncts); a non-joiner between a
  letter of a joining script that joins to the left and another letter of it (Persian and
  Urdu words such as ``می‌شود``); a joiner next to a symbol (emoji sequences);
* letters and digits that are another letter in a different width or typeface (full-width
  ``Ｍ``, half-width katakana, mathematical bold, Arabic presentation forms) become that
  letter; full-width punctuation, ligatures, superscripts and other compatibility
  characters keep their own look and stay;
* then the title is composed (NFC).

Pages stored under titles these rules now write differently are moved by
``wiki.retitle`` when the database is upgraded, so none becomes unreachable.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from wiki.namespaces import MAIN, SPECIAL, SPECIAL_NAMESPACE, Namespace, NamespaceRegistry

#: Longest title text, in bytes of UTF-8, as in MediaWiki.
MAX_TITLE_BYTES = 255

_ILLEGAL = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f\ufffd]")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_SPACES = re.compile(r"[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
#: Bidirectional controls and characters that draw nothing in any script.
_INVISIBLE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u00ad\u200b\u2060\ufeff]")
ZWNJ, ZWJ = "\u200c", "\u200d"
#: Scripts whose letters join, where a non-joiner between two letters changes their shapes:
#: Arabic (with its supplements), Syriac, N'Ko, Mandaic, Mongolian ...
_JOINING = re.compile("[\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u07c0-\u07ff\u0840-\u085f\u08a0-\u08ff"
                      "\u1800-\u18af]")
#: ... except after the Arabic letters that never join the letter after them (hamza, alef,
#: dal, reh, waw and their variants), where it changes nothing.
_JOINS_RIGHT_ONLY = re.compile("[\u0621-\u0625\u0627\u0629\u062f-\u0632\u0648\u0671-\u0673\u0675-\u0677"
                               "\u0688-\u0699\u06c0\u06c3-\u06cb\u06cd\u06cf\u06d2\u06d3\u06d5\u06ee\u06ef]")
#: Compatibility forms that are another letter in a different width or typeface.
_LOOK_ALIKE_FORMS = ("<wide>", "<narrow>", "<font>", "<initial>", "<medial>", "<final>", "<isolated>")


class InvalidTitle(ValueError):
    """A title that cannot name a page; the message is shown to the user."""


@dataclass(frozen=True)
class Title:
    """A normalised page title: a namespace, the text after its prefix, and a fragment."""

    namespace: Namespace
    text: str
    fragment: str = ""

    @property
    def ns(self) -> int:
        return self.namespace.number

    @property
    def key(self) -> tuple[int, str]:
        """What identifies the page: namespace number and text (fragment ignored)."""
        return (self.namespace.number, self.text)

    @property
    def prefixed(self) -> str:
        """``"Help:Getting started"``."""
        return f"{self.namespace.prefix}{self.text}"

    @property
    def dbkey(self) -> str:
        """The prefixed title with underscores, as used in addresses: ``Help:Getting_started``."""
        return self.prefixed.replace(" ", "_")

    @property
    def url_path(self) -> str:
        """The path of the page's view, ``/wiki/Help:Getting_started``, safely quoted."""
        return "/wiki/" + quote(self.dbkey, safe=":/(),!*'@$;")

    @property
    def is_special(self) -> bool:
        return self.namespace.number == SPECIAL

    @property
    def root_text(self) -> str:
        return self.text.split("/", 1)[0]

    @property
    def base_text(self) -> str:
        return self.text.rsplit("/", 1)[0]

    @property
    def subpage_text(self) -> str:
        return self.text.rsplit("/", 1)[-1]

    def with_fragment(self, fragment: str) -> "Title":
        return Title(self.namespace, self.text, fragment)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Title) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __str__(self) -> str:
        return self.prefixed


@functools.cache
def _fold(ch: str) -> str:
    """``ch`` as the letter or digit it is another form of, else itself."""
    if not unicodedata.decomposition(ch).startswith(_LOOK_ALIKE_FORMS):
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    return folded if all(unicodedata.category(c)[0] in "LMN" for c in folded) else ch


def _joiner_shows(text: str, at: int) -> bool:
    """Whether the (non-)joiner at ``at`` changes how its neighbours are drawn."""
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    if before and unicodedata.combining(before) == 9:  # a virama: the (non-)joiner picks the conjunct's form
        return True
    if text[at] == ZWJ:
        return any(c and unicodedata.category(c) == "So" for c in (before, after))
    return bool(before and after and before.isalpha() and after.isalpha() and _JOINING.match(before)
                and _JOINING.match(after) and not _JOINS_RIGHT_ONLY.match(before))


def _clean(text: str) -> str:
    """Remove what is invisible and fold look-alike letters (see the module's docstring)."""
    text = _INVISIBLE.sub("", text)
    text = "".join(_fold(ch) for ch in text)
    if ZWNJ in text or ZWJ in text:
        text = "".join(ch for at, ch in enumerate(text) if ch not in (ZWNJ, ZWJ) or _joiner_shows(text, at))
    return unicodedata.normalize("NFC", text)


def _normalise_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ")


def _capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


class TitleParser:
    """Turns user-typed titles into ``Title`` objects for one site's namespaces."""

    def __init__(self, namespaces: NamespaceRegistry):
        self.namespaces = namespaces

    def namespace(self, number: int) -> Namespace:
        if number == SPECIAL:
            return SPECIAL_NAMESPACE
        return self.namespaces.get(number)

    def make(self, number: int, text: str) -> Title:
        """A title in a known namespace from its text (normalised, validated)."""
        return self.parse(text, default_namespace=number, allow_prefix=False)

    def parse(self, raw: str, default_namespace: int = MAIN, allow_prefix: bool = True) -> Title:
        """Parse a title as a user typed it.

        A leading ``:`` forces the main namespace's lookup of prefixes (``:Category:X`` is the
        category page, used by links); ``allow_prefix=False`` treats every colon as text.
        """
        if not isinstance(raw, str):
            raise InvalidTitle("A title must be text.")
        text = raw if raw.isascii() else _clean(raw)
        text = _normalise_spaces(text)
        fragment = ""
        if "#" in text:
            text, fragment = text.split("#", 1)
            text = _normalise_spaces(text)
            fragment = _normalise_spaces(fragment)
        namespace = self.namespace(default_namespace)
        if allow_prefix:
            if text.startswith(":"):
                text = _normalise_spaces(text[1:])
                namespace = self.namespace(MAIN)
            if ":" in text:
                prefix, rest = text.split(":", 1)
                found = SPECIAL_NAMESPACE if prefix.strip().casefold() == "special" else self.namespaces.lookup(prefix)
                if found is not None:
                    namespace = found
                    text = _normalise_spaces(rest)
                    if text.startswith(":"):
                        raise InvalidTitle(f"The title {raw!r} has two namespace prefixes.")
        if not text:
            raise InvalidTitle("The title is empty." if not raw.strip() else f"The title {raw!r} has no page name.")
        bad = _ILLEGAL.search(text)
        if bad:
            ch = bad.group(0)
            shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
            raise InvalidTitle(f"The title {raw!r} contains the character {shown}, which titles may not use.")
        if _PERCENT_ESCAPE.search(text):
            raise InvalidTitle(f"The title {raw!r} contains a percent escape such as %20; type the character itself.")
        if text in (".", "..") or text.startswith(("./", "../")) or "/./" in text or "/../" in text \
                or text.endswith(("/.", "/..")):
            raise InvalidTitle(f"The title {raw!r} is a relative path ('.' or '..'), which titles may not be.")
        if "~~~" in text:
            raise InvalidTitle(f"The title {raw!r} contains '~~~', which is kept for signatures.")
        if len(text.encode("utf-8")) > MAX_TITLE_BYTES:
            raise InvalidTitle(
                f"The title is {len(text.encode('utf-8'))} bytes long; the limit is {MAX_TITLE_BYTES} bytes."
            )
        if namespace.capitalize:
            text = _capitalize_first(text)
        return Title(namespace, text, fragment)

    def from_dbkey(self, key: str) -> Title:
        """Parse the title part of an address (``Help:Getting_started``)."""
        return self.parse(key.replace("_", " "))

    def talk_page(self, title: Title) -> Title | None:
        """The talk page of ``title`` (itself if it is one); ``None`` for special pages."""
        talk = self.namespaces.talk_of(title.namespace)
        return Title(talk, title.text) if talk is not None else None

    def subject_page(self, title: Title) -> Title:
        return Title(self.namespaces.subject_of(title.namespace), title.text)
