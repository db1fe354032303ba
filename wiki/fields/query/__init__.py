"""``#ask`` queries: ``parse`` (the language), ``compile`` (SQL over the field tables),
``formats`` (HTML, CSV, JSON) and ``svg`` (charts).  ``ask_function`` is the parser function.

Pages that embed a query are marked ``volatile``, so the render cache never keeps their
HTML: the rows depend on who is looking (read permissions) and on other pages, and a
fresh run costs one indexed SQL statement.  This is always correct, where recording query
dependencies and touching embedding pages would miss rows that start or stop matching.
"""

from __future__ import annotations

from typing import Any

from wiki.fields.query.compile import QueryResult, run
from wiki.fields.query.formats import to_html
from wiki.fields.query.parse import Query, QueryError, parse_query, split_query
from wiki.markup import FunctionCall
from wiki.permissions import ANONYMOUS

DEFAULT_MAX_LIMIT = 500

__all__ = ["Query", "QueryError", "QueryResult", "ask_function", "max_limit", "parse_query", "run", "split_query"]


def max_limit(site: Any) -> int:
    """The largest ``limit`` a query may ask for (``[plugins.fields] max_limit`` in config.toml)."""
    return int(site.settings.plugins.get("fields", {}).get("max_limit", DEFAULT_MAX_LIMIT))


def ask_function(call: FunctionCall) -> str:
    """``{{#ask: [[conditions]] |?printout |param=value ...}}``, run as the viewer."""
    call.flag("volatile")
    services = call.services
    if services is None:
        return call.error("#ask needs a database; it cannot run here.")
    site = services.site
    try:
        query = parse_query([call.arg(i) for i in range(call.count)], site.titles, max_limit(site))
        result = run(site, services.session, services.actor or ANONYMOUS, query)
    except QueryError as exc:
        return call.error(f"#ask: {exc}.")
    return call.html(to_html(result))
