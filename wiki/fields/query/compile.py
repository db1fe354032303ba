"""Running a ``Query``: one SQL statement over the indexed field tables, filtered by the policy.

Every condition becomes ``pages.id IN (SELECT page_id FROM field_values WHERE field = ? AND
value_<type> <op> ?)``, which the ``(field, value, page_id)`` indexes answer without touching
other rows; category conditions use ``categorylinks`` the same way.  Sorting joins the first
value of each sort field; grouped queries order by the aggregate or the group in the same
statement, so ``limit`` and ``offset`` page through groups.  Those joins look a page's value
up in the covering ``(page_id, field, position, values)`` index (see ``wiki.fields.models``).
``site.policy.readable_filter`` is part of the same statement, so a viewer never receives a
row they may not read, and no page is filtered in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import ColumnElement, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from wiki.fields.declare import field_types
from wiki.fields.models import FieldValue
from wiki.fields.query.parse import AGGREGATES, Condition, Query, QueryError
from wiki.fields.store import type_env
from wiki.fields.types import FieldType, FieldValueError
from wiki.models import CategoryLink, Page, Revision
from wiki.permissions import Actor
from wiki.titles import InvalidTitle, Title

#: Properties every page has, usable like fields.
PSEUDO_TYPES = {"Title": FieldType("page"), "Created": FieldType("datetime"), "Modified": FieldType("datetime")}
_COLUMN = {"text": FieldValue.value_text, "number": FieldValue.value_number, "date": FieldValue.value_date,
           "bool": FieldValue.value_bool}
_OPS = {"eq": "__eq__", "lt": "__lt__", "le": "__le__", "gt": "__gt__", "ge": "__ge__"}
NONE_LABEL = "(none)"


@dataclass
class ResultRow:
    title: Title
    values: dict[str, list[str]]


@dataclass
class QueryResult:
    query: Query
    types: dict[str, FieldType]
    rows: list[ResultRow] = field(default_factory=list)
    #: More rows match than ``limit`` (a "further results" link is due).
    more: bool = False
    count: int | None = None
    #: Aggregates: (group label, value) in group order.
    groups: list[tuple[str, float]] | None = None


def _column(model: Any, ftype: FieldType) -> Any:
    return getattr(model, _COLUMN[ftype.column].key)


def _typed(site: Any, session: Session, name: str, ftype: FieldType, raw: str) -> Any:
    """A condition's value in the column's type; raises ``QueryError`` naming the field."""
    if ftype.name == "enum":
        return _enum_value(ftype, raw)
    if ftype.name in ("text", "longtext"):
        return raw
    if ftype.name == "user":
        user = " ".join(raw.removeprefix("User:").replace("_", " ").split())
        return user[:1].upper() + user[1:]
    try:
        if ftype.name == "page":
            return site.titles.parse(raw).prefixed
        value = ftype.parse(raw, type_env(site, session))
    except (FieldValueError, InvalidTitle) as exc:
        raise QueryError(gettext("%(condition)s: %(value)s %(problem)s", condition=f"[[{name}::{raw}]]",
                                 value=repr(raw), problem=exc)) from None
    if ftype.column == "number":
        return float(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(), timezone.utc)
    return value


def _enum_value(ftype: FieldType, raw: str) -> str:
    for allowed in ftype.allowed:
        if allowed.casefold() == raw.casefold():
            return allowed
    return raw


def _like(raw: str) -> str:
    escaped = raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def _pseudo_column(name: str) -> Any:
    if name == "Title":
        return Page.title
    if name == "Created":
        return Page.created_at
    return select(Revision.timestamp).where(Revision.id == Page.latest_id).scalar_subquery()


def _compare(column: Any, op: str, value: Any, name: str, ftype: FieldType) -> ColumnElement[bool]:
    if op == "like":
        if ftype.column != "text":
            raise QueryError(gettext("%(condition)s: wildcards (*) only work on text fields; %(name)s is %(type)s",
                                     condition=f"[[{name}::...]]", name=name, type=ftype.spec))
        return column.like(value, escape="\\")
    return getattr(column, _OPS[op])(value)


def _field_condition(site: Any, session: Session, c: Condition, types: dict[str, FieldType]) -> ColumnElement[bool]:
    ftype = types[c.field]
    if c.field in PSEUDO_TYPES:
        column = _pseudo_column(c.field)
        parts = []
        for op, raw in c.alternatives:
            if op == "any":
                parts.append(literal(True))
                continue
            value = _like(raw) if op == "like" else (
                site.titles.parse(raw).text if c.field == "Title" else _typed(site, session, c.field, ftype, raw))
            parts.append(~(column == value) if op == "ne" else _compare(column, op, value, c.field, ftype))
        return or_(*parts)
    column = _column(FieldValue, ftype)
    has_field = select(FieldValue.page_id).where(FieldValue.field == c.field)
    parts = []
    for op, raw in c.alternatives:
        if op == "any":
            parts.append(Page.id.in_(has_field))
        elif op == "ne":
            value = _typed(site, session, c.field, ftype, raw)
            parts.append(and_(Page.id.in_(has_field), Page.id.not_in(has_field.where(column == value))))
        else:
            value = _like(raw) if op == "like" else _typed(site, session, c.field, ftype, raw)
            parts.append(Page.id.in_(has_field.where(_compare(column, op, value, c.field, ftype))))
    return or_(*parts)


def _condition(site: Any, session: Session, c: Condition, types: dict[str, FieldType]) -> ColumnElement[bool]:
    if c.kind == "category":
        return Page.id.in_(select(CategoryLink.from_id).where(CategoryLink.category.in_(c.values)))
    if c.kind == "namespace":
        return Page.namespace.in_([int(v) for v in c.values])
    if c.kind == "page":
        keys = [site.titles.parse(v).key for v in c.values]
        return tuple_(Page.namespace, Page.title).in_(keys)
    return _field_condition(site, session, c, types)


def resolve_types(session: Session, query: Query) -> dict[str, FieldType]:
    """The type of every field the query names; an unknown field is an error that names it."""
    names = query.fields()
    types = {n: PSEUDO_TYPES[n] for n in names if n in PSEUDO_TYPES}
    types.update(field_types(session, names - set(types)))
    missing = sorted(names - set(types) - {"Category"})
    _refuse_aggregate_sort(query, missing)
    if missing:
        raise QueryError(ngettext("no template declares the field %(names)s", "no template declares the fields %(names)s",
                                  len(missing), names=", ".join(missing)))
    return types


def _refuse_aggregate_sort(query: Query, missing: list[str]) -> None:
    """``sort=count`` in a query without ``aggregate=`` reads as a field ``Count``; say what it needs."""
    for name, _ in query.sort:
        if name in missing and name.lower() in AGGREGATES:
            raise QueryError(gettext(
                "no template declares a field %(name)s to sort by; sort=%(key)s sorts grouped results, "
                "for example |aggregate=count |group=Category |sort=count |order=desc",
                name=name, key=name.lower()))


def _joinable(c: Condition, types: dict[str, FieldType]) -> bool:
    """A single-valued comparison joins one row per page, so it can be a join instead of ``IN``.

    Joins let the database start from the most selective condition (``ANALYZE`` statistics)
    and look the others up by page, instead of building every ``IN`` list in full.
    """
    if c.kind == "category":
        return len(c.values) == 1
    if c.kind != "field" or c.field in PSEUDO_TYPES or types[c.field].is_list or len(c.alternatives) != 1:
        return False
    return c.alternatives[0][0] not in ("any", "ne")


def _filter(site: Any, session: Session, actor: Actor, query: Query, types: dict[str, FieldType],
            statement: Any) -> Any:
    """``statement`` (selecting from ``pages``) restricted to readable pages that meet every condition."""
    statement = statement.where(Page.deleted.is_(False), site.policy.readable_filter(actor, Page))
    for i, c in enumerate(query.conditions):
        if not _joinable(c, types):
            statement = statement.where(_condition(site, session, c, types))
        elif c.kind == "category":
            member = aliased(CategoryLink, name=f"cat{i}")
            statement = statement.join(member, and_(member.from_id == Page.id, member.category == c.values[0]))
        else:
            ftype = types[c.field]
            value = aliased(FieldValue, name=f"cond{i}")
            op, raw = c.alternatives[0]
            typed = _like(raw) if op == "like" else _typed(site, session, c.field, ftype, raw)
            statement = statement.join(value, and_(value.page_id == Page.id, value.field == c.field,
                                                   _compare(_column(value, ftype), op, typed, c.field, ftype)))
    return statement


def run(site: Any, session: Session, actor: Actor, query: Query) -> QueryResult:
    """Run ``query`` as ``actor`` sees the wiki."""
    types = resolve_types(session, query)
    result = QueryResult(query, types)
    def where(statement: Any) -> Any:
        return _filter(site, session, actor, query, types, statement)

    if query.aggregate:
        _aggregate(session, query, types, where, result)
    elif query.format == "count":
        result.count = session.scalar(where(select(func.count()).select_from(Page)))
    else:
        _rows(site, session, query, types, where, result)
    return result


def _rows(site: Any, session: Session, query: Query, types: dict[str, FieldType], where: Callable[[Any], Any],
          result: QueryResult) -> None:
    statement = where(select(Page.id, Page.namespace, Page.title, Page.created_at).select_from(Page))
    order: list[Any] = []
    for i, (name, desc) in enumerate(query.sort):
        if name in PSEUDO_TYPES:
            column = _pseudo_column(name)
        else:
            value = aliased(FieldValue, name=f"sort{i}")
            statement = statement.outerjoin(value, and_(value.page_id == Page.id, value.field == name,
                                                        value.position == 0))
            column = _column(value, types[name])
        order += [column.is_(None), column.desc() if desc else column.asc()]
    statement = statement.order_by(*order, Page.namespace, Page.title)
    rows = session.execute(statement.offset(query.offset).limit(query.limit + 1)).all()
    result.more = len(rows) > query.limit
    rows = rows[: query.limit]
    values = _printout_values(session, query, types, rows)
    for page_id, ns, text, created in rows:
        shown = values.get(page_id, {})
        if "Created" in types:
            shown["Created"] = [created.strftime("%Y-%m-%d %H:%M:%S")]
        result.rows.append(ResultRow(site.titles.make(ns, text), shown))


def _printout_values(session: Session, query: Query, types: dict[str, FieldType], rows: list) -> dict[int, dict]:
    ids = [row[0] for row in rows]
    names = [n for n, _ in query.printouts if n not in PSEUDO_TYPES]
    found: dict[int, dict[str, list[str]]] = {}
    if ids and names:
        for page_id, name, *columns in session.execute(
            select(FieldValue.page_id, FieldValue.field, FieldValue.value_text, FieldValue.value_long,
                   FieldValue.value_number, FieldValue.value_date, FieldValue.value_bool)
            .where(FieldValue.page_id.in_(ids), FieldValue.field.in_(names))
            .order_by(FieldValue.page_id, FieldValue.field, FieldValue.position)
        ):
            found.setdefault(page_id, {}).setdefault(name, []).append(types[name].from_row(*columns))
    if ids and any(n == "Modified" for n, _ in query.printouts):
        for page_id, stamp in session.execute(
            select(Page.id, Revision.timestamp).join(Revision, Revision.id == Page.latest_id).where(Page.id.in_(ids))
        ):
            found.setdefault(page_id, {})["Modified"] = [stamp.strftime("%Y-%m-%d %H:%M:%S")]
    return found


def _bucket(session: Session, column: Any, interval: str) -> Any:
    patterns = {"day": ("%Y-%m-%d", "YYYY-MM-DD"), "month": ("%Y-%m", "YYYY-MM"), "year": ("%Y", "YYYY")}
    sqlite, postgres = patterns[interval]
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime(sqlite, column)
    return func.to_char(column, postgres)


def _aggregate(session: Session, query: Query, types: dict[str, FieldType], where: Callable[[Any], Any],
               result: QueryResult) -> None:
    assert query.aggregate and query.group
    func_name, of = query.aggregate
    statement = select().select_from(Page)
    group_type: FieldType | None = None
    if query.group == "Category":
        statement = statement.outerjoin(CategoryLink, CategoryLink.from_id == Page.id)
        key = CategoryLink.category
    elif query.group in PSEUDO_TYPES:
        group_type = types[query.group]
        key = _pseudo_column(query.group)
    else:
        group_type = types[query.group]
        grouped = aliased(FieldValue, name="grouped")
        statement = statement.outerjoin(grouped, and_(grouped.page_id == Page.id, grouped.field == query.group))
        key = _column(grouped, group_type)
    if group_type is not None and group_type.column == "date":
        key = _bucket(session, key, query.interval or "day")
        group_type = None
    elif query.interval:
        raise QueryError(gettext("interval= only works when grouping by a date field; %(field)s is not one",
                                 field=query.group))
    if func_name == "count":
        # Every join here gives at most one row per page and group (conditions that could
        # match twice stay IN subqueries; lists hold each value once), so no DISTINCT is
        # needed, which lets the database hash the groups instead of sorting every row.
        measure = func.count(Page.id)
    else:
        of_type = types[of]
        if of_type.column != "number":
            raise QueryError(gettext("aggregate %(aggregate)s needs a number field; %(field)s is %(type)s",
                                     aggregate=f"{func_name}({of})", field=of, type=of_type.spec))
        measured = aliased(FieldValue, name="measured")
        statement = statement.join(measured, and_(measured.page_id == Page.id, measured.field == of,
                                                  measured.position == 0))
        measure = getattr(func, func_name)(_column(measured, of_type))
    value = measure.label("value")
    statement = where(statement.add_columns(key.label("key"), value)).group_by(key)
    statement = statement.order_by(*_group_order(query, key, value))
    rows = session.execute(statement.offset(query.offset).limit(query.limit + 1)).all()
    result.more = len(rows) > query.limit
    result.groups = []
    for group_key, number in rows[: query.limit]:
        if group_key is None:
            label = NONE_LABEL
        elif group_type is not None:
            label = _group_label(group_type, group_key)
        else:
            label = str(group_key)
        result.groups.append((label, _number(number)))


def _group_order(query: Query, key: Any, value: Any) -> list[Any]:
    """ORDER BY of a grouped query: its sort keys (the measure or the group), then the group
    itself, so that groups with the same measure come in a stable order across pages."""
    order: list[Any] = []
    for name, desc in query.sort:
        if name == query.measure():
            order.append(value.desc() if desc else value.asc())
        else:
            order += [key.is_(None), key.desc() if desc else key.asc()]
    return order + [key.is_(None), key]


def _group_label(ftype: FieldType, value: Any) -> str:
    args: list[Any] = [None] * 5
    args[{"text": 0, "number": 2, "date": 3, "bool": 4}[ftype.column]] = value
    return ftype.from_row(*args)


def _number(value: Any) -> float:
    return float(value or 0)
