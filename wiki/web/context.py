"""Per-request state: the site, a read session, and the acting user."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy.orm import Session

from wiki.permissions import ANONYMOUS, Actor
from wiki.site import Site


def site() -> Site:
    return current_app.extensions["ticketwiki"]


def db_session() -> Session:
    """The request's read session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = site().db._read()
    return g.db_session


def actor() -> Actor:
    """The API key's user if the request carried one, else the signed-in user, else anonymous."""
    if "actor" in g:
        return g.actor
    if current_user and current_user.is_authenticated:
        return current_user.actor
    return ANONYMOUS


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
