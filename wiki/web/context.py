"""Per-request state: the site, a read session, and the acting user."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from wiki.models import Page
from wiki.permissions import ANONYMOUS, Actor
from wiki.site import Site
from wiki.titles import Title


def site() -> Site:
    return current_app.extensions["ticketwiki"]


def db_session() -> Session:
    """The request's read session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = site().db._read()
    return g.db_session


def pages(titles: Iterable[Title]) -> dict[tuple[int, str], Page]:
    """The pages (deleted ones too) with these titles, looked up once per request and kept.

    A page view asks about the same few pages from several places (the view, the tab bar,
    plugins' sections); this answers them with one query.
    """
    known: dict[tuple[int, str], Page | None] = g.setdefault("pages_by_title", {})
    missing = [t.key for t in titles if t.key not in known]
    if missing:
        rows = db_session().scalars(select(Page).where(tuple_(Page.namespace, Page.title).in_(missing)))
        found = {(p.namespace, p.title): p for p in rows}
        for key in missing:
            known[key] = found.get(key)
    return {t.key: known[t.key] for t in titles if known[t.key] is not None}


def with_subject_and_talk(title: Title) -> list[Title]:
    """``title`` and its subject and talk pages: what a page view and its tab bar ask about."""
    titles = site().titles
    return [t for t in (title, titles.subject_page(title), titles.talk_page(title)) if t is not None]


def page(title: Title) -> Page | None:
    """``pages`` for one title."""
    return pages([title]).get(title.key)


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
