"""What one render may cost: the hard limits, counted as a render goes.

The soft limits of ``RenderContext`` (template depth, calls, post-expand include size) stop
expansion where they are reached and leave a visible error; the page is still saved, as in
MediaWiki.  The hard limits below bound the server's work, whatever the text: a render that
reaches one is abandoned, the page shows only the error and a save is refused.

- ``max_nodes``: template-tree nodes expanded (MediaWiki's ``$wgMaxPPNodeCount``, 1,000,000),
  which bounds expansion that produces little text from many parameters.
- ``max_markdown_nodes``: Markdown blocks, list items and table cells (100,000).  Each costs
  mistune a parse of its inline text and a dict or two of memory: a 1.6 MB table of ten
  columns has 320,000 cells and would take half a gigabyte.
- ``max_render_seconds``: CPU seconds of the rendering thread (10; CPU rather than wall
  time, so that a busy machine does not refuse what a quiet one accepts).  Checked between
  nodes, blocks and runs of inline text, so it also stops what no counter foresees.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wiki.markup.context import RenderContext


class RenderLimitExceeded(Exception):
    """A hard limit was reached; the message says which, for people."""


#: The clock is read at every this many checks: reading a thread's CPU time is a system call.
CLOCK_EVERY = 64


class Budget:
    """The hard limits of one render (see the module docstring)."""

    __slots__ = ("ctx", "deadline", "nodes", "markdown_nodes", "_ticks")

    def __init__(self, ctx: "RenderContext"):
        self.ctx = ctx
        self.deadline = time.thread_time() + ctx.max_render_seconds
        self.nodes = 0
        self.markdown_nodes = 0
        self._ticks = 0

    def check_time(self) -> None:
        self._ticks -= 1
        if self._ticks > 0:
            return
        self._ticks = CLOCK_EVERY
        if time.thread_time() > self.deadline:
            raise RenderLimitExceeded(f"Rendering took more than {self.ctx.max_render_seconds:g} seconds of "
                                      "processor time; the page is too complex to show.")

    def expand(self, count: int) -> None:
        """``count`` more template-tree nodes are expanded."""
        self.nodes += count
        self._within(self.nodes, self.ctx.max_nodes,
                     "Template expansion visited more than {:,} nodes; the page is too complex to show.")

    def markdown(self, count: int) -> None:
        """``count`` more Markdown blocks, list items or table cells were parsed."""
        self.markdown_nodes += count
        self._within(self.markdown_nodes, self.ctx.max_markdown_nodes,
                     "The page has more than {:,} Markdown blocks, list items and table cells; split it into "
                     "smaller pages.")

    def _within(self, counted: int, limit: int, message: str) -> None:
        if counted > limit:
            raise RenderLimitExceeded(message.format(limit))
        self.check_time()
