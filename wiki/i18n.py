"""Translations of the user interface (Flask-Babel): English, Arabic (right to left), Chinese.

The interface language is, in order: ``?uselang=`` (kept in the session), the signed-in
user's preference, the browser's Accept-Language, the site default.  Page text has its own
language (``pages.language``) and direction, independent of the interface.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel

from wiki.web.context import actor, site

SUPPORTED = ("en", "ar", "zh")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def select_locale() -> str:
    asked = request.args.get("uselang")
    if asked in SUPPORTED:
        session["uselang"] = asked
        return asked
    if session.get("uselang") in SUPPORTED:
        return session["uselang"]
    preferred = getattr(actor(), "language", None)
    if preferred in SUPPORTED:
        return preferred
    default = site().settings.default_language
    return request.accept_languages.best_match(SUPPORTED, default=default if default in SUPPORTED else "en")


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_locale)
