"""``FunctionCall``: what a parser function handler sees of its call.

Arguments are numbered from 0: ``{{#name: zero | one | key=two}}``.  Nothing is expanded
until asked for, and each argument is expanded at most once, so ``#if`` and ``#switch``
only pay for the branch they take.

- ``arg(i)``: argument *i* expanded, whitespace stripped (``default`` if absent).
- ``key(i)`` / ``value(i)``: for ``key=value`` arguments (``=`` outside nested braces and
  links), the expanded key (``None`` if there is no ``=``) and the expanded value.
- ``raw(i)``: the argument as written, unexpanded.
- ``named()`` / ``positional()``: all ``key=value`` arguments / all others, expanded.
- ``expand(text)``: expand wikitext (templates included) in the caller's frame.
- ``html(markup)``: a placeholder for HTML to show as is (still sanitized at the end).
- ``error(message)``, ``flag(name)``, ``exists(title)``, ``parse_title(text)``, and
  ``ctx``, ``title``, ``services``, ``extra`` (``ParseOutput.extra``, for stashing data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wiki.markup.tree import Node, source, split_named
from wiki.namespaces import MAIN
from wiki.titles import Title

if TYPE_CHECKING:
    from wiki.markup.context import RenderContext
    from wiki.markup.expand import Expander, Frame


class FunctionCall:
    """One call of a parser function (see the module docstring)."""

    def __init__(self, expander: "Expander", name: str, first: str,
                 parts: tuple[tuple[Node, ...], ...], frame: "Frame"):
        self.name = name
        self._expander = expander
        self._first = first
        self._parts = parts
        self._frame = frame
        self._cache: dict[tuple[str, int], Any] = {}

    @property
    def ctx(self) -> "RenderContext":
        return self._expander.ctx

    @property
    def title(self) -> Title:
        return self._expander.ctx.title

    @property
    def services(self) -> Any:
        return self._expander.ctx.services

    @property
    def extra(self) -> dict[str, Any]:
        return self._expander.out.extra

    @property
    def count(self) -> int:
        return 1 + len(self._parts)

    def _memo(self, kind: str, i: int, compute) -> Any:
        if (kind, i) not in self._cache:
            self._cache[(kind, i)] = compute()
        return self._cache[(kind, i)]

    def arg(self, i: int, default: str = "") -> str:
        if i == 0:
            return self._first.strip()
        if not 0 < i < self.count:
            return default
        return self._memo("arg", i, lambda: self._expander.expand(self._parts[i - 1], self._frame).strip())

    def raw(self, i: int) -> str:
        if i == 0:
            return self._first
        return source(self._parts[i - 1]) if 0 < i < self.count else ""

    def _split(self, i: int):
        return split_named(self._parts[i - 1]) if 0 < i < self.count else None

    def key(self, i: int) -> str | None:
        split = self._split(i)
        if split is None:
            return None
        return self._memo("key", i, lambda: self._expander.expand(split[0], self._frame).strip())

    def value(self, i: int) -> str:
        split = self._split(i)
        if split is None:
            return self.arg(i)
        return self._memo("value", i, lambda: self._expander.expand(split[1], self._frame).strip())

    def named(self) -> dict[str, str]:
        return {key: self.value(i) for i in range(1, self.count) if (key := self.key(i)) is not None}

    def positional(self) -> list[str]:
        return [self.arg(i) for i in range(self.count) if i == 0 or self.key(i) is None]

    def expand(self, text: str) -> str:
        return self._expander.expand_text(text, self._frame)

    def html(self, markup: str) -> str:
        return self._expander.html_marker(markup)

    def error(self, message: str) -> str:
        return self._expander.error(message)

    def flag(self, name: str) -> None:
        self._expander.out.flags.add(name)

    def exists(self, title: Title) -> bool:
        return self._expander.exists(title)

    def parse_title(self, text: str, default_namespace: int = MAIN) -> Title:
        """Parse a title; raises ``InvalidTitle``."""
        return self._expander.ctx.titles.parse(text, default_namespace=default_namespace)
