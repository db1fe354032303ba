"""What the security package does on every request: end sessions idle for too long, keep
the namespace-rights overrides current, record each write made while impersonating, give
every response its security headers (``wiki.security.headers``), and answer rate-limited
requests with 429 (``too_many_requests``, the one answer every limited
path gives; ``limit`` counts a request of the current user or client address).

Idle time is ``[plugins.security] session_idle_minutes`` (default 30, for every role: a
help desk's staff screens are shared often enough that a short default is the safe one).
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, flash, render_template, request, session
from flask_babel import gettext
from flask_login import current_user

from wiki.permissions import Actor
from wiki.security import audit, headers, impersonation, ratelimit, rights
from wiki.security.ratelimit import RateLimited
from wiki.web.api import error_response
from wiki.web.auth import client_ip, end_session
from wiki.web.context import actor, db_session, site

bp = Blueprint("security", __name__)
DEFAULT_IDLE_MINUTES = 30
READ_METHODS = ("GET", "HEAD", "OPTIONS")


def idle_minutes() -> float:
    return float(site().settings.plugins.get("security", {}).get("session_idle_minutes", DEFAULT_IDLE_MINUTES))


@bp.before_app_request
def _keep_rights_current() -> None:
    if request.endpoint == "static":
        return
    state = current_app.extensions.setdefault("ticketwiki.security", {})
    state["rights_version"] = rights.refresh(site(), db_session(), state.get("rights_version"))


@bp.before_app_request
def _expire_idle_session() -> None:
    if not current_user.is_authenticated or "Authorization" in request.headers:
        return
    now = datetime.now(timezone.utc).timestamp()
    last = session.get("last_active")
    if last is not None and now - last > idle_minutes() * 60:
        who = actor()
        with site().db.write() as db:
            audit.record(db, "session.expired", actor=who, ip=client_ip(), detail=f"idle {int((now - last) // 60)} min")
        end_session()
        flash(gettext("You were signed out after a time without activity. Please sign in again."))
        return
    session["last_active"] = now


@bp.after_app_request
def _record_impersonated_writes(response):
    if request.method in READ_METHODS:
        return response
    who = actor()
    if who.impersonator_id is not None:
        with site().db.write() as db:
            impersonation.record_action(db, who, request.method, f"{request.full_path.rstrip('?')} -> {response.status_code}",
                                        ip=client_ip())
    return response


@bp.after_app_request
def _security_headers(response):
    headers.add_headers(site(), response)
    return response


def limit(name: str, who: Actor) -> None:
    """Count one request of ``who`` (or of this client address) under rule ``name``."""
    ratelimit.hit(site(), name, ratelimit.client_key(who, client_ip()))


def too_many_requests(exc: RateLimited, page: str | None = None):
    """The one answer to a request refused by a rate limit: 429, ``Retry-After`` and the
    message in the reader's language; JSON under ``/api/``, else ``page`` (a form shown
    again with what was typed in it) or the error page."""
    headers = {"Retry-After": str(exc.retry_after)}
    if request.path.startswith("/api/"):
        body, status = error_response(429, "rate_limited", str(exc), {"retry_after": exc.retry_after})
        return body, status, headers
    if page is None:
        page = render_template("error.html", page_title=gettext("Too many requests"), message=str(exc))
    return page, 429, headers


@bp.app_errorhandler(RateLimited)
def _rate_limited(exc: RateLimited):
    return too_many_requests(exc)
