"""Signing in and out (flask-login), and the ``Special:UserLogin`` / ``UserLogout`` pages."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, Flask, flash, redirect, render_template, request
from flask_login import LoginManager, UserMixin, login_user, logout_user
from sqlalchemy import select

from wiki.accounts import actor_for, find_user, verify_password
from wiki.models import User
from wiki.web.context import site

bp = Blueprint("auth", __name__)


class LoginUser(UserMixin):
    """The signed-in user as flask-login sees it; ``actor`` is what the policy sees."""

    def __init__(self, user: User):
        self.id = str(user.id)
        self.name = user.name
        self.actor = actor_for(user)


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "pages.view"
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(user_id: str):
        with site().db.read() as session:
            user = session.scalar(select(User).where(User.id == int(user_id)))
            return LoginUser(user) if user is not None and not user.disabled else None


def _safe_next(target: str | None) -> str:
    """Only same-site paths may be returned to after signing in."""
    if not target:
        return "/wiki/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/wiki/"
    return target


def user_login(req):
    error = None
    name = ""
    if request.method == "POST":
        name = request.form.get("username", "")
        password = request.form.get("password", "")
        with site().db.read() as session:
            user = find_user(session, name)
            ok = user is not None and not user.disabled and verify_password(user, password)
            if ok:
                login_user(LoginUser(user), remember=bool(request.form.get("remember")))
                return redirect(_safe_next(request.form.get("returnto")))
        error = "Incorrect user name or password."
    return render_template(
        "login.html", error=error, name=name, returnto=_safe_next(request.values.get("returnto")),
        page_title="Sign in",
    ), (401 if error else 200)


def user_logout(req):
    if request.method == "POST":
        logout_user()
        flash("You are now signed out.")
        return redirect("/wiki/")
    return render_template("logout.html", page_title="Sign out")
