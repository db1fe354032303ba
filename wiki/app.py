"""The Flask app factory: one site, its plugins' blueprints, sign-in and CSRF protection.

The blueprints of every plugin that config.toml does not switch off are registered once;
a request to one whose plugin an admin switched off answers 404, as if it were not installed
(Flask cannot take routes away from a running app, and every process must agree).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, abort, request
from flask_wtf.csrf import CSRFProtect

from wiki import i18n
from wiki.config import load_settings
from wiki.plugins import EntryPoints
from wiki.site import Site, create_site
from wiki.web import api, auth, context, encoding, pages, skin

SKIN = Path(__file__).resolve().parent / "skin"


def create_app(config: dict[str, Any] | None = None, plugins: Iterable[Any] = (), site: Site | None = None,
               entry_points: EntryPoints = EntryPoints.ALL) -> Flask:
    """Build the web app.  ``config`` overrides settings (see ``wiki.config.Settings``)."""
    if site is None:
        site = create_site(load_settings(overrides=config), plugins=plugins, entry_points=entry_points)
    app = Flask(__name__, template_folder=str(SKIN / "templates"), static_folder=str(SKIN / "static"),
                static_url_path="/static")
    app.config.update(
        SECRET_KEY=site.settings.secret_key,
        TESTING=site.settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=site.settings.base_url.startswith("https"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=site.settings.base_url.startswith("https"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.extensions["ticketwiki"] = site
    encoding.init_app(app)  # first: it reads the raw form, which the CSRF check would consume
    csrf = CSRFProtect(app)
    context.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    skin.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(auth.bp)
    owners: dict[str, str] = {}
    for owner, blueprint in [("core", api.bp), *site.plugins.blueprints()]:
        app.register_blueprint(blueprint)
        owners[blueprint.name] = owner
        if getattr(blueprint, "is_api", False):
            csrf.exempt(blueprint)  # the API checks its own: bearer keys, or X-CSRFToken for sessions

    @app.before_request
    def _switched_off_routes():
        if request.endpoint == "static":
            return
        switched_off = site.plugins.refresh().switched_off
        if request.blueprints and owners.get(request.blueprints[-1]) in switched_off:
            abort(404)

    return app
