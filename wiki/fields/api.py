"""The fields API under ``/api/v1``: queries, form submissions, user-name completion, uploaded files.

Built on ``wiki.web.api.make_api_blueprint`` (bearer keys or the session, JSON errors).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, send_file
from sqlalchemy import select

from wiki.fields.forms.definition import FormError, load_form
from wiki.fields.forms.submit import Submission, submit
from wiki.fields.forms.uploads import path_of
from wiki.fields.models import FieldFile
from wiki.fields.query import QueryError, max_limit, parse_query, run, split_query
from wiki.fields.query.formats import to_csv, to_json
from wiki.fields.query.parse import CHARTS
from wiki.fields.query.svg import chart
from wiki.models import User
from wiki.namespaces import FILE
from wiki.pages import EditConflict, SaveError
from wiki.permissions import STAFF_SIDE, Actor
from wiki.security import ratelimit
from wiki.web import openapi
from wiki.web.api import ApiError, json_body, make_api_blueprint
from wiki.web.auth import client_ip
from wiki.web.context import actor, db_session, site

api = make_api_blueprint("fields_api", __name__)
_QUERY = {"name": "query", "in": "query", "required": True, "schema": {"type": "string"},
          "description": "#ask conditions, printouts and parameters, for example [[Category:Tickets]] |?Status"}
api.openapi_paths = {
    "/ask": {"get": {"summary": "Run an #ask query (rows, a count or aggregate groups)", "parameters": [
        _QUERY, {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv", "svg"]}}],
        "responses": {"200": {"description": "JSON, CSV or an SVG chart"}, **openapi.error_responses(400, 401)}}},
    "/forms/{form}": {"post": {
        "summary": "Create a page with a form", "parameters": [
            {"name": "form", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "description": "Field name -> value (text, number, boolean or list); optional summary",
            "additionalProperties": True}}}},
        "responses": {"201": openapi.json_response("Created", {"type": "object", "properties": {
            "title": {"type": "string"}, "revision_id": {"type": "integer"}}}),
            **openapi.error_responses(400, 401, 403, 404, 409, 429)}}},
    "/fields/users": {"get": {"summary": "User names starting with a prefix (the form user picker)", "parameters": [
        {"name": "prefix", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": openapi.json_response("Names", {"type": "object", "properties": {
            "users": {"type": "array", "items": {"type": "string"}}}}), **openapi.error_responses(401)}}},
    "/files/{name}": {"get": {"summary": "Download a file uploaded with a form", "parameters": [
        {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The file, as an attachment"}, **openapi.error_responses(401, 404)}}},
}
USER_MATCHES = 20


def rate_limited(who: Actor) -> str | None:
    """A message when ``who`` (or this client address) submitted forms too often; ``None`` when allowed.

    Uses the site's shared rule ``forms`` (``[plugins.security.rate_limits] forms = "30/60"``),
    counted in the database so that every app process shares the count.
    """
    try:
        ratelimit.hit(site(), "forms", f"user:{who.user_id}" if who.user_id is not None else f"ip:{client_ip()}")
    except ratelimit.RateLimited as exc:
        return f"Too many form submissions; please wait {exc.retry_after} seconds and try again."
    return None


@api.get("/ask")
def ask():
    s = site()
    text = request.args.get("query", "").strip()
    fmt = request.args.get("format", "json").lower()
    if not text:
        raise ApiError(400, "invalid_input", "'query' is required, for example [[Category:Tickets]] |?Status.",
                       {"field": "query"})
    if fmt not in ("json", "csv", "svg"):
        raise ApiError(400, "invalid_input", f"'format' must be json, csv or svg, not {fmt!r}.", {"field": "format"})
    try:
        query = parse_query(split_query(text), s.titles, max_limit(s))
        if fmt == "svg" and query.aggregate is None:
            raise QueryError("an SVG chart needs aggregate= and group= (or format=bar, pie or line with group=)")
        result = run(s, db_session(), actor(), query)
    except QueryError as exc:
        raise ApiError(400, "invalid_query", f"The query is not valid: {exc}.", {"query": text})
    if fmt == "csv":
        return Response(to_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="query.csv"'})
    if fmt == "svg":
        kind = query.format if query.format in CHARTS else "bar"
        label = f"{query.aggregate[0]} by {query.group}"
        return Response(chart(kind, result.groups or [], label), mimetype="image/svg+xml",
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                                 "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
    return jsonify(to_json(result))


def _text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    raise ApiError(400, "invalid_input", f"The value of {name!r} must be text, a number, true/false or a list.",
                   {"field": name})


@api.post("/forms/<path:name>")
def submit_form(name: str):
    s = site()
    who = actor()
    data = json_body()
    summary = data.pop("summary", "")
    if not isinstance(summary, str):
        raise ApiError(400, "invalid_input", "'summary' must be a string.", {"field": "summary"})
    message = rate_limited(who)
    if message is not None:
        raise ApiError(429, "rate_limited", message)
    try:
        form = load_form(s, db_session(), name.replace("_", " "))
    except FormError as exc:
        raise ApiError(404, "not_found", str(exc))
    known = {item.field.casefold(): item.field for item in form.inputs}
    unknown = [key for key in data if key.replace("_", " ").casefold() not in known]
    if unknown:
        raise ApiError(400, "invalid_input", f"Form:{form.name} has no field {unknown[0]!r}; its fields are "
                       f"{', '.join(known.values())}.", {"field": unknown[0]})
    values = {known[key.replace("_", " ").casefold()]: _text(key, value) for key, value in data.items()}
    try:
        with s.db.write() as session:
            result = submit(s, session, form, Submission(values=values, summary=summary), who)
    except FormError as exc:
        raise ApiError(400, "invalid_input", str(exc))
    except SaveError as exc:
        raise ApiError(400, "invalid_input", "The page was not saved.", {"messages": exc.messages})
    except EditConflict as exc:
        raise ApiError(409, "edit_conflict", str(exc))
    title = s.titles.make(result.page.namespace, result.page.title)
    return jsonify({"title": title.prefixed, "revision_id": result.revision.id}), 201


@api.get("/fields/users")
def user_names():
    """Names starting with ``prefix`` for the user picker; customers see their own account's users."""
    who = actor()
    if who.is_anonymous:
        raise ApiError(401, "unauthorized", "Sign in to look up user names.")
    prefix = request.args.get("prefix", "").strip().replace("_", " ")
    if not prefix:
        return jsonify({"users": []})
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    statement = select(User.name).where(User.name.ilike(escaped + "%", escape="\\"), User.disabled.is_(False))
    if who.role not in STAFF_SIDE:
        if who.account_id is None:
            return jsonify({"users": []})
        statement = statement.where(User.account_id == who.account_id)
    names = db_session().scalars(statement.order_by(User.name).limit(USER_MATCHES))
    return jsonify({"users": list(names)})


@api.get("/files/<path:name>")
def download(name: str):
    """The bytes of a file uploaded through a form, for readers of its ``File:`` page."""
    s = site()
    title = s.titles.make(FILE, name.replace("_", " ").removeprefix("File:"))
    page = s.get_page(db_session(), title)
    if page is None or page.deleted or not s.policy.allows(actor(), "read", title, page):
        raise ApiError(404, "not_found", f"There is no file {title.prefixed}.")
    record = db_session().get(FieldFile, page.id)
    if record is None:
        raise ApiError(404, "not_found", f"{title.prefixed} has no uploaded file.")
    response = send_file(path_of(s, record), mimetype=record.content_type, as_attachment=True,
                         download_name=record.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
