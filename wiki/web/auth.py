"""Signing in and out (flask-login): ``Special:UserLogin`` (password, then the second factor
when the user has one) and ``Special:UserLogout``.

The services in ``wiki.security.signin`` decide; this module only carries the request:
rate limits per client address, the half-signed-in state between the two steps (in the
session, for five minutes), the device cookie, and the browser's server-side session
(``wiki.security.sessions``): its secret is the flask-login id, so the user loader, the
session cookie and the remember-me cookie all stop working when the session ends.  In a
"sign in as customer" session the ``Actor`` names the staff member as ``impersonator``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlparse

from flask import Blueprint, Flask, flash, make_response, redirect, render_template, request, session
from flask_babel import gettext
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from wiki.accounts import actor_for
from wiki.models import User
from wiki.permissions import Actor
from wiki.security import audit, devices, impersonation, ratelimit, sessions, signin
from wiki.web.context import actor, site

bp = Blueprint("auth", __name__)
PENDING = "pending_second_factor"
PENDING_SECONDS = 300


class LoginUser(UserMixin):
    """The signed-in user as flask-login sees it (``id`` is the session's secret);
    ``actor`` is what the policy sees."""

    def __init__(self, secret: str, user: User, acting: Actor):
        self.id = secret
        self.name = user.name
        self.actor = acting


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "pages.view"
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(secret: str):
        """The user of a live session, unless they (or the staff acting for them) are disabled."""
        with site().db.read() as db:
            live = sessions.find(db, secret)
            if live is None or live.user.disabled:
                return None
            if live.impersonator is None:
                return LoginUser(secret, live.user, actor_for(live.user, session=db))
            if live.impersonator.disabled:
                return None
            return LoginUser(secret, live.user, impersonation.acting_actor(db, live.user, live.impersonator))


def client_ip() -> str:
    return request.remote_addr or ""


def _safe_next(target: str | None) -> str:
    """Only same-site paths may be returned to after signing in."""
    if not target:
        return "/wiki/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/wiki/"
    return target


def start_session(user: User, acting: Actor, remember: bool = False, impersonator: User | None = None) -> None:
    """Sign ``user`` in to this browser in a new server-side session (and a fresh cookie
    session: no fixation); the browser's previous session, if any, ends."""
    with site().db.write() as db:
        if current_user.is_authenticated:
            sessions.end(db, current_user.id)
        secret = sessions.start(db, user.id, impersonator_id=impersonator.id if impersonator else None,
                                remember=remember, ip=client_ip(), user_agent=request.headers.get("User-Agent", ""))
    session.clear()
    login_user(LoginUser(secret, user, acting), remember=remember, duration=sessions.REMEMBER_LIFETIME)
    session["last_active"] = datetime.now(timezone.utc).timestamp()


def _finish(user_id: int, remember: bool, returnto: str):
    s = site()
    now = datetime.now(timezone.utc)
    with s.db.write() as db:
        cookie = signin.complete(s, db, user_id, client_ip(), request.headers.get("User-Agent", ""),
                                 request.cookies.get(devices.COOKIE), now)
        user = db.get(User, user_id)
        acting = actor_for(user, session=db)
    start_session(user, acting, remember)
    response = make_response(redirect(_safe_next(returnto)))
    if cookie:
        response.set_cookie(devices.COOKIE, cookie, max_age=devices.COOKIE_DAYS * 86400, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    return response


def _render(template: str, status: int = 200, **ctx):
    ctx.setdefault("page_title", gettext("Sign in"))
    return render_template(template, **ctx), status


def _raise_if_delayed(outcome: signin.Outcome) -> None:
    """Checks that must wait are answered like the per-address limit: 429 with ``Retry-After``."""
    if outcome.retry_after:
        raise ratelimit.RateLimited("signin", outcome.retry_after)


def user_login(req):
    if request.method != "POST":
        return _render("login.html", name="", error=None, returnto=_safe_next(request.values.get("returnto")))
    s = site()
    now = datetime.now(timezone.utc)
    returnto = _safe_next(request.form.get("returnto"))
    pending = session.get(PENDING)
    if "code" in request.form and pending:
        ratelimit.hit(s, "second_factor", client_ip())
        if now.timestamp() - pending["at"] > PENDING_SECONDS:
            session.pop(PENDING, None)
            return _render("login.html", 401, name="", returnto=returnto,
                           error=gettext("The sign-in took too long; enter your password again."))
        with s.db.write() as db:
            outcome = signin.check_second_factor(s, db, pending["user_id"], request.form.get("code", ""),
                                                 client_ip(), request.cookies.get(devices.COOKIE), now)
        _raise_if_delayed(outcome)
        if outcome.ok:
            session.pop(PENDING, None)
            return _finish(outcome.user_id, pending["remember"], pending["returnto"])
        if not outcome.needs_second_factor:
            session.pop(PENDING, None)
            return _render("login.html", 401, name="", returnto=returnto, error=outcome.error)
        return _render("security/second_factor.html", 401, error=outcome.error)
    ratelimit.hit(s, "signin", client_ip())
    name = request.form.get("username", "")
    with s.db.write() as db:
        outcome = signin.check_password(s, db, name, request.form.get("password", ""), client_ip(),
                                        request.cookies.get(devices.COOKIE), now)
    _raise_if_delayed(outcome)
    if not outcome.ok:
        return _render("login.html", 401, name=name, returnto=returnto, error=outcome.error)
    remember = bool(request.form.get("remember"))
    if outcome.needs_second_factor:
        session[PENDING] = {"user_id": outcome.user_id, "remember": remember, "returnto": returnto,
                            "at": now.timestamp()}
        return _render("security/second_factor.html", error=None)
    return _finish(outcome.user_id, remember, returnto)


def end_session() -> None:
    """Sign this browser out: its server-side session ends, then its cookies are cleared."""
    if current_user.is_authenticated:
        with site().db.write() as db:
            sessions.end(db, current_user.id)
    logout_user()
    session.clear()


def user_logout(req):
    if request.method == "POST":
        who = actor()
        if current_user.is_authenticated:
            with site().db.write() as db:
                if who.impersonator_id is not None:
                    impersonation.stop(db, who, client_ip())
                audit.record(db, "signout", actor=who, ip=client_ip())
        end_session()
        flash(gettext("You are now signed out."))
        return redirect("/wiki/")
    return render_template("logout.html", page_title=gettext("Sign out"))
