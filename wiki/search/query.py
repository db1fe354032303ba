"""Reading a user's search: filters taken out of the text, the rest left to the engine.

``printer "paper jam" status:open priority:P1 incategory:Hardware Help:toner`` becomes the
text ``printer "paper jam" toner`` with the field filters ``status=open`` and
``priority=P1``, the category ``Hardware`` and the namespace Help.  A ``name:value`` word
whose name is a namespace restricts the search to that namespace (as in MediaWiki);
``incategory:`` (or ``category:``) filters by category; any other ``name:value`` is a field
filter (fields come from plugins through the ``search_fields`` hook).  Values may be
quoted: ``status:"in progress"``.  Filters always apply to the whole query, also inside
``OR`` groups.  Words inside quotes are never filters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext

from wiki.namespaces import NamespaceRegistry
from wiki.search.backend import SearchQuery

CATEGORY_FILTERS = frozenset({"incategory", "category"})
MAX_QUERY_CHARS = 300

_PART = re.compile(
    r'(?P<filter>(?P<name>[^\W\d][\w-]*):(?:"(?P<quoted>[^"]*)"|(?P<value>[^\s"()]+)))'
    r'|(?P<phrase>"[^"]*"?)'
    r"|(?P<other>[^\s\"]+)"
)


class QueryError(ValueError):
    """The search cannot be run as typed; the message says why."""


def parse_query(raw: str, namespaces: NamespaceRegistry, selected: Iterable[int] = ()) -> SearchQuery:
    """Split ``raw`` into free text and filters; ``selected`` are namespaces chosen in the form."""
    raw = " ".join(raw.split())
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryError(gettext("The search is %(length)s characters long; at most %(limit)s are allowed.",
                                 length=len(raw), limit=MAX_QUERY_CHARS))
    spaces = list(dict.fromkeys(selected))
    for number in spaces:
        if number not in namespaces:
            raise QueryError(gettext("There is no namespace numbered %(number)s.", number=number))
    text: list[str] = []
    categories: list[str] = []
    fields: dict[str, list[str]] = {}
    for match in _PART.finditer(raw):
        if not match.group("filter"):
            text.append(match.group())
            continue
        name = match.group("name")
        value = match.group("quoted") if match.group("quoted") is not None else match.group("value")
        value = " ".join(value.replace("_", " ").split())
        namespace = namespaces.lookup(name)
        if namespace is not None:
            spaces.append(namespace.number)
            text.append(f'"{value}"' if match.group("quoted") is not None else value)
        elif not value:
            raise QueryError(gettext("The filter %(name)s: needs a value, for example %(name)s:something.", name=name))
        elif name.lower() in CATEGORY_FILTERS:
            categories.append(value)
        else:
            fields.setdefault(name.lower().replace("-", "_"), []).append(value)
    return SearchQuery(
        text=" ".join(text),
        namespaces=tuple(dict.fromkeys(spaces)),
        categories=tuple(categories),
        fields={name: tuple(values) for name, values in fields.items()},
    )
