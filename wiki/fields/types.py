"""Field types: parsing a declared type, and parsing, validating and normalising values.

A type is written the way ``#declare`` spells it: ``text``, ``longtext``, ``integer``,
``decimal``, ``boolean``, ``date``, ``datetime``, ``enum(A, B, C)``, ``user``, ``page``,
or ``list(T)`` of any of these (values separated by commas).  Every type stores its
values in one typed column of the field tables (``column``): ``text``, ``number``,
``date`` or ``bool``; queries compare in that column, so ``10 > 9`` and dates sort as dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext

from wiki.titles import InvalidTitle, TitleParser

SCALAR_TYPES = ("text", "longtext", "integer", "decimal", "boolean", "date", "datetime", "enum", "user", "page")
COLUMNS = {
    "text": "text", "longtext": "text", "enum": "text", "user": "text", "page": "text",
    "integer": "number", "decimal": "number", "date": "date", "datetime": "date", "boolean": "bool",
}
TRUE_WORDS = frozenset({"yes", "true", "1", "on", "y"})
FALSE_WORDS = frozenset({"no", "false", "0", "off", "n"})
#: Longest value kept in the indexed text column; longer ``longtext`` values are kept whole
#: in ``value_long`` and compared by their first characters.
TEXT_INDEX_CHARS = 255
MAX_VALUE_CHARS = 20_000


class FieldTypeError(ValueError):
    """A type declaration cannot be understood; the message (a lazy string, translated where it
    is shown) says what is allowed."""


class FieldValueError(ValueError):
    """A value does not fit its field's type; the message (a lazy string, translated where it is
    shown) is a predicate such as "is not a date as YYYY-MM-DD", said of the value."""


@dataclass(frozen=True)
class TypeEnv:
    """What value parsing needs from the site: titles, and canonical user names."""

    titles: TitleParser
    #: The canonical name of an existing user, ``None`` when there is no such user.
    user_name: Callable[[str], str | None]


@dataclass(frozen=True)
class FieldType:
    name: str
    allowed: tuple[str, ...] = ()
    is_list: bool = False

    @property
    def column(self) -> str:
        return COLUMNS[self.name]

    @property
    def spec(self) -> str:
        inner = f"enum({', '.join(self.allowed)})" if self.name == "enum" else self.name
        return f"list({inner})" if self.is_list else inner

    def describe(self) -> Any:
        """What a value must look like, for error messages (a lazy string)."""
        one = {
            "text": lazy_gettext("any text on one line"), "longtext": lazy_gettext("any text"),
            "integer": lazy_gettext("a whole number such as 42"), "decimal": lazy_gettext("a number such as 3.5"),
            "boolean": lazy_gettext("yes or no"), "date": lazy_gettext("a date as YYYY-MM-DD"),
            "datetime": lazy_gettext("a date and time as YYYY-MM-DD HH:MM (UTC)"),
            "user": lazy_gettext("the name of an existing user"), "page": lazy_gettext("a page title"),
        }.get(self.name) or lazy_gettext("one of: %(values)s", values=", ".join(self.allowed))
        return lazy_gettext("a comma-separated list of values, each %(one)s", one=one) if self.is_list else one

    def _not_allowed(self) -> FieldValueError:
        return FieldValueError(lazy_gettext("is not %(allowed)s", allowed=self.describe()))

    def split(self, raw: str) -> list[str]:
        """The single values written in ``raw`` (one, or a comma-separated list); empties dropped."""
        raw = raw.strip()
        if not self.is_list:
            return [raw] if raw else []
        return [part.strip() for part in raw.split(",") if part.strip()]

    def parse(self, raw: str, env: TypeEnv) -> Any:
        """One value as a Python value (str, int, Decimal, bool, date, datetime); raises ``FieldValueError``."""
        if len(raw) > MAX_VALUE_CHARS:
            raise FieldValueError(lazy_gettext("is %(length)s characters long; at most %(most)s are allowed",
                                               length=f"{len(raw):,}", most=f"{MAX_VALUE_CHARS:,}"))
        parser = getattr(self, f"_parse_{self.name}")
        return parser(raw, env)

    def _parse_text(self, raw: str, env: TypeEnv) -> str:
        if "\n" in raw:
            raise FieldValueError(lazy_gettext("must be on one line (use the type longtext for several lines)"))
        return raw

    def _parse_longtext(self, raw: str, env: TypeEnv) -> str:
        return raw

    def _parse_integer(self, raw: str, env: TypeEnv) -> int:
        try:
            return int(raw.replace("_", "").replace(" ", ""))
        except ValueError:
            raise self._not_allowed() from None

    def _parse_decimal(self, raw: str, env: TypeEnv) -> Decimal:
        try:
            value = Decimal(raw.replace(" ", ""))
        except InvalidOperation:
            raise self._not_allowed() from None
        if not value.is_finite():
            raise self._not_allowed()
        return value

    def _parse_boolean(self, raw: str, env: TypeEnv) -> bool:
        word = raw.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise FieldValueError(lazy_gettext("is not yes or no"))

    def _parse_date(self, raw: str, env: TypeEnv) -> date:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise self._not_allowed() from None

    def _parse_datetime(self, raw: str, env: TypeEnv) -> datetime:
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise self._not_allowed() from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    def _parse_enum(self, raw: str, env: TypeEnv) -> str:
        for allowed in self.allowed:
            if allowed.casefold() == raw.casefold():
                return allowed
        raise FieldValueError(lazy_gettext("is not one of the allowed values (%(values)s)",
                                           values=", ".join(self.allowed)))

    def _parse_user(self, raw: str, env: TypeEnv) -> str:
        name = raw.removeprefix("User:").strip()
        found = env.user_name(name)
        if found is None:
            raise FieldValueError(lazy_gettext("is not the name of an existing user"))
        return found

    def _parse_page(self, raw: str, env: TypeEnv) -> str:
        try:
            return env.titles.parse(raw.lstrip(":")).prefixed
        except InvalidTitle as exc:
            raise FieldValueError(lazy_gettext("is not a valid page title (%(problem)s)", problem=exc)) from None

    def display(self, value: Any) -> str:
        """The normal written form of a parsed value (what history and exports show)."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, Decimal):
            text = format(value.normalize(), "f")
            return text
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    def columns(self, value: Any) -> dict[str, Any]:
        """The typed column values of one parsed value for a ``field_values`` row."""
        row: dict[str, Any] = {"value_text": None, "value_long": None, "value_number": None,
                               "value_date": None, "value_bool": None}
        if self.column == "number":
            row["value_number"] = float(value)
        elif self.column == "date":
            moment = value if isinstance(value, datetime) else datetime.combine(value, time(), timezone.utc)
            row["value_date"] = moment
        elif self.column == "bool":
            row["value_bool"] = bool(value)
        else:
            row["value_text"] = value[:TEXT_INDEX_CHARS]
            if len(value) > TEXT_INDEX_CHARS:
                row["value_long"] = value
        return row

    def from_row(self, text: str | None, long: str | None, number: float | None, moment: datetime | None,
                 flag: bool | None) -> str:
        """The display form of a stored row (the inverse of ``columns``)."""
        if self.column == "number":
            if number is None:
                return ""
            if self.name == "integer" or number == int(number):
                return str(int(number))
            return format(Decimal(repr(number)).normalize(), "f")
        if self.column == "date":
            if moment is None:
                return ""
            if self.name == "date":
                return moment.date().isoformat()
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        if self.column == "bool":
            return "" if flag is None else ("yes" if flag else "no")
        return long or text or ""


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def read_type(text: str) -> tuple[FieldType, str]:
    """Read a type from the start of ``text``; returns it and the rest of the text."""
    text = text.strip()
    name_end = 0
    while name_end < len(text) and (text[name_end].isalnum() or text[name_end] == "_"):
        name_end += 1
    name = text[:name_end].lower()
    rest = text[name_end:].lstrip()
    inner = None
    if rest.startswith("("):
        depth = 0
        for i, ch in enumerate(rest):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0:
                inner, rest = rest[1:i], rest[i + 1 :]
                break
        else:
            raise FieldTypeError(lazy_gettext("the type %(type)s has an unclosed parenthesis", type=repr(text)))
    known = ", ".join((*SCALAR_TYPES[:7], "enum(A, B, ...)", "user", "page", "list(TYPE)"))
    if name == "list":
        if inner is None:
            raise FieldTypeError(lazy_gettext("list needs the type of its items, for example list(text)"))
        item, leftover = read_type(inner)
        if leftover.strip():
            raise FieldTypeError(lazy_gettext("unexpected %(text)s in %(type)s", text=repr(leftover.strip()),
                                               type=f"list({inner})"))
        if item.is_list:
            raise FieldTypeError(lazy_gettext("a list of lists is not supported"))
        return FieldType(item.name, item.allowed, is_list=True), rest
    if name == "enum":
        values = tuple(v for v in _split_top(inner or "") if v)
        if not values:
            raise FieldTypeError(lazy_gettext("enum needs its allowed values, for example enum(Open, Closed)"))
        if len({v.casefold() for v in values}) != len(values):
            raise FieldTypeError(lazy_gettext("%(type)s lists a value twice", type=f"enum({inner})"))
        return FieldType("enum", values), rest
    if name not in SCALAR_TYPES:
        raise FieldTypeError(lazy_gettext("unknown type %(type)s; known types: %(known)s",
                                           type=repr(text.split()[0] if text else "(none)"), known=known))
    if inner is not None:
        raise FieldTypeError(lazy_gettext("the type %(type)s takes no arguments", type=name))
    return FieldType(name), rest


def parse_type(text: str) -> FieldType:
    field_type, rest = read_type(text)
    if rest.strip():
        raise FieldTypeError(lazy_gettext("unexpected %(text)s after the type %(type)s", text=repr(rest.strip()),
                                           type=field_type.spec))
    return field_type
