"""Requests whose text is not text: bytes that are not UTF-8, or NUL, in the query string or
a URL-encoded form.

Werkzeug turns bytes it cannot decode back into percent escapes, so a form field sent as
the bytes ``FF FE FD`` would be saved as the nine characters ``%FF%FE%FD``, and PostgreSQL
refuses NUL in text with an error.  Every request is checked on its raw bytes before the
views (and the CSRF check, which reads the form) see it, and a bad one gets a 400 naming
the fields.  A view that answers such a request itself, as the edit form does (it comes
back with the text, undecodable bytes shown as U+FFFD), is marked ``@checks_own_encoding``,
reads ``undecodable_fields()`` and calls ``refuse_bad_text()`` on its other paths; NUL
reaches it as it was sent, for the page services to refuse.  Multipart forms are decoded by Werkzeug with U+FFFD for bad bytes and not checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, current_app, g, request
from flask_babel import gettext

_OWN = "checks_own_encoding"
View = TypeVar("View", bound=Callable)


def checks_own_encoding(view: View) -> View:
    """Mark ``view`` as answering requests with undecodable fields itself."""
    setattr(view, _OWN, True)
    return view


def _fields(raw: bytes) -> list[tuple[bytes, bytes]]:
    pairs = []
    for part in raw.split(b"&"):
        if part:
            name, _, value = part.partition(b"=")
            pairs.append((unquote_to_bytes(name.replace(b"+", b" ")), unquote_to_bytes(value.replace(b"+", b" "))))
    return pairs


def _problems(raw: bytes) -> tuple[dict[str, str], set[str]]:
    """The fields of URL-encoded ``raw`` that are not UTF-8 (decoded with U+FFFD for the bad
    bytes) and the names of those that hold NUL."""
    undecodable: dict[str, str] = {}
    with_nul: set[str] = set()
    for name, value in _fields(raw):
        shown = name.decode("utf-8", "replace")
        try:
            name.decode("utf-8"), value.decode("utf-8")
        except UnicodeDecodeError:
            undecodable[shown] = value.decode("utf-8", "replace")
        if b"\x00" in name or b"\x00" in value:
            with_nul.add(shown)
    return undecodable, with_nul


def undecodable_fields() -> dict[str, str]:
    """The request's fields that are not UTF-8, each with its value as far as it can be read."""
    return g.get("undecodable_fields", {})


def refuse_bad_text() -> None:
    """Answer 400 if the request has fields that are not UTF-8 or hold NUL."""
    undecodable, with_nul = undecodable_fields(), g.get("fields_with_nul", set())
    names = ", ".join(repr(name.replace("\x00", "\\0")) for name in sorted(set(undecodable) | with_nul))
    if undecodable:
        abort(400, gettext("Bytes that are not UTF-8 text were sent in %(names)s; send the request in UTF-8.",
                           names=names))
    if with_nul:
        abort(400, gettext("NUL characters (U+0000), which are not text, were sent in %(names)s.", names=names))


def _check_request() -> None:
    raw = request.query_string
    if request.mimetype == "application/x-www-form-urlencoded":
        raw += b"&" + request.get_data(cache=True)
    g.undecodable_fields, g.fields_with_nul = _problems(raw)
    if not getattr(current_app.view_functions.get(request.endpoint), _OWN, False):
        refuse_bad_text()


def init_app(app: Flask) -> None:
    """Check every request; call before anything that reads the form (CSRF protection)."""
    app.before_request(_check_request)
