"""Faster stepping through Whoosh's posting lists (whoosh-reloaded 2.7.5): ``install()``.

Whoosh's block posting reader (``W3LeafMatcher``) moves one posting at a time, one Python
method call each: ``skip_to`` walks through up to 128 postings of a block to reach a
document, and ``all_ids`` (counting the matches of a word) yields each id after a call to
``next``.  Phrase checks, ANDs of frequent words and exact totals spend most of their time
there.  ``_bisect_skip_to`` bisects the block's ids instead, and ``_block_all_ids`` yields a
whole block's ids at once; the results are the same.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Iterator

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ReadTooFar

log = logging.getLogger(__name__)


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


def install() -> None:
    """Replace the two methods of Whoosh's block posting reader (the search backend does).

    They rely on the reader's private block state, so on a Whoosh without it (a release
    other than the pinned one) Whoosh's own methods stay, slower but correct.
    """
    if not all(hasattr(W3LeafMatcher, name) for name in ("_skip_to_block", "_next_block", "block_max_id")):
        log.warning("whoosh's block posting reader has changed; search runs without its speed-ups")
        return
    W3LeafMatcher.skip_to = _bisect_skip_to
    W3LeafMatcher.all_ids = _block_all_ids
