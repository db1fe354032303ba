"""Template expansion: transclusion, parameters, parser functions and magic words.

An ``Expander`` belongs to one render.  It walks the trees of ``tree.py`` frame by frame
(a frame is one template call with its arguments, expanded lazily in the caller's frame and
then cached), enforces the soft limits of the ``RenderContext`` (nesting depth, number of
calls, post-expand size) and turns every failure into a visible error instead of an
exception, except a hard limit of its ``Budget`` (``limits.py``), which ends the render.

Its output is still wikitext, with strip markers (``\\x7f...\\x7f``) standing for Markdown
code (put back before Markdown runs, so wiki syntax never sees it) and for finished HTML
(errors, ``<nowiki>``, ``call.html()``; put back after Markdown).
"""

from __future__ import annotations

import logging
import re
from html import escape

from wiki.markup.calls import FunctionCall
from wiki.markup.context import ParseOutput, ParserFunction, RenderContext, TemplateCall
from wiki.markup.limits import Budget, RenderLimitExceeded
from wiki.markup.tree import Link, Node, Param, Template, Verbatim, parse_wikitext, split_named
from wiki.namespaces import TEMPLATE
from wiki.titles import InvalidTitle, Title

log = logging.getLogger(__name__)

_CODE_MARK = re.compile(r"\x7fC(\d+)\x7f")
_HTML_MARK = re.compile(r"(?:<p>)?\x7fH(\d+)\x7f(?:</p>)?")
_SUBST = ("subst:", "safesubst:")


def strip_markers(text: str) -> str:
    """Input text must not forge strip markers or the link-pipe stand-in."""
    return text.replace("\x7f", "").replace("\x1f", "")


class Frame:
    """One level of transclusion: the template being expanded and its arguments."""

    __slots__ = ("title", "caller", "depth", "args", "_values")

    def __init__(self, title: Title | None, caller: "Frame | None",
                 args: dict[str, tuple[tuple[Node, ...], bool]]):
        self.title = title
        self.caller = caller
        self.depth = 0 if caller is None else caller.depth + 1
        #: name -> (value nodes, strip) ; named values are stripped, positional ones are not.
        self.args = args
        self._values: dict[str, str] = {}

    def arg(self, name: str, expander: "Expander") -> str | None:
        if name not in self.args:
            return None
        if name not in self._values:
            nodes, strip = self.args[name]
            assert self.caller is not None
            value = expander.expand(nodes, self.caller)
            self._values[name] = value.strip() if strip else value
        return self._values[name]

    def chain(self):
        frame: Frame | None = self
        while frame is not None:
            yield frame
            frame = frame.caller


