"""The ``#ask`` language: conditions, printouts and parameters, parsed into a ``Query``.

    [[Category:Tickets]] [[Ticket:+]] [[Status::Open||In progress]] [[Priority::!P4]]
    [[Due::<2026-12-01]] [[Subject::*printer*]] [[Assignee::+]]
    |?Priority |?Assignee=Owner |sort=Priority,Created |order=asc,desc |limit=50 |offset=0
    |format=table|list|count|csv|json|bar|pie|line
    |aggregate=count|sum(F)|avg(F)|min(F)|max(F) |group=Status|Category |interval=day|month|year

Grouped results sort by the aggregate or the group, ties by the group: ``|aggregate=count
|group=Category |sort=count |order=desc |limit=5`` lists the five largest categories.

Field values: ``v`` equal, ``!v`` has a value but not ``v``, ``<v`` ``<=v`` ``>v`` ``>=v``,
``*`` wildcards (like), ``+`` any value, ``a||b`` one of.  ``Title``, ``Created`` and
``Modified`` are properties every page has.  Conditions are ANDed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext

from wiki.fields.declare import DeclarationError, normalise_field_name
from wiki.namespaces import CATEGORY
from wiki.titles import InvalidTitle, TitleParser

FORMATS = ("table", "list", "count", "csv", "json", "bar", "pie", "line")
CHARTS = ("bar", "pie", "line")
AGGREGATES = ("count", "sum", "avg", "min", "max")
INTERVALS = ("day", "month", "year")
PARAMS = ("sort", "order", "limit", "offset", "format", "aggregate", "group", "interval")
DEFAULT_LIMIT = 50
_CONDITION = re.compile(r"\[\[(.*?)\]\]", re.S)
_AGGREGATE = re.compile(r"^(\w+)\s*(?:\(\s*([^)]*?)\s*\))?$")


class QueryError(ValueError):
    """The query cannot be understood; the message names the part that is wrong."""


@dataclass(frozen=True)
class Condition:
    """``kind`` is ``category`` (values: names), ``namespace`` (values: numbers), ``page``
    (values: prefixed titles) or ``field`` (``alternatives`` of (operator, value))."""

    kind: str
    field: str = ""
    values: tuple[str, ...] = ()
    alternatives: tuple[tuple[str, str], ...] = ()
    #: How a namespace condition was written (``Ticket``; empty for the main namespace).
    label: str = ""


@dataclass
class Query:
    conditions: list[Condition] = field(default_factory=list)
    printouts: list[tuple[str, str]] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    format: str = "table"
    aggregate: tuple[str, str | None] | None = None
    group: str | None = None
    interval: str | None = None
    notes: list[str] = field(default_factory=list)

    def fields(self) -> set[str]:
        """Every field name the query mentions."""
        names = {c.field for c in self.conditions if c.kind == "field"}
        names.update(name for name, _ in self.printouts)
        if not self.aggregate:
            # A grouped query sorts by its measure or its group, both named below.
            names.update(name for name, _ in self.sort)
        if self.aggregate and self.aggregate[1]:
            names.add(self.aggregate[1])
        if self.group and self.group != "Category":
            names.add(self.group)
        return names

    def measure(self) -> str:
        """The aggregate as written in a query (``count``, ``sum(Hours)``); also its sort key."""
        if not self.aggregate:
            return ""
        func, of = self.aggregate
        return f"{func}({of})" if of else func

    def to_text(self, **overrides: object) -> str:
        """The query written back as ``#ask`` text (for links to Special:Ask and exports)."""
        parts = [" ".join(_condition_text(c) for c in self.conditions)]
        parts += [f"?{name}" + (f"={label}" if label != name else "") for name, label in self.printouts]
        params: dict[str, object] = {}
        if self.sort:
            params["sort"] = ",".join(name for name, _ in self.sort)
            params["order"] = ",".join("desc" if desc else "asc" for _, desc in self.sort)
        params.update(limit=self.limit, offset=self.offset, format=self.format)
        if self.aggregate:
            params["aggregate"] = self.measure()
        if self.group:
            params["group"] = self.group
        if self.interval:
            params["interval"] = self.interval
        params.update(overrides)
        parts += [f"{k}={v}" for k, v in params.items() if v not in (None, "")]
        return " |".join(parts)


