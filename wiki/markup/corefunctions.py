"""The core parser functions and magic words, registered by the core plugin like any other.

Conditionals follow MediaWiki: ``#if`` tests for non-blank text, ``#ifeq`` and ``#switch``
compare numerically when both sides are numbers, ``#switch`` supports fall-through cases
and ``#default``.  ``#expr`` evaluates arithmetic, comparisons and ``and``/``or``/``not``
(operator precedence is Python's).  Time magic words mark the output ``volatile``.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from datetime import timezone
from html import escape
from urllib.parse import quote, quote_plus

from wiki.markup.calls import FunctionCall
from wiki.markup.context import MagicWord, ParserFunction, RenderContext
from wiki.markup.links import anchor_for
from wiki.markup.sanitize import ALLOWED_TAGS
from wiki.titles import InvalidTitle

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ATTRIBUTE = re.compile(r"[a-z][a-z0-9-]*")


def _same(a: str, b: str) -> bool:
    if _NUMBER.fullmatch(a) and _NUMBER.fullmatch(b):
        return float(a) == float(b)
    return a == b


def _if(call: FunctionCall) -> str:
    return call.arg(1) if call.arg(0) else call.arg(2)


def _ifeq(call: FunctionCall) -> str:
    return call.arg(2) if _same(call.arg(0), call.arg(1)) else call.arg(3)


def _switch(call: FunctionCall) -> str:
    value = call.arg(0)
    found = False
    default: int | None = None
    last = call.count - 1
    for i in range(1, call.count):
        key = call.key(i)
        if key is None:
            if i == last:
                return call.arg(i)
            if _same(call.arg(i), value):
                found = True
        elif found or _same(key, value):
            return call.value(i)
        elif key == "#default":
            default = i
    return call.value(default) if default is not None else ""


def _ifexist(call: FunctionCall) -> str:
    try:
        title = call.parse_title(call.arg(0))
    except InvalidTitle:
        return call.arg(2)
    return call.arg(1) if call.exists(title) else call.arg(2)


_OPERATORS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Mod: math.fmod, ast.Pow: operator.pow, ast.Eq: operator.eq, ast.NotEq: operator.ne,
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_EXPR_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+)|([a-z]+)|(<=|>=|<>|!=|[-+*/^()=<>]))", re.I)
_EXPR_WORDS = {"mod": "%", "div": "/", "and": "and", "or": "or", "not": "not", "pi": repr(math.pi),
               "e": repr(math.e)}
_EXPR_SYMBOLS = {"^": "**", "=": "==", "<>": "!="}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand)
        if isinstance(node.op, ast.Not):
            return float(not value)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BoolOp):
        values = [bool(_evaluate(v)) for v in node.values]
        return float(all(values) if isinstance(node.op, ast.And) else any(values))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 1024:
            raise ValueError("Exponent too large.")
        return float(_OPERATORS[type(node.op)](left, right))
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = _evaluate(comparator)
            if type(op) not in _OPERATORS or not _OPERATORS[type(op)](left, right):
                return 0.0
            left = right
        return 1.0
    raise ValueError("Unsupported expression.")


def evaluate_expression(text: str) -> str:
    """``#expr``: the value of an arithmetic expression, formatted like MediaWiki."""
    out: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _EXPR_TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"Unrecognized punctuation character {text[pos]!r}.")
        number, word, symbol = m.groups()
        if word is not None and word.lower() not in _EXPR_WORDS:
            raise ValueError(f"Unrecognized word {word!r}.")
        out.append(number or (_EXPR_WORDS[word.lower()] if word else _EXPR_SYMBOLS.get(symbol, symbol)))
        pos = m.end()
    if not out:
        return ""
    try:
        value = _evaluate(ast.parse(" ".join(out), mode="eval").body)
    except SyntaxError:
        raise ValueError("Syntax error in expression.") from None
    except ZeroDivisionError:
        raise ValueError("Division by zero.") from None
    except OverflowError:
        raise ValueError("Result out of range.") from None
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def _expr(call: FunctionCall) -> str:
    try:
        return evaluate_expression(call.arg(0))
    except ValueError as exc:
        return call.error(f"Expression error: {exc}")


