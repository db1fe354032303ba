"""The pre-save transform: what changes in the text itself when a page is saved.

- ``{{subst:Name|...}}`` (and ``safesubst:``) is replaced by the template's text, read as
  transcluded, with its parameters filled in; like MediaWiki, calls inside that text stay
  as they are unless they are ``subst:`` too.  ``{{subst:#if:...}}``,
  ``{{subst:CURRENTYEAR}}`` and other functions and magic words are evaluated.  A missing
  template leaves the ``{{subst:...}}`` call in place.
- Signatures: ``~~~`` is the user link, ``~~~~`` the link and a timestamp, ``~~~~~`` the
  timestamp alone.

Code spans, fences, ``<nowiki>``, ``<pre>`` and comments are left untouched.  The work is
bounded like a render's: the render's hard limits (``limits.py``) apply, and substituted
text may add at most ``max_include_size`` characters; past either, ``RenderLimitExceeded``.
"""

from __future__ import annotations

import re
from datetime import timezone

from wiki.markup.code import protected_spans
from wiki.markup.context import ParseOutput, RenderContext
from wiki.markup.corefunctions import MONTHS
from wiki.markup.expand import Expander, strip_markers
from wiki.markup.limits import RenderLimitExceeded
from wiki.markup.tree import Link, Node, Param, Template, Verbatim, parse_wikitext, split_named
from wiki.namespaces import TEMPLATE
from wiki.titles import InvalidTitle

_SIGNATURE = re.compile(r"~~~~~|~~~~|~~~")
_SUBST = re.compile(r"\s*(?:safe)?subst:", re.I)


def signature_timestamp(ctx: RenderContext) -> str:
    now = ctx.now.astimezone(timezone.utc)
    return f"{now:%H:%M}, {now.day} {MONTHS[now.month - 1]} {now.year} (UTC)"


def _signatures(text: str, ctx: RenderContext) -> str:
    user = f"[[User:{ctx.user_name}|{ctx.user_name}]]" if ctx.user_name else "Anonymous"
    stamp = signature_timestamp(ctx)
    forms = {"~~~": user, "~~~~": f"{user} {stamp}", "~~~~~": stamp}

    def sign(chunk: str) -> str:
        return _SIGNATURE.sub(lambda m: forms[m.group(0)], chunk)

    out: list[str] = []
    pos = 0
    for span in protected_spans(text):
        out.append(sign(text[pos:span.start]))
        out.append(text[span.start:span.end])
        pos = span.end
    out.append(sign(text[pos:]))
    return "".join(out)


class _Substituter:
    """Rewrites a tree back to source, substituting ``subst:`` calls."""

    def __init__(self, ctx: RenderContext):
        self.ctx = ctx
        self.expander = Expander(ctx, ParseOutput())
        self.substituted = 0  # characters of template text substituted so far

    def source(self, nodes: tuple[Node, ...], args: dict[str, str] | None, depth: int) -> str:
        self.expander.budget.expand(len(nodes))
        out: list[str] = []
        for node in nodes:
            if type(node) is str:
                out.append(node)  # type: ignore[arg-type]
            elif isinstance(node, Verbatim):
                out.append(node.source)
            elif isinstance(node, Link):
                out.append("[[" + self.source(node.children, args, depth) + "]]")
            elif isinstance(node, Param):
                out.append(self._param(node, args, depth))
            else:
                out.append(self._template(node, args, depth))  # type: ignore[arg-type]
        return "".join(out)

    def _param(self, node: Param, args: dict[str, str] | None, depth: int) -> str:
        if args is not None:
            name = self.source(node.parts[0], args, depth).strip()
            if name in args:
                return args[name]
            if len(node.parts) > 1:
                return self.source(node.parts[1], args, depth)
        return "{{{" + "|".join(self.source(p, args, depth) for p in node.parts) + "}}}"

    def _template(self, node: Template, args: dict[str, str] | None, depth: int) -> str:
        parts = [self.source(p, args, depth) for p in node.parts]
        written = "{{" + "|".join(parts) + "}}"
        prefix = _SUBST.match(parts[0])
        if prefix is None or depth >= self.ctx.max_depth:
            return written
        name = parts[0][prefix.end():].strip()
        call = "{{" + "|".join([name, *parts[1:]]) + "}}"
        head = name.partition(":")[0].strip().lower().lstrip("#")
        if name.startswith("#") or name in self.ctx.magic_words or head in self.expander.functions:
            expanded = self.expander.expand_text(call, self.expander.page)
            return self.expander.restore_html(self.expander.restore_code(expanded))
        try:
            title = self.ctx.titles.parse(name, default_namespace=TEMPLATE)
        except InvalidTitle:
            return written
        text = self.expander.fetch(title)
        if text is None:
            return written
        self.substituted += len(text)
        if self.substituted > self.ctx.max_include_size:
            raise RenderLimitExceeded(f"subst: would add more than {self.ctx.max_include_size:,} characters "
                                      "of template text.")
        values: dict[str, str] = {}
        position = 0
        for part in node.parts[1:]:
            named = split_named(part)
            if named is None:
                position += 1
                values[str(position)] = self.source(part, args, depth)
            else:
                values[self.source(named[0], args, depth).strip()] = self.source(named[1], args, depth).strip()
        return self.source(parse_wikitext(text, "include"), values, depth + 1)


def presave(text: str, ctx: RenderContext) -> str:
    """The text to store when ``text`` is saved (see the module docstring); raises
    ``RenderLimitExceeded`` when that would cost more than the limits allow."""
    text = strip_markers(text)
    if "{{" in text:
        try:
            text = _Substituter(ctx).source(parse_wikitext(text, "source"), None, 0)
        except RecursionError:  # subst: chains, each up to tree.MAX_NESTING deep
            raise RenderLimitExceeded("subst: templates are nested too deeply.") from None
    return _signatures(text, ctx) if "~~~" in text else text
