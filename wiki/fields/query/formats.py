"""Showing a ``QueryResult``: HTML (table, list, count, aggregate table, chart image), CSV and JSON.

HTML here is built with every value escaped; in pages it still passes the sanitizer.  Charts
are ``<img>`` elements pointing at ``/api/v1/ask?format=svg``, which renders the SVG on
the server with the viewer's own permissions.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from wiki.fields.query.compile import QueryResult
from wiki.fields.query.parse import CHARTS, Query

ASK_PAGE = "/wiki/Special:Ask"
ASK_API = "/api/v1/ask"


def ask_url(query: Query, **overrides: object) -> str:
    """Special:Ask showing ``query`` (a shareable address)."""
    return ASK_PAGE + "?" + urlencode({"query": query.to_text(**overrides)})


def api_url(query: Query, fmt: str) -> str:
    return ASK_API + "?" + urlencode({"query": query.to_text(), "format": fmt})


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _wiki_href(prefixed: str) -> str:
    return "/wiki/" + quote(prefixed.replace(" ", "_"), safe="/:")


def _value_html(result: QueryResult, name: str, value: str) -> str:
    ftype = result.types.get(name)
    if ftype is not None and ftype.name == "page" and name != "Title":
        return _link(_wiki_href(value), value)
    if ftype is not None and ftype.name == "user":
        return _link(_wiki_href(f"User:{value}"), value)
    return escape(value)


def _values_html(result: QueryResult, name: str, values: list[str]) -> str:
    return ", ".join(_value_html(result, name, v) for v in values)


def _further(result: QueryResult) -> str:
    if not result.more:
        return ""
    query = result.query
    href = ask_url(query, offset=query.offset + query.limit)
    return f'<p class="ask-further">{_link(href, "… further results")}</p>'


def _notes(query: Query) -> str:
    return "".join(f'<p class="ask-note">{escape(n)}</p>' for n in query.notes)


def to_html(result: QueryResult) -> str:
    query = result.query
    if result.groups is not None:
        if query.format in CHARTS:
            label = f"{query.aggregate[0]} by {query.group}"
            return _notes(query) + (f'<figure class="ask-chart"><img src="{escape(api_url(query, "svg"))}" '
                                    f'alt="{escape(label)}" width="640" height="360">'
                                    f"<figcaption>{escape(label)}</figcaption></figure>") + _further(result)
        return _notes(query) + _groups_table(result) + _further(result)
    if result.count is not None:
        return f'<span class="ask-count">{result.count}</span>'
    if query.format in ("csv", "json"):
        return _link(api_url(query, query.format), f"Download {query.format.upper()}")
    if not result.rows:
        return _notes(query) + '<p class="ask-empty">No pages match this query.</p>'
    if query.format == "list":
        items = []
        for row in result.rows:
            extra = "; ".join(f"{escape(label)}: {_values_html(result, name, row.values[name])}"
                              for name, label in query.printouts if row.values.get(name))
            items.append(f"<li>{_link(row.title.url_path, row.title.prefixed)}"
                         + (f" ({extra})" if extra else "") + "</li>")
        return _notes(query) + f'<ul class="ask-list">{"".join(items)}</ul>' + _further(result)
    head = "<th>Page</th>" + "".join(f"<th>{escape(label)}</th>" for _, label in query.printouts)
    body = "".join(
        f"<tr><td>{_link(row.title.url_path, row.title.prefixed)}</td>"
        + "".join(f"<td>{_values_html(result, name, row.values.get(name, []))}</td>" for name, _ in query.printouts)
        + "</tr>"
        for row in result.rows
    )
    return (_notes(query) + f'<table class="wikitable ask-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>" + _further(result))


def _groups_table(result: QueryResult) -> str:
    query = result.query
    body = "".join(f"<tr><td>{escape(label)}</td><td>{_format_number(value)}</td></tr>"
                   for label, value in result.groups or [])
    return (f'<table class="wikitable ask-aggregate"><thead><tr><th>{escape(query.group or "")}</th>'
            f"<th>{escape(query.measure())}</th></tr></thead><tbody>{body}</tbody></table>")


def _format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}"


def to_json(result: QueryResult) -> dict[str, Any]:
    query = result.query
    body: dict[str, Any] = {"query": query.to_text(), "notes": query.notes}
    if result.groups is not None:
        body.update(aggregate=query.aggregate[0] if query.aggregate else None,
                    of=query.aggregate[1] if query.aggregate else None, group=query.group,
                    offset=query.offset, limit=query.limit, more=result.more,
                    groups=[{"group": label, "value": value} for label, value in result.groups])
    elif result.count is not None:
        body["count"] = result.count
    else:
        body.update(printouts=[{"field": name, "label": label} for name, label in query.printouts],
                    offset=query.offset, limit=query.limit, more=result.more,
                    results=[{"title": row.title.prefixed, "namespace": row.title.ns,
                              "fields": {name: row.values.get(name, []) for name, _ in query.printouts}}
                             for row in result.rows])
    return body


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(result: QueryResult) -> str:
    query = result.query
    out = io.StringIO()
    writer = csv.writer(out)
    if result.groups is not None:
        writer.writerow([query.group, query.aggregate[0] if query.aggregate else "count"])
        writer.writerows([_cell(label), _format_number(value)] for label, value in result.groups)
    elif result.count is not None:
        writer.writerow(["count"])
        writer.writerow([result.count])
    else:
        writer.writerow(["Title", *(label for _, label in query.printouts)])
        for row in result.rows:
            writer.writerow([_cell(row.title.prefixed),
                             *(_cell(", ".join(row.values.get(name, []))) for name, _ in query.printouts)])
    return out.getvalue()