def _pad(call: FunctionCall, left: bool) -> str:
    text, pad = call.arg(0), call.arg(2) or "0"
    try:
        width = min(int(call.arg(1) or 0), 500)
    except ValueError:
        return text
    missing = max(width - len(text), 0)
    filler = (pad * (missing // len(pad) + 1))[:missing]
    return filler + text if left else text + filler


def _tag(call: FunctionCall) -> str:
    name = call.arg(0).lower()
    if name not in ALLOWED_TAGS:
        return call.error(f"#tag: the tag <{name}> is not allowed.")
    attributes = "".join(f' {key}="{escape(value)}"' for key, value in call.named().items()
                         if _ATTRIBUTE.fullmatch(key))
    content = next((call.arg(i) for i in range(1, call.count) if call.key(i) is None), "")
    return f"<{name}{attributes}>{content}</{name}>"


def _ns(call: FunctionCall) -> str:
    wanted = call.arg(0)
    titles = call.ctx.titles
    try:
        return titles.namespace(int(wanted)).name
    except (ValueError, LookupError):
        found = titles.namespaces.lookup(wanted)
        return found.name if found else ""


def _localurl(call: FunctionCall) -> str:
    try:
        title = call.parse_title(call.arg(0))
    except InvalidTitle:
        return ""
    query = call.arg(1)
    return title.url_path + (f"?{query}" if query else "")


def _formatnum(call: FunctionCall) -> str:
    text = call.arg(0)
    if not _NUMBER.fullmatch(text):
        return text
    whole, dot, fraction = text.partition(".")
    sign = whole[:1] if whole[:1] in "+-" else ""
    digits = whole[len(sign):]
    return sign + f"{int(digits or 0):,}" + dot + fraction if digits.isdigit() else text


def _simple(name: str, fn, no_hash: bool = True) -> ParserFunction:
    return ParserFunction(name, lambda call: fn(call.arg(0)), no_hash=no_hash)


CORE_PARSER_FUNCTIONS: list[ParserFunction] = [
    ParserFunction("if", _if),
    ParserFunction("ifeq", _ifeq),
    ParserFunction("switch", _switch),
    ParserFunction("ifexist", _ifexist),
    ParserFunction("expr", _expr),
    ParserFunction("tag", _tag),
    _simple("lc", str.lower),
    _simple("uc", str.upper),
    _simple("lcfirst", lambda s: s[:1].lower() + s[1:]),
    _simple("ucfirst", lambda s: s[:1].upper() + s[1:]),
    _simple("urlencode", quote_plus),
    _simple("anchorencode", lambda s: quote(anchor_for(s), safe="!$'()*+,;=:@/?-._~")),
    _simple("len", lambda s: str(len(s)), no_hash=False),
    ParserFunction("padleft", lambda call: _pad(call, True), no_hash=True),
    ParserFunction("padright", lambda call: _pad(call, False), no_hash=True),
    ParserFunction("ns", _ns, no_hash=True),
    ParserFunction("localurl", _localurl, no_hash=True),
    ParserFunction("formatnum", _formatnum, no_hash=True),
]


def _utc(ctx: RenderContext):
    return ctx.now.astimezone(timezone.utc)


def _talk(ctx: RenderContext) -> str:
    talk = ctx.titles.talk_page(ctx.title)
    return talk.prefixed if talk else ""


_PAGE_WORDS = {
    "PAGENAME": lambda c: c.title.text,
    "FULLPAGENAME": lambda c: c.title.prefixed,
    "NAMESPACE": lambda c: c.title.namespace.name,
    "NAMESPACENUMBER": lambda c: str(c.title.ns),
    "TALKPAGENAME": _talk,
    "SUBJECTPAGENAME": lambda c: c.titles.subject_page(c.title).prefixed,
    "BASEPAGENAME": lambda c: c.title.base_text,
    "ROOTPAGENAME": lambda c: c.title.root_text,
    "SUBPAGENAME": lambda c: c.title.subpage_text,
    "PAGENAMEE": lambda c: quote(c.title.text.replace(" ", "_")),
    "FULLPAGENAMEE": lambda c: quote(c.title.dbkey, safe=":/"),
    "REVISIONID": lambda c: "" if c.revision_id is None else str(c.revision_id),
    "SITENAME": lambda c: c.site_name,
    "PAGELANGUAGE": lambda c: c.title.namespace.language or "",
}
_TIME_WORDS = {
    "CURRENTYEAR": lambda c: str(_utc(c).year),
    "CURRENTMONTH": lambda c: f"{_utc(c).month:02d}",
    "CURRENTMONTHNAME": lambda c: MONTHS[_utc(c).month - 1],
    "CURRENTDAY": lambda c: str(_utc(c).day),
    "CURRENTDAY2": lambda c: f"{_utc(c).day:02d}",
    "CURRENTDAYNAME": lambda c: DAYS[_utc(c).weekday()],
    "CURRENTDOW": lambda c: str(_utc(c).isoweekday() % 7),
    "CURRENTHOUR": lambda c: f"{_utc(c).hour:02d}",
    "CURRENTTIME": lambda c: f"{_utc(c):%H:%M}",
    "CURRENTTIMESTAMP": lambda c: f"{_utc(c):%Y%m%d%H%M%S}",
    "CURRENTWEEK": lambda c: str(_utc(c).isocalendar()[1]),
}

CORE_MAGIC_WORDS: list[MagicWord] = [
    *(MagicWord(name, handler) for name, handler in _PAGE_WORDS.items()),
    *(MagicWord(name, handler, volatile=True) for name, handler in _TIME_WORDS.items()),
]
