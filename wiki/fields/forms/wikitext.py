"""Finding, reading and rewriting one ``{{Template|...}}`` call in page text.

A form edit replaces only the span of the template call and writes one parameter per
line, so a three-way merge with a concurrent edit of the rest of the page (or of other
parameters) succeeds.  Values are escaped so they cannot end the call: ``|`` becomes
``&#124;`` and braces become ``&#123;``/``&#125;`` (Markdown shows them as the characters).

The *free text* is the page text outside the call, shown in one box.  When it comes back
changed, the call is put where its old position maps to in the new text (lines compared
with ``difflib``), so text written before the call stays before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

_ESCAPES = (("|", "&#124;"), ("{{", "&#123;&#123;"), ("}}", "&#125;&#125;"))


@dataclass
class CallSpan:
    start: int
    end: int
    name: str
    #: ``(name or None for positional, raw value)`` in written order.
    params: list[tuple[str | None, str]]


def escape_value(value: str) -> str:
    for raw, entity in _ESCAPES:
        value = value.replace(raw, entity)
    return value


def unescape_value(value: str) -> str:
    for raw, entity in _ESCAPES:
        value = value.replace(entity, raw)
    return value


def _close(text: str, start: int) -> int | None:
    """Index just after the ``}}`` matching the ``{{`` at ``start``."""
    depth, i = 0, start
    while i < len(text) - 1:
        pair = text[i : i + 2]
        if pair == "{{":
            depth, i = depth + 1, i + 2
        elif pair == "}}":
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return None


def _split_top(inner: str) -> list[str]:
    """Split on ``|`` outside nested ``{{ }}`` and ``[[ ]]``."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(inner):
        pair = inner[i : i + 2]
        if pair in ("{{", "[["):
            depth, i = depth + 1, i + 2
        elif pair in ("}}", "]]") and depth:
            depth, i = depth - 1, i + 2
        else:
            if inner[i] == "|" and depth == 0:
                parts.append(inner[start:i])
                start = i + 1
            i += 1
    parts.append(inner[start:])
    return parts


def find_call(text: str, is_template: Callable[[str], bool]) -> CallSpan | None:
    """The first top-level call whose name ``is_template`` accepts."""
    i = 0
    while (i := text.find("{{", i)) != -1:
        end = _close(text, i)
        if end is None:
            return None
        if text.startswith("{{{", i):
            i = end
            continue
        parts = _split_top(text[i + 2 : end - 2])
        name = parts[0].strip()
        if name and not name.startswith("#") and is_template(name):
            params: list[tuple[str | None, str]] = []
            for part in parts[1:]:
                key, eq, value = part.partition("=")
                if eq and "{{" not in key and "[[" not in key:
                    params.append((key.strip(), value.strip()))
                else:
                    params.append((None, part.strip()))
            return CallSpan(i, end, name, params)
        i = end
    return None


def build_call(name: str, params: list[tuple[str | None, str]]) -> str:
    lines = [f"{{{{{name}"]
    lines += [f"|{value}" if key is None else f"|{key}={value}" for key, value in params]
    return "\n".join(lines) + "\n}}"


def rewritten_call(span: CallSpan, values: dict[str, str]) -> str:
    """The call's text with its named parameters set to ``values`` (escaped), others kept."""
    wanted = {key.casefold(): (key, value) for key, value in values.items()}
    params: list[tuple[str | None, str]] = []
    for key, value in span.params:
        if key is not None and key.casefold() in wanted:
            params.append((key, escape_value(wanted.pop(key.casefold())[1])))
        else:
            params.append((key, value))
    params += [(key, escape_value(value)) for key, value in wanted.values()]
    return build_call(span.name, params)


def rewrite_call(text: str, span: CallSpan, values: dict[str, str]) -> str:
    """``text`` with the call's named parameters set to ``values`` (escaped), others kept."""
    return text[: span.start] + rewritten_call(span, values) + text[span.end :]


def normalise_free_text(text: str) -> str:
    """Free text as compared and saved: LF line ends (browsers send CRLF), no outer blank space."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _outside(text: str, span: CallSpan) -> tuple[str, str]:
    return text[: span.start].strip(), text[span.end :].strip()


def free_text_of(text: str, span: CallSpan) -> str:
    """The page text outside the call: what comes before it, a blank line, what comes after."""
    return "\n\n".join(part for part in _outside(text, span) if part)


def _map_line(old: list[str], new: list[str], index: int) -> int:
    """Where line position ``index`` of ``old`` lies in ``new``; text inserted right there goes after it."""
    if index == 0:
        return 0
    for tag, i1, i2, j1, _j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal" and i1 <= index <= i2:
            return j1 + index - i1
        if tag != "equal" and i1 <= index < i2:
            return j1
    return len(new)


def with_free_text(text: str, span: CallSpan, call: str, free_text: str) -> str:
    """``text`` with ``call`` in place of the span's call and ``free_text`` around it."""
    before = _outside(text, span)[0]
    old = free_text_of(text, span).split("\n")
    new = normalise_free_text(free_text).split("\n")
    cut = _map_line(old, new, before.count("\n") + 1 if before else 0)
    head, tail = "\n".join(new[:cut]).strip(), "\n".join(new[cut:]).strip()
    return "\n\n".join(part for part in (head, call, tail) if part)
