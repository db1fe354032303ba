"""``POST /api/v1/tickets``: monitoring systems and scripts open tickets with an API key.

A repeated alert with the same ``external_id`` while its ticket is open adds an
"Alert repeated" section to that ticket (``created: false``) instead of opening another.
"""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext

from plugins.tickets.opening import TicketError, TicketRequest, open_or_repeat
from wiki.pages import SaveError
from wiki.web.api import ApiError, json_body, make_api_blueprint
from wiki.web.context import actor, site

api = make_api_blueprint("tickets_api", __name__)
FIELDS = ("subject", "description", "priority", "category", "department", "account", "external_id")

api.openapi_paths = {
    "/tickets": {"post": {
        "summary": "Open a ticket; a repeated open external_id adds to the existing ticket",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["subject", "description"],
            "properties": {
                "subject": {"type": "string", "maxLength": 200},
                "description": {"type": "string"},
                "priority": {"type": "string", "enum": ["P1", "P2", "P3", "P4"], "default": "P3"},
                "category": {"type": "string", "description": "A subcategory of Category:Ticket categories"},
                "department": {"type": "string", "description": "A department of Project:Ticket departments"},
                "account": {"type": "string", "description": "Account name (staff keys; customers' keys use "
                                                             "their own account)"},
                "external_id": {"type": "string", "maxLength": 200,
                                "description": "The alert's id: repeats go to the open ticket"}}}}}},
        "responses": {
            "201": {"description": "A ticket was opened", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"title": {"type": "string"}, "revision_id": {"type": "integer"},
                                                 "created": {"type": "boolean"}}}}}},
            "200": {"description": "The alert was added to the open ticket of the same external_id"},
            "400": {"description": "Invalid input; details.messages name each bad field"},
            "401": {"description": "No or a bad API key"},
            "403": {"description": "The key may not open tickets"}}}},
}


@api.post("/tickets")
def create_ticket():
    data = json_body()
    for name in FIELDS:
        if name in data and not isinstance(data[name], str):
            raise ApiError(400, "invalid_input", gettext("'%(field)s' must be a string.", field=name), {"field": name})
    for name in ("subject", "description"):
        if not data.get(name, "").strip():
            raise ApiError(400, "invalid_input", gettext("'%(field)s' is required.", field=name), {"field": name})
    req = TicketRequest(**{name: data.get(name) or ("P3" if name == "priority" else "") for name in FIELDS})
    s, who = site(), actor()
    if who.is_anonymous:
        raise ApiError(401, "unauthorized", gettext("Send 'Authorization: Bearer <api key>' to open tickets."))
    try:
        with s.db.write() as session:
            opened = open_or_repeat(s, session, who, req)
    except (TicketError, SaveError) as exc:
        raise ApiError(400, "invalid_input", gettext("The ticket was not opened."), {"messages": exc.messages})
    body = {"title": opened.title.prefixed, "revision_id": opened.revision_id, "created": opened.created}
    return jsonify(body), 201 if opened.created else 200
