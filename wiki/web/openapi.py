"""The OpenAPI 3.1 document at ``/api/v1/openapi.json``, gathered from every API blueprint.

Each blueprint made by ``make_api_blueprint`` carries ``openapi_paths`` (a dict in OpenAPI's
``paths`` form) for the routes it serves, so plugins document their own endpoints.
"""

from __future__ import annotations

from typing import Any

import wiki

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}},
}


def error_responses(*codes: int) -> dict[str, Any]:
    text = {400: "Invalid input", 401: "Not signed in or bad API key", 403: "Not allowed", 404: "Not found",
            409: "Conflict", 413: "Too large", 429: "Rate limited"}
    return {str(c): RATE_LIMITED if c == 429 else
            {"description": text[c], "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for c in codes}


#: Every API request counts against the ``api`` rate limit, and edits against ``edits``
#: (``wiki.security.ratelimit``), so every operation may answer 429.
RATE_LIMITED: dict[str, Any] = {
    "description": "Rate limited: too many requests from this key, user or address",
    "headers": {"Retry-After": {"description": "Seconds to wait before trying again",
                                "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _with_rate_limit(operations: dict[str, Any]) -> dict[str, Any]:
    return {method: {**op, "responses": {**op.get("responses", {}), "429": RATE_LIMITED}} if isinstance(op, dict)
            else op for method, op in operations.items()}


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document(blueprints) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for blueprint in blueprints:
        for path, operations in getattr(blueprint, "openapi_paths", {}).items():
            paths.setdefault(path, {}).update(_with_rate_limit(operations))
    return {
        "openapi": "3.1.0",
        "info": {"title": "ticketwiki API", "version": wiki.__version__,
                 "description": "Pages, search, queries, forms and tickets of a ticketwiki site."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API key from `ticketwiki apikey create`"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The browser session; writes need the X-CSRFToken header"},
            },
            "schemas": {"Error": ERROR},
        },
        "paths": dict(sorted(paths.items())),
    }
