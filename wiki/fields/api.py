"""The fields API under ``/api/v1``: queries, form submissions, user-name completion, uploaded files.

Built on ``wiki.web.api.make_api_blueprint`` (bearer keys or the session, JSON errors).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, send_file
from flask_babel import gettext
from sqlalchemy import select

from wiki.fields.forms.definition import FormDef, FormError, FormInput, load_form
from wiki.fields.forms.submit import Submission, submit
from wiki.fields.forms.uploads import Upload, UploadError, UploadTooLarge, path_of
from wiki.fields.models import FieldFile
from wiki.fields.query import QueryError, max_limit, parse_query, run, split_query
from wiki.fields.query.formats import to_csv, to_json
from wiki.fields.query.parse import CHARTS
from wiki.fields.query.svg import chart
from wiki.models import User
from wiki.namespaces import FILE
from wiki.pages import EditConflict, SaveError
from wiki.permissions import STAFF_SIDE, Actor
from wiki.security.ratelimit import RateLimited
from wiki.security.web import limit
from wiki.web import openapi
from wiki.web.api import ApiError, json_body, make_api_blueprint
from wiki.web.context import actor, db_session, site

api = make_api_blueprint("fields_api", __name__)
_QUERY = {"name": "query", "in": "query", "required": True, "schema": {"type": "string"},
          "description": "#ask conditions, printouts and parameters, for example [[Category:Tickets]] |?Status"}
api.openapi_paths = {
    "/ask": {"get": {"summary": "Run an #ask query (rows, a count or aggregate groups)", "parameters": [
        _QUERY, {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv", "svg"]}}],
        "responses": {"200": {"description": "JSON, CSV or an SVG chart"}, **openapi.error_responses(400, 401)}}},
    "/forms/{form}": {"post": {
        "summary": "Create a page with a form",
        "description": "Field names match case-insensitively, with underscores for spaces. `summary` is the "
                       "edit summary; `free_text` is page text put after the template call (forms with a free-text "
                       "box only). Files (fields whose input is `file`) need multipart/form-data; they have the "
                       "same type and size limits as in the web form, and belong to the sender's account.",
        "parameters": [{"name": "form", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": {
                "type": "object", "description": "Field name -> value (text, number, boolean or list of text)",
                "properties": {"summary": {"type": "string"}, "free_text": {"type": "string"}},
                "additionalProperties": True}},
            "multipart/form-data": {"schema": {
                "type": "object", "description": "Field name -> text (repeat a field for a list) or a file",
                "properties": {"summary": {"type": "string"}, "free_text": {"type": "string"}},
                "additionalProperties": {"oneOf": [
                    {"type": "string"}, {"type": "array", "items": {"type": "string"}},
                    {"type": "string", "format": "binary"}]}}}}},
        "responses": {"201": openapi.json_response("Created", {"type": "object", "properties": {
            "title": {"type": "string"}, "revision_id": {"type": "integer"}}}),
            **openapi.error_responses(400, 401, 403, 404, 409, 413, 429)}}},
    "/fields/users": {"get": {"summary": "User names starting with a prefix (the form user picker)", "parameters": [
        {"name": "prefix", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": openapi.json_response("Names", {"type": "object", "properties": {
            "users": {"type": "array", "items": {"type": "string"}}}}), **openapi.error_responses(401)}}},
    "/files/{name}": {"get": {"summary": "Download a file uploaded with a form", "parameters": [
        {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The file, as an attachment"}, **openapi.error_responses(401, 404)}}},
}
USER_MATCHES = 20


def rate_limited(who: Actor) -> RateLimited | None:
    """The refusal when ``who`` (or this client address) submitted forms too often; ``None`` when allowed.

    Uses the site's shared rule ``forms`` (``[plugins.security.rate_limits] forms = "30/60"``),
    counted in the database so that every app process shares the count; answer a refusal
    with ``wiki.security.web.too_many_requests``.
    """
    try:
        limit("forms", who)
    except RateLimited as exc:
        return exc
    return None


@api.get("/ask")
def ask():
    s = site()
    text = request.args.get("query", "").strip()
    fmt = request.args.get("format", "json").lower()
    if not text:
        raise ApiError(400, "invalid_input", gettext("'query' is required, for example [[Category:Tickets]] |?Status."),
                       {"field": "query"})
    if fmt not in ("json", "csv", "svg"):
        raise ApiError(400, "invalid_input", gettext("'format' must be json, csv or svg, not %(format)s.", format=repr(fmt)),
                       {"field": "format"})
    try:
        query = parse_query(split_query(text), s.titles, max_limit(s))
        if fmt == "svg" and query.aggregate is None:
            raise QueryError(gettext("an SVG chart needs aggregate= and group= (or format=bar, pie or line with group=)"))
        result = run(s, db_session(), actor(), query)
    except QueryError as exc:
        raise ApiError(400, "invalid_query", gettext("The query is not valid: %(problem)s.", problem=exc), {"query": text})
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
    raise ApiError(400, "invalid_input", gettext("The value of %(name)s must be text, a number, true/false or a list.",
                                                 name=repr(name)), {"field": name})


def _input(form: FormDef, key: str, file: bool) -> FormInput:
    """The form input that request key ``key`` fills; a file must go to a file input and back."""
    wanted = key.replace("_", " ").casefold()
    item = next((i for i in form.inputs if i.field.casefold() == wanted), None)
    if item is None:
        raise ApiError(400, "invalid_input", gettext("%(form)s has no field %(name)s; its fields are %(fields)s.",
                                                     form=f"Form:{form.name}", name=repr(key),
                                                     fields=", ".join(i.field for i in form.inputs)), {"field": key})
    if file and item.input != "file":
        raise ApiError(400, "invalid_input", gettext("%(field)s takes text, not a file.", field=item.field),
                       {"field": key})
    if not file and item.input == "file":
        raise ApiError(400, "invalid_input", gettext("%(field)s takes a file: send the request as multipart/form-data "
                                                     "with the file in the part %(part)s.", field=item.field,
                                                     part=repr(key)), {"field": key})
    return item


def _optional_text(data: dict[str, Any], key: str) -> str | None:
    value = data.pop(key, None)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "invalid_input", gettext("%(name)s must be a string.", name=repr(key)), {"field": key})
    return value


def _json_submission(form: FormDef) -> Submission:
    data = json_body()
    summary, free_text = _optional_text(data, "summary") or "", _optional_text(data, "free_text")
    values = {_input(form, key, file=False).field: _text(key, value) for key, value in data.items()}
    return Submission(values=values, summary=summary, free_text=free_text)


def _multipart_submission(form: FormDef) -> Submission:
    """Text parts (repeated for a list) and file parts of a multipart/form-data body."""
    texts = {key: request.form.getlist(key) for key in request.form}
    summary, free_text = (texts.pop("summary", None) or [""])[-1], (texts.pop("free_text", None) or [None])[-1]
    values = {_input(form, key, file=False).field: ", ".join(v.strip() for v in found if v.strip())
              for key, found in texts.items()}
    uploads = {_input(form, key, file=True).field: Upload(part.filename or "", part.read())
               for key, part in request.files.items(multi=True) if part.filename}
    return Submission(values=values, uploads=uploads, summary=summary, free_text=free_text)


@api.post("/forms/<path:name>")
def submit_form(name: str):
    """Create a page with a form from a JSON body, or from multipart/form-data (which can carry files)."""
    s = site()
    who = actor()
    refusal = rate_limited(who)
    if refusal is not None:
        raise refusal
    try:
        form = load_form(s, db_session(), name.replace("_", " "))
    except FormError as exc:
        raise ApiError(404, "not_found", str(exc))
    multipart = request.mimetype == "multipart/form-data"
    submission = _multipart_submission(form) if multipart else _json_submission(form)
    if submission.free_text is not None and form.free_text is None:
        raise ApiError(400, "invalid_input", gettext("%(form)s has no free-text box; leave out 'free_text'.",
                                                     form=f"Form:{form.name}"), {"field": "free_text"})
    try:
        with s.db.write() as session:
            result = submit(s, session, form, submission, who)
    except UploadTooLarge as exc:
        raise ApiError(413, "too_large", str(exc))
    except (FormError, UploadError) as exc:
        raise ApiError(400, "invalid_input", str(exc))
    except SaveError as exc:
        raise ApiError(400, "invalid_input", gettext("The page was not saved."), {"messages": exc.messages})
    except EditConflict as exc:
        raise ApiError(409, "edit_conflict", str(exc))
    title = s.titles.make(result.page.namespace, result.page.title)
    return jsonify({"title": title.prefixed, "revision_id": result.revision.id}), 201


@api.get("/fields/users")
def user_names():
    """Names starting with ``prefix`` for the user picker; customers see their own account's users."""
    who = actor()
    if who.is_anonymous:
        raise ApiError(401, "unauthorized", gettext("Sign in to look up user names."))
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
        raise ApiError(404, "not_found", gettext("There is no file %(title)s.", title=title.prefixed))
    record = db_session().get(FieldFile, page.id)
    if record is None:
        raise ApiError(404, "not_found", gettext("%(title)s has no uploaded file.", title=title.prefixed))
    response = send_file(path_of(s, record), mimetype=record.content_type, as_attachment=True,
                         download_name=record.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
