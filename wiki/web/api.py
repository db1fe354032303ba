"""The JSON API at ``/api/v1`` (see DESIGN.md for the contract).

Authentication is the browser session or ``Authorization: Bearer <api key>``.  Every error
is ``{"error": {"code", "message", "details"}}`` with the fitting status code; ``code`` is
for programs and never changes, ``message`` is for people, in the request's language
(Accept-Language).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from wtforms.validators import ValidationError

from wiki.accounts import actor_for, api_key_use_due, authenticate_api_key, record_api_key_use
from wiki.fields.store import revision_fields
from wiki.models import CategoryLink, Revision
from wiki.pages import EditConflict, SaveError, save_page
from wiki.permissions import PermissionDenied
from wiki.rendering import render_revision
from wiki.revisions import RevisionNotFound, not_archived, readable_revision
from wiki.security import ratelimit
from wiki.storable import MAX_ROW_ID, is_row_id, unstorable
from wiki.titles import InvalidTitle
from wiki.web import openapi
from wiki.web.auth import client_ip
from wiki.web.context import actor, db_session, site

class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_response(status: int, code: str, message: str, details: Any = None):
    return jsonify({"error": {"code": code, "message": message, "details": details}}), status


def _api_error(exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.details)


def _denied(exc: PermissionDenied):
    status = 401 if actor().is_anonymous else 403
    return error_response(status, "unauthorized" if status == 401 else "forbidden", str(exc))


def _bad_title(exc: InvalidTitle):
    return error_response(400, "invalid_title", str(exc))


def _http(exc: HTTPException):
    return error_response(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description or exc.name)


def authenticate_request() -> None:
    """Bearer key (sets ``g.actor``), or the browser session with an X-CSRFToken header for writes;
    then the ``api`` rate limit, per key (or per user, or per client address)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", gettext("Use 'Authorization: Bearer <api key>'."))
        now = datetime.now(timezone.utc)
        with site().db.read() as session:
            key = authenticate_api_key(session, token.strip(), now)
            if key is None:
                raise ApiError(401, "unauthorized", gettext("The API key is unknown, revoked or expired."))
            g.actor = actor_for(key.user, api_scope=key.scope)
            key_id, rate_key, use_due = key.id, f"key:{key.prefix}", api_key_use_due(key, now)
        if use_due:
            with site().db.write() as session:
                record_api_key_use(session, key_id, now)
        ratelimit.hit(site(), "api", rate_key)
        return
    ratelimit.hit(site(), "api", ratelimit.client_key(actor(), client_ip()))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError as exc:
            raise ApiError(400, "csrf", gettext("Browser-session writes need a valid X-CSRFToken header (%(reason)s).",
                                                reason=exc))


