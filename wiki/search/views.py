"""Search on the web: ``Special:Search``, ``GET /api/v1/search`` and title suggestions.

``Special:Search?search=...`` shows ranked results with snippets, namespace checkboxes,
paging and a "did you mean" link; with ``go=1`` (the skin's search box) a query that names
a readable page jumps to it, as in MediaWiki.  ``/api/v1/search/titles?prefix=`` feeds the
search box's suggestions (``wiki/skin/static/search.js``); the page works without it.
The first request of an app also applies what an earlier process left in the search
outbox.
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app, jsonify, redirect, render_template, request
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from wiki.search.backend import NEWEST, OLDEST, RELEVANCE, SORTS, SearchSyntaxError
from wiki.search.indexer import catch_up
from wiki.search.query import QueryError, parse_query
from wiki.search.service import MAX_LIMIT, exact_match, search_pages, title_suggestions
from wiki.web import openapi
from wiki.web.api import ApiError, make_api_blueprint
from wiki.web.context import actor, db_session, site
from wiki.web.skin import wiki_url

PAGE_SIZE = 20
bp = make_api_blueprint("search_api", __name__)

_LIMIT = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}}
bp.openapi_paths = {
    "/search": {"get": {
        "summary": "Full-text search over the pages the caller may read, ranked, with snippets",
        "parameters": [
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string"},
             "description": 'Words, "phrases", prefix*, AND/OR/NOT, incategory:Name, Namespace:word, field:value'},
            {"name": "namespace", "in": "query", "schema": {"type": "string"},
             "description": "Namespace numbers, comma-separated (or the parameter repeated)"},
            {**_LIMIT, "schema": {**_LIMIT["schema"], "default": PAGE_SIZE}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
            {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS), "default": RELEVANCE},
             "description": "relevance, or by the pages' last change: newest or oldest first"}],
        "responses": {"200": openapi.json_response("One page of results", {"type": "object", "properties": {
            "total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"},
            "suggestion": {"type": ["string", "null"], "description": "A corrected query (did you mean)"},
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "title": {"type": "string"}, "namespace": {"type": "integer"},
                "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
                "score": {"type": "number"},
                "modified": {"type": "string", "format": "date-time",
                             "description": "When the page last changed (its current revision)"}}}}}}),
            **openapi.error_responses(400, 401)}}},
    "/search/titles": {"get": {
        "summary": "Titles the caller may read that start with a prefix (search box suggestions)",
        "parameters": [{"name": "prefix", "in": "query", "required": True, "schema": {"type": "string"}},
                       {**_LIMIT, "schema": {**_LIMIT["schema"], "default": 10}}],
        "responses": {"200": openapi.json_response("Matching titles", {"type": "object", "properties": {
            "prefix": {"type": "string"}, "titles": {"type": "array", "items": {"type": "string"}}}}),
            **openapi.error_responses(400, 401)}}},
}


@bp.before_app_request
def _catch_up_once() -> None:
    if not current_app.extensions.get("search_caught_up"):
        current_app.extensions["search_caught_up"] = True
        catch_up(site())


def _int_arg(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(gettext("%(name)s must be a whole number, not %(value)s.", name=name, value=repr(raw))) from None
    if not low <= value <= high:
        raise QueryError(gettext("%(name)s must be between %(low)s and %(high)s, not %(value)s.", name=name, low=low,
                                 high=high, value=value))
    return value


def _namespaces(args: MultiDict) -> list[int]:
    numbers = []
    for raw in args.getlist("namespace"):
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                numbers.append(int(part))
            except ValueError:
                raise QueryError(gettext("namespace must be a namespace number, not %(value)s.", value=repr(part))) from None
    return numbers


def _sort(args: MultiDict) -> str:
    sort = args.get("sort", "") or RELEVANCE
    if sort not in SORTS:
        raise QueryError(gettext("sort must be one of %(sorts)s, not %(value)s.", sorts=", ".join(SORTS),
                                 value=repr(sort)))
    return sort


def _sort_choices() -> list[tuple[str, str]]:
    return [(RELEVANCE, gettext("Relevance")), (NEWEST, gettext("Newest change first")),
            (OLDEST, gettext("Oldest change first"))]


def special_search(req):
    """``Special:Search``: the results page (also reached from every page's search box)."""
    args = request.args
    text = args.get("search", "").strip() or req.subpage.replace("_", " ")
    context = {
        "search": text, "namespaces": [ns for ns in req.site.namespaces if ns.number >= 0],
        "selected": set(), "page": None, "error": None, "exact": None, "offset": 0, "limit": PAGE_SIZE,
        "sort": RELEVANCE, "sorts": _sort_choices(),
    }
    try:
        context["selected"] = set(_namespaces(args))
        sort = context["sort"] = _sort(args)
        offset = context["offset"] = _int_arg(args, "offset", 0, 0, 10_000)
        limit = context["limit"] = _int_arg(args, "limit", PAGE_SIZE, 1, MAX_LIMIT)
        if not text:
            return "search/results.html", context
        exact = context["exact"] = exact_match(req.site, req.session, req.actor, text)
        if exact is not None and args.get("go"):
            return redirect(wiki_url(exact))
        query = replace(parse_query(text, req.site.namespaces, context["selected"]), sort=sort)
        context["page"] = search_pages(req.site, req.session, req.actor, query, limit=limit, offset=offset)
    except (QueryError, SearchSyntaxError) as exc:
        context["error"] = str(exc)
        return render_template("search/results.html", page_title=gettext("Search"), **context), 400
    return "search/results.html", context


def _api_query(args: MultiDict):
    try:
        text = args.get("q", "")
        if not text.strip():
            raise QueryError(gettext("'q' is required: the words to search for."))
        limit = _int_arg(args, "limit", PAGE_SIZE, 1, MAX_LIMIT)
        offset = _int_arg(args, "offset", 0, 0, 10_000)
        return replace(parse_query(text, site().namespaces, _namespaces(args)), sort=_sort(args)), limit, offset
    except QueryError as exc:
        raise ApiError(400, "invalid_input", str(exc)) from None


@bp.get("/search")
def api_search():
    query, limit, offset = _api_query(request.args)
    try:
        found = search_pages(site(), db_session(), actor(), query, limit=limit, offset=offset)
    except SearchSyntaxError as exc:
        raise ApiError(400, "invalid_input", str(exc)) from None
    return jsonify({
        "total": found.total,
        "offset": offset,
        "limit": limit,
        "suggestion": found.suggestion,
        "results": [{"title": f.title.prefixed, "namespace": f.title.ns, "snippet": f.snippet, "score": f.score,
                     "modified": f.modified.isoformat()} for f in found.results],
    })


@bp.get("/search/titles")
def api_titles():
    prefix = request.args.get("prefix", "")
    try:
        limit = _int_arg(request.args, "limit", 10, 1, MAX_LIMIT)
    except QueryError as exc:
        raise ApiError(400, "invalid_input", str(exc)) from None
    titles = title_suggestions(site(), db_session(), actor(), prefix, limit=limit) if prefix.strip() else []
    return jsonify({"prefix": prefix, "titles": titles})