def _condition_text(c: Condition) -> str:
    if c.kind == "field":
        ops = {"eq": "", "ne": "!", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "like": "", "any": "+"}
        return f"[[{c.field}::" + "||".join(ops[op] + (v if op != "any" else "") for op, v in c.alternatives) + "]]"
    if c.kind == "category":
        return "[[Category:" + "||".join(c.values) + "]]"
    if c.kind == "namespace":
        return f"[[{c.label}:+]]"
    return "[[" + "||".join(c.values) + "]]"


def split_query(text: str) -> list[str]:
    """Split query text on ``|`` outside ``[[...]]`` (``||`` inside a condition means "or")."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        if text.startswith("[[", i):
            depth, i = depth + 1, i + 2
            continue
        if text.startswith("]]", i) and depth:
            depth, i = depth - 1, i + 2
            continue
        if text[i] == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _field_alternative(raw: str) -> tuple[str, str]:
    raw = raw.strip()
    if raw == "+":
        return ("any", "")
    for prefix, op in (("<=", "le"), (">=", "ge"), ("<", "lt"), (">", "gt"), ("!", "ne")):
        if raw.startswith(prefix):
            return (op, raw[len(prefix):].strip())
    return ("like" if "*" in raw else "eq", raw)


def parse_condition(inner: str, titles: TitleParser) -> Condition:
    inner = inner.strip()
    if "::" in inner:
        name, _, values = inner.partition("::")
        try:
            field_name = normalise_field_name(name)
        except DeclarationError as exc:
            raise QueryError(gettext("condition %(condition)s: %(problem)s", condition=f"[[{inner}]]",
                                     problem=exc)) from None
        return Condition("field", field=field_name,
                         alternatives=tuple(_field_alternative(v) for v in values.split("||")))
    if inner.endswith(":+"):
        prefix = inner[:-2].strip()
        ns = titles.namespaces.lookup(prefix) if prefix else titles.namespace(0)
        if ns is None:
            raise QueryError(gettext("condition %(condition)s: there is no namespace called %(name)s",
                                     condition=f"[[{inner}]]", name=repr(prefix)))
        return Condition("namespace", values=(str(ns.number),), label=prefix and ns.name)
    try:
        parsed = [titles.parse(part.strip()) for part in inner.split("||")]
    except InvalidTitle as exc:
        raise QueryError(gettext("condition %(condition)s: %(problem)s", condition=f"[[{inner}]]",
                                 problem=exc)) from None
    if all(t.ns == CATEGORY for t in parsed):
        return Condition("category", values=tuple(t.text for t in parsed))
    if any(t.ns == CATEGORY for t in parsed):
        raise QueryError(gettext("condition %(condition)s mixes categories and pages", condition=f"[[{inner}]]"))
    return Condition("page", values=tuple(t.prefixed for t in parsed))


def _number(key: str, raw: str, low: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(gettext("%(key)s must be a whole number, not %(value)s", key=key, value=repr(raw))) from None
    if value < low:
        raise QueryError(gettext("%(key)s must be at least %(low)s, not %(value)s", key=key, low=low, value=value))
    return value


def _field(key: str, raw: str) -> str:
    try:
        return normalise_field_name(raw)
    except DeclarationError as exc:
        raise QueryError(gettext("%(key)s: %(problem)s", key=key, problem=exc)) from None


def parse_query(parts: list[str], titles: TitleParser, max_limit: int = 500) -> Query:
    """Parse the parts of an ``#ask`` call (or of ``split_query(text)``)."""
    query = Query()
    params: dict[str, str] = {}
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if part.startswith("[["):
            leftover = _CONDITION.sub("", part).strip()
            if leftover:
                raise QueryError(gettext("unexpected text %(text)s between conditions; write each as [[...]]",
                                         text=repr(leftover[:60])))
            query.conditions.extend(parse_condition(c, titles) for c in _CONDITION.findall(part))
        elif part.startswith("?"):
            name, _, label = part[1:].partition("=")
            field_name = _field("printout", name)
            query.printouts.append((field_name, label.strip() or field_name))
        else:
            key, eq, value = part.partition("=")
            key = key.strip().lower()
            if not eq or key not in PARAMS:
                raise QueryError(gettext("unknown parameter %(parameter)s; parameters are %(parameters)s, printouts "
                                         "start with ? and conditions are written [[...]]",
                                         parameter=repr(part[:60]), parameters=", ".join(PARAMS)))
            params[key] = value.strip()
    _apply_params(query, params, max_limit)
    return query