class Expander:
    """Expands the templates of one render and collects what they leave behind."""

    def __init__(self, ctx: RenderContext, out: ParseOutput, budget: Budget | None = None):
        self.ctx = ctx
        self.out = out
        self.budget = budget or Budget(ctx)
        self.functions: dict[str, ParserFunction] = {
            name.lower().lstrip("#"): fn for name, fn in ctx.parser_functions.items()
        }
        self.code: list[str] = []
        self.html: list[str] = []
        self.calls = 0
        self.size = 0
        #: The visible error of the limit that stopped expansion, once one has.
        self.stopped: str | None = None
        self._texts: dict[tuple[int, str], str | None] = {}
        self._exists: dict[tuple[int, str], bool] = {}
        self.page = Frame(None, None, {})

    # -- strip markers -------------------------------------------------------------------

    def html_marker(self, markup: str) -> str:
        self.html.append(markup)
        return f"\x7fH{len(self.html) - 1}\x7f"

    def restore_code(self, text: str) -> str:
        return _CODE_MARK.sub(lambda m: self.code[int(m.group(1))], text) if self.code else text

    def restore_html(self, html: str) -> str:
        return _HTML_MARK.sub(lambda m: self.html[int(m.group(1))], html) if self.html else html

    def error(self, message: str, markup: str | None = None) -> str:
        """Record ``message`` and return the visible error for the page."""
        self.out.errors.append(message)
        return self.html_marker(f'<strong class="error">{markup or escape(message)}</strong>')

    # -- expansion -----------------------------------------------------------------------

    def expand(self, nodes: tuple[Node, ...], frame: Frame) -> str:
        self.budget.expand(len(nodes))
        out: list[str] = []
        for node in nodes:
            kind = type(node)
            if kind is str:
                out.append(node)  # type: ignore[arg-type]
            elif kind is Template:
                out.append(self._template(node, frame))  # type: ignore[arg-type]
            elif kind is Param:
                out.append(self._param(node, frame))  # type: ignore[arg-type]
            elif kind is Link:
                out.append("[[" + self.expand(node.children, frame) + "]]")  # type: ignore[union-attr]
            else:
                out.append(self._verbatim(node))  # type: ignore[arg-type]
        return "".join(out)

    def expand_text(self, text: str, frame: Frame) -> str:
        return self.expand(parse_wikitext(strip_markers(text), "view"), frame)

    def _verbatim(self, node: Verbatim) -> str:
        if node.kind == "code":
            self.code.append(node.source)
            return f"\x7fC{len(self.code) - 1}\x7f"
        if node.kind == "nowiki":
            return self.html_marker(escape(node.inner, quote=False))
        if node.kind == "pre":
            return self.html_marker("<pre>" + escape(node.inner, quote=False) + "</pre>")
        return ""

    def _param(self, node: Param, frame: Frame) -> str:
        name = self.expand(node.parts[0], frame).strip()
        value = frame.arg(name, self)
        if value is not None:
            return value
        if len(node.parts) > 1:
            return self.expand(node.parts[1], frame)
        return "{{{" + name + "}}}"

    def _template(self, node: Template, frame: Frame) -> str:
        raw_name = self.expand(node.parts[0], frame)
        name = raw_name.strip()
        args = node.parts[1:]
        lowered = name.lower()
        for prefix in _SUBST:
            if lowered.startswith(prefix):
                name = name[len(prefix):].strip()
                break
        if name.startswith("#"):
            fname, _, first = name[1:].partition(":")
            fn = self.functions.get(fname.strip().lower())
            if fn is None:
                return self.error(f"Unknown parser function: #{fname.strip()}")
            return self.call_function(fn, first, args, frame)
        if not args and name in self.ctx.magic_words:
            return self._magic(name)
        if ":" in name:
            prefix, _, first = name.partition(":")
            fn = self.functions.get(prefix.strip().lower())
            if fn is not None and fn.no_hash:
                return self.call_function(fn, first, args, frame)
        try:
            title = self.ctx.titles.parse(name, default_namespace=TEMPLATE)
        except InvalidTitle:
            return "{{" + "|".join([raw_name, *(self.expand(a, frame) for a in args)]) + "}}"
        return self._transclude(Title(title.namespace, title.text), args, frame)

    def _count(self) -> str | None:
        """``None`` if one more call is allowed, else the error (shown once) to render."""
        if self.stopped is not None:
            return ""
        self.calls += 1
        if self.calls > self.ctx.max_expansions:
            self.stopped = self.error(f"Template and function call limit ({self.ctx.max_expansions}) "
                                      "exceeded; the rest of the page is not expanded.")
            return self.stopped
        return None

    def _grow(self, result: str) -> str:
        """Count ``result`` against the size limit; past it, results are dropped."""
        self.size += len(result)
        if self.size <= self.ctx.max_include_size:
            return result
        if self.stopped is None:
            self.stopped = self.error(f"Post-expand include size limit ({self.ctx.max_include_size} "
                                      "bytes) exceeded; the rest of the page is not expanded.")
            return self.stopped
        return ""

    def _magic(self, name: str) -> str:
        word = self.ctx.magic_words[name]
        if word.volatile:
            self.out.flags.add("volatile")
        try:
            return str(word.handler(self.ctx))
        except Exception as exc:  # a plugin's bug must not break the page
            log.exception("magic word %s failed", name)
            return self.error(f"Error in {name}: {exc}")

    def call_function(self, fn: ParserFunction, first: str,
                      args: tuple[tuple[Node, ...], ...], frame: Frame) -> str:
        stop = self._count()
        if stop is not None:
            return stop
        call = FunctionCall(self, fn.name, first, args, frame)
        try:
            result = fn.handler(call)
        except RenderLimitExceeded:
            raise
        except RecursionError:
            return self.error(f"#{fn.name}: expansion is nested too deeply.")
        except Exception as exc:  # a plugin's bug must not break the page
            log.exception("parser function #%s failed", fn.name)
            return self.error(f"Error in #{fn.name}: {exc}")
        return self._grow("" if result is None else str(result))

    def make_frame(self, title: Title, args: tuple[tuple[Node, ...], ...], caller: Frame) -> Frame:
        values: dict[str, tuple[tuple[Node, ...], bool]] = {}
        position = 0
        for part in args:
            named = split_named(part)
            if named is None:
                position += 1
                values[str(position)] = (part, False)
            else:
                values[self.expand(named[0], caller).strip()] = (named[1], True)
        return Frame(title, caller, values)

    def _transclude(self, title: Title, args: tuple[tuple[Node, ...], ...], frame: Frame) -> str:
        stop = self._count()
        if stop is not None:
            return stop
        if any(f.title == title for f in frame.chain()):
            return self.error(f"Template loop detected: [[{title.prefixed}]]",
                              f'Template loop detected: <a href="{escape(title.url_path)}" '
                              f'title="{escape(title.prefixed)}">{escape(title.prefixed)}</a>')
        if frame.depth + 1 > self.ctx.max_depth:
            return self.error(f"Template include depth limit ({self.ctx.max_depth}) exceeded "
                              f"at [[{title.prefixed}]].")
        child = self.make_frame(title, args, frame)
        if frame is self.page:
            params = {name: child.arg(name, self) or "" for name in child.args}
            self.out.template_calls.append(TemplateCall(title, params))
        self.out.templates.add(title)
        text = self.fetch(title)
        if text is None:
            return f"[[:{title.prefixed}]]"
        try:
            result = self.expand(parse_wikitext(text, "include"), child)
        except RecursionError:
            return self.error(f"Expansion of [[{title.prefixed}]] is nested too deeply.")
        return self._grow(result)

    def fetch(self, title: Title) -> str | None:
        if title.key not in self._texts:
            text = None if title.is_special else self.ctx.fetch_text(title)
            self._texts[title.key] = None if text is None else strip_markers(text).rstrip()
        return self._texts[title.key]

    def exists(self, title: Title) -> bool:
        """Whether a page exists (cached); the page is recorded as a link, as MediaWiki does."""
        page = Title(title.namespace, title.text)
        if title.is_special:
            return True
        if page.key not in self._exists:
            self._exists[page.key] = page.key in self.ctx.existing([page])
        self.out.links.add(page)
        return self._exists[page.key]
