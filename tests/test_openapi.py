"""The OpenAPI document describes every route under /api/v1, in valid OpenAPI form."""

import re

from openapi_spec_validator import validate


def normalise(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_document_is_valid_openapi(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["info"]["title"] == "ticketwiki API"


def test_every_api_route_is_documented(app, client):
    documented = {normalise("/api/v1" + p) for p in client.get("/api/v1/openapi.json").get_json()["paths"]}
    routes = {normalise(rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert routes - documented == set(), "undocumented API routes"