def _function_name(word: str) -> str:
    """An aggregate function as ``Query.aggregate`` holds it (``Average`` -> ``avg``)."""
    word = word.lower()
    return {"average": "avg"}.get(word, word)


def _apply_params(query: Query, params: dict[str, str], max_limit: int) -> None:
    fmt = params.get("format", "table").lower() or "table"
    if fmt not in FORMATS:
        raise QueryError(gettext("unknown format %(format)s; formats are %(formats)s", format=repr(fmt),
                                 formats=", ".join(FORMATS)))
    query.format = fmt
    if "limit" in params:
        query.limit = _number("limit", params["limit"], 1)
    if query.limit > max_limit:
        query.notes.append(gettext("The limit %(limit)s is more than the largest allowed, %(most)s; %(most)s is used.",
                                   limit=query.limit, most=max_limit))
        query.limit = max_limit
    if "offset" in params:
        query.offset = _number("offset", params["offset"], 0)
    if "aggregate" in params:
        found = _AGGREGATE.match(params["aggregate"].strip().lower())
        func = _function_name(found.group(1)) if found else ""
        if func not in AGGREGATES:
            raise QueryError(gettext("aggregate must be count or sum(FIELD), avg(FIELD), min(FIELD), max(FIELD), "
                                     "not %(value)s", value=repr(params["aggregate"])))
        of = found.group(2)
        if func != "count" and not of:
            raise QueryError(gettext("aggregate %(function)s needs a field, for example %(example)s", function=func,
                                     example=f"{func}(Hours)"))
        original = re.search(r"\(\s*([^)]*?)\s*\)", params["aggregate"])
        query.aggregate = (func, _field("aggregate", original.group(1)) if of else None)
    if "group" in params:
        query.group = _field("group", params["group"])
    if fmt in CHARTS and query.aggregate is None:
        query.aggregate = ("count", None)
    if query.aggregate and not query.group:
        raise QueryError(gettext("an aggregate needs group=FIELD (or group=Category) to say what to group by"))
    if query.group and not query.aggregate:
        raise QueryError(gettext("group= needs aggregate=count, sum(FIELD), avg(FIELD), min(FIELD) or max(FIELD)"))
    if "interval" in params:
        interval = params["interval"].lower()
        if interval not in INTERVALS:
            raise QueryError(gettext("interval must be one of %(intervals)s, not %(value)s",
                                     intervals=", ".join(INTERVALS), value=repr(interval)))
        query.interval = interval
    if query.aggregate and "limit" not in params:
        # Groups were never cut at the row default of 50: a daily chart over a year shows
        # every day up to the site's largest limit, and ``limit=`` asks for a top N.
        query.limit = max_limit
    _apply_sort(query, params)


def _apply_sort(query: Query, params: dict[str, str]) -> None:
    """``sort=`` and ``order=``; read after the aggregate, which changes what a sort key names."""
    names = [n for n in params.get("sort", "").split(",") if n.strip()]
    orders = [o.strip().lower() for o in params.get("order", "").split(",") if o.strip()]
    for o in orders:
        if o not in ("asc", "desc", "ascending", "descending"):
            raise QueryError(gettext("order must be asc or desc, not %(value)s", value=repr(o)))
    query.sort = [(_group_sort_key(query, n) if query.aggregate else _field("sort", n),
                   (orders[min(i, len(orders) - 1)] if orders else "asc").startswith("desc"))
                  for i, n in enumerate(names)]


def _group_sort_key(query: Query, raw: str) -> str:
    """A sort key of a grouped query: ``Query.measure()`` for the aggregate (written ``count``,
    ``sum`` or ``sum(Hours)``) or the group's name; anything else is an error naming both."""
    assert query.aggregate and query.group
    func, of = query.aggregate
    found = _AGGREGATE.match(raw.strip())
    if found and _function_name(found.group(1)) == func:
        if found.group(2) is None or _same_field(found.group(2), of):
            return query.measure()
    if _same_field(raw, query.group):
        return query.group
    raise QueryError(gettext("grouped results sort by %(measure)s (the aggregate) or %(group)s (the group), "
                             "not '%(key)s'", measure=query.measure(), group=query.group, key=raw.strip()))


def _same_field(raw: str, name: str | None) -> bool:
    try:
        return normalise_field_name(raw) == name
    except DeclarationError:
        return False