def make_api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under ``/api/v1`` with the API's authentication and JSON errors.

    Plugins build their API routes on one of these; the app exempts it from form CSRF
    because ``authenticate_request`` does its own check.
    """
    blueprint = Blueprint(name, import_name, url_prefix="/api/v1")
    blueprint.is_api = True
    blueprint.openapi_paths = {}
    blueprint.before_request(authenticate_request)
    blueprint.register_error_handler(ApiError, _api_error)
    blueprint.register_error_handler(PermissionDenied, _denied)
    blueprint.register_error_handler(InvalidTitle, _bad_title)
    blueprint.register_error_handler(HTTPException, _http)
    return blueprint


bp = make_api_blueprint("api", __name__)

_TITLE = {"name": "title", "in": "path", "required": True, "schema": {"type": "string"},
          "description": "The page title, spaces as underscores, with its namespace prefix"}
_PAGE = {"type": "object", "properties": {
    "title": {"type": "string"}, "namespace": {"type": "integer"}, "revision_id": {"type": "integer"},
    "latest_revision_id": {"type": "integer"}, "text": {"type": "string"},
    "categories": {"type": "array", "items": {"type": "string"}}, "fields": {"type": "object"},
    "html": {"type": "string"}}}
bp.openapi_paths = {
    "/pages/{title}": {
        "get": {"summary": "A page's text, categories and fields", "parameters": [
            _TITLE, {"name": "revision", "in": "query", "schema": {"type": "integer"}},
            {"name": "render", "in": "query", "schema": {"type": "string", "enum": ["1", "true"]}}],
            "responses": {"200": openapi.json_response("The page", _PAGE), **openapi.error_responses(401, 403, 404)}},
        "put": {"summary": "Save a new revision (merged three-way when based on an older one)", "parameters": [_TITLE],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["text"], "properties": {
                        "text": {"type": "string"}, "summary": {"type": "string"},
                        "base_revision_id": {"type": "integer"}, "minor": {"type": "boolean"},
                        "watch": {"type": "boolean", "description": "watch the page (default true)"}}}}}},
                "responses": {
                    "200": openapi.json_response("Saved (or unchanged)", {"type": "object", "properties": {
                        "revision_id": {"type": "integer"}, "merged": {"type": "boolean"},
                        "changed": {"type": "boolean"}, "created": {"type": "boolean"}}}),
                    "201": {"description": "Created"}, **openapi.error_responses(400, 401, 403, 404, 409)}},
    },
    "/pages/{title}/revisions": {
        "get": {"summary": "Revisions, newest first", "parameters": [
            _TITLE, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
            "responses": {"200": {"description": "Revisions"}, **openapi.error_responses(400, 401, 403, 404)}},
    },
    "/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI"}}}},
}


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document(bp for bp in current_app.blueprints.values() if getattr(bp, "is_api", False)))


#: Deepest nesting of arrays and objects a JSON body may have.
MAX_JSON_DEPTH = 32


def json_body() -> dict[str, Any]:
    """The request's JSON object; ``ApiError`` (400) for anything else, for nesting deeper
    than ``MAX_JSON_DEPTH`` and for strings no database can store (``wiki.storable``)."""
    data = None
    if request.is_json:
        try:
            data = json.loads(request.get_data(cache=True))
        except RecursionError:  # the decoder's own stack limit, far deeper than ours
            raise _too_deep() from None
        except ValueError:  # not JSON, or not UTF-8
            data = None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", gettext("The body must be a JSON object."))
    _check_json(data)
    return data


def _too_deep() -> ApiError:
    return ApiError(400, "invalid_json", gettext("The JSON body is nested more than %(most)s levels deep.",
                                                 most=MAX_JSON_DEPTH))


def _check_json(data: Any) -> None:
    """Walk ``data`` (without recursion: it may be deep) for the limits of ``json_body``."""
    pending: list[tuple[Any, str, int]] = [(data, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_JSON_DEPTH and isinstance(value, (dict, list)):
            raise _too_deep()
        if isinstance(value, str):
            problem = unstorable(path or "body", value)
            if problem:
                raise ApiError(400, "invalid_input", problem, {"field": path})
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else key
                problem = unstorable(name, key)
                if problem:
                    raise ApiError(400, "invalid_input", problem, {"field": name})
                pending.append((item, name, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))


def _page_or_404(title):
    s = site()
    page = s.get_page(db_session(), title)
    who = actor()
    if page is None or page.deleted or (page.account_id is not None and not s.policy.allows(who, "read", title, page)):
        raise ApiError(404, "not_found", gettext("The page %(title)s does not exist.", title=title.prefixed))
    s.policy.check(who, "read", title, page)
    return page


@bp.get("/pages/<path:name>")
def get_page(name: str):
    s = site()
    title = s.titles.from_dbkey(name)
    page = _page_or_404(title)
    revision_id = request.args.get("revision", type=int) or page.latest_id
    try:
        if not is_row_id(revision_id):
            raise RevisionNotFound(gettext("Revision %(revision)s is not a revision of %(title)s.",
                                           revision=revision_id, title=title.prefixed))
        revision = readable_revision(s, db_session(), actor(), title, page, revision_id)
    except RevisionNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    categories = sorted(db_session().scalars(select(CategoryLink.category).where(CategoryLink.from_id == page.id)))
    body: dict[str, Any] = {
        "title": title.prefixed,
        "namespace": title.ns,
        "revision_id": revision.id,
        "latest_revision_id": page.latest_id,
        "text": revision.text,
        "categories": categories,
        "fields": revision_fields(db_session(), revision.id),
    }
    if request.args.get("render") in ("1", "true"):
        body["html"] = render_revision(s, db_session(), title, page, revision, actor()).html
    return jsonify(body)


@bp.put("/pages/<path:name>")
def put_page(name: str):
    s = site()
    title = s.titles.from_dbkey(name)
    data = json_body()
    text = data.get("text")
    if not isinstance(text, str):
        raise ApiError(400, "invalid_input", gettext("'text' is required and must be a string."), {"field": "text"})
    summary = data.get("summary", "")
    base = data.get("base_revision_id")
    if not isinstance(summary, str):
        raise ApiError(400, "invalid_input", gettext("'summary' must be a string."), {"field": "summary"})
    if base is not None and (not isinstance(base, int) or isinstance(base, bool) or not is_row_id(base)):
        raise ApiError(400, "invalid_input", gettext("'base_revision_id' must be a revision number (a whole number "
                                                     "from 1 to %(most)s).", most=MAX_ROW_ID),
                       {"field": "base_revision_id"})
    watch = data.get("watch")
    if watch is not None and not isinstance(watch, bool):
        raise ApiError(400, "invalid_input", gettext("'watch' must be true or false."), {"field": "watch"})
    who = actor()
    ratelimit.hit(s, "edits", ratelimit.client_key(who, client_ip()))
    # looked up in a read session closed before the write: a request holding a connection
    # while it waits for the write lock can exhaust the pool under many writers, and a write
    # session that has begun would make save_page render under the lock
    with s.db.read() as session:
        existing = s.get_page(session, title)
        if existing is not None and existing.account_id is not None \
                and not s.policy.allows(who, "read", title, existing):
            raise ApiError(404, "not_found", gettext("The page %(title)s does not exist.", title=title.prefixed))
    try:
        with s.db.write() as session:
            result = save_page(s, session, title, text, who, summary=summary, minor=bool(data.get("minor")),
                               base_revision_id=base, extra={} if watch is None else {"watch": watch})
    except SaveError as exc:
        raise ApiError(400, "invalid_input", gettext("The page was not saved."), {"messages": exc.messages})
    except EditConflict as exc:
        raise ApiError(409, "edit_conflict", gettext("%(title)s was changed since revision %(revision)s and the "
                                                     "changes overlap.", title=title.prefixed,
                                                     revision=exc.base_revision_id), {"current_revision_id": exc.current_revision_id,
                                                    "current_text": exc.current_text, "your_text": exc.your_text})
    revision_id = result.revision.id if result.revision else result.page.latest_id
    status = 201 if result.created else 200
    return jsonify({"title": title.prefixed, "revision_id": revision_id, "merged": result.merged,
                    "changed": result.changed, "created": result.created}), status


@bp.get("/pages/<path:name>/revisions")
def page_revisions(name: str):
    s = site()
    title = s.titles.from_dbkey(name)
    page = _page_or_404(title)
    limit = request.args.get("limit", 50, type=int)
    if not 1 <= limit <= 500:
        raise ApiError(400, "invalid_input", gettext("'limit' must be between 1 and %(most)s.", most=500),
                       {"field": "limit"})
    rows = db_session().scalars(
        select(Revision).where(Revision.page_id == page.id, not_archived()).order_by(Revision.id.desc()).limit(limit)
    )
    return jsonify({"title": title.prefixed, "revisions": [
        {"revision_id": r.id, "parent_id": r.parent_id, "user": r.user_text, "timestamp": r.timestamp.isoformat(),
         "summary": r.summary, "minor": r.minor, "size": r.size} for r in rows
    ]})
