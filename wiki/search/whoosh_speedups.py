"""Faster stepping through Whoosh's posting lists (whoosh-reloaded 2.7.5): ``install()``,
and raw access to a segment's postings and field lengths for ``wiki.search.word_scoring``.

Whoosh's block posting reader (``W3LeafMatcher``) moves one posting at a time, one Python
method call each: ``skip_to`` walks through up to 128 postings of a block to reach a
document, and ``all_ids`` (counting the matches of a word) yields each id after a call to
``next``.  Phrase checks, ANDs of frequent words and exact totals spend most of their time
there.  ``_bisect_skip_to`` bisects the block's ids instead, and ``_block_all_ids`` yields a
whole block's ids at once; the results are the same.

``block_postings``, ``postings_at``, ``field_lengths`` and ``numeric_column`` read the same
private state of a segment reader, so they are used only where ``install()`` found it (``INSTALLED``).
"""

from __future__ import annotations

import logging
from bisect import bisect_left
import struct
from collections.abc import Iterable, Iterator, Sequence

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3PerDocReader, _lenfield
from whoosh.columns import NumericColumn
from whoosh.matching import ReadTooFar
from whoosh.reading import SegmentReader

log = logging.getLogger(__name__)
#: Whether the methods are replaced and the raw readers below may be used.
INSTALLED = False


def _bisect_skip_to(matcher: W3LeafMatcher, target: int) -> None:
    if not matcher.is_active():
        raise ReadTooFar
    if target <= matcher.id():
        return
    if target > matcher.block_max_id():
        matcher._skip_to_block(lambda: target > matcher.block_max_id())
    if matcher.is_active():
        matcher.id()  # loads the block's ids
        matcher._i = bisect_left(matcher._ids, target, matcher._i)


def _block_all_ids(matcher: W3LeafMatcher) -> Iterator[int]:
    while matcher.is_active():
        matcher.id()  # loads the block's ids
        yield from matcher._ids[matcher._i :]
        matcher._next_block()


def _leaf(reader: SegmentReader, fieldname: str, btext: bytes) -> W3LeafMatcher:
    """The term's posting reader in ``reader``'s segment, deleted documents included."""
    return reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)


def block_postings(reader: SegmentReader, fieldname: str,
                   btext: bytes) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """The term's postings in ``reader``'s segment a block at a time, as ``(ids, weights)``,
    deleted documents included (the term must be in the segment)."""
    leaf = _leaf(reader, fieldname, btext)
    while leaf.is_active():
        leaf.id()  # loads the block's ids
        leaf.weight()  # and its weights
        yield leaf._ids, leaf._weights
        leaf._next_block()


def postings_at(reader: SegmentReader, fieldname: str, btext: bytes, docnums: Iterable[int],
                positions: bool = False) -> Iterator[tuple[int, float, list[int] | None]]:
    """``(docnum, weight, positions or None)`` of the term for those of the ascending
    ``docnums`` that have it; the positions are read only when asked for."""
    leaf = _leaf(reader, fieldname, btext)
    for docnum in docnums:
        if not leaf.is_active():
            return
        leaf.skip_to(docnum)
        if leaf.is_active() and leaf.id() == docnum:
            yield docnum, leaf.weight(), leaf.value_as("positions") if positions else None


def field_lengths(reader: SegmentReader, fieldname: str) -> bytes:
    """The field's length of every document of the segment, as Whoosh stores it: one byte
    per document (``whoosh.util.numeric.byte_to_length`` decodes it), 0 for none."""
    return _column_bytes(reader, _lenfield(fieldname), LENGTHS_COLUMN)


def numeric_column(reader: SegmentReader, fieldname: str, column: NumericColumn) -> Sequence[int | float]:
    """The values of the numeric ``column`` of ``fieldname`` (a ``COLUMN`` field) of every
    document of the segment; the column's default where a document has none."""
    return struct.unpack(f"!{reader.doc_count_all()}{column._typecode}", _column_bytes(reader, fieldname, column))


def _column_bytes(reader: SegmentReader, fieldname: str, column: NumericColumn) -> bytes:
    """The stored values of a numeric column of every document of the segment, the default
    value's bytes for documents after the last one written (or all, without the column)."""
    default = struct.pack("!" + column._typecode, column._default)
    values = reader._perdoc._cached_reader(fieldname, column)  # None without the column
    stored = b"" if values is None else values._dbfile.get(values._basepos, values._count * len(default))
    return stored + default * (reader.doc_count_all() - len(stored) // len(default))


def install() -> None:
    """Replace the two methods of Whoosh's block posting reader (the search backend does).

    They rely on the reader's private block state, so on a Whoosh without it (a release
    other than the pinned one) Whoosh's own methods stay, slower but correct.
    """
    global INSTALLED
    if not (all(hasattr(W3LeafMatcher, name) for name in ("_skip_to_block", "_next_block", "block_max_id",
                                                          "_read_ids", "_read_weights"))
            and hasattr(W3PerDocReader, "_cached_reader")):
        log.warning("whoosh's block posting reader has changed; search runs without its speed-ups")
        return
    W3LeafMatcher.skip_to = _bisect_skip_to
    W3LeafMatcher.all_ids = _block_all_ids
    INSTALLED = True
