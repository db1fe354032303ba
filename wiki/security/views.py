"""The user's own security pages: ``Special:PasswordReset``, ``ChangePassword``,
``ChangeEmail``, ``TwoFactor`` (with new backup codes), ``ApiKeys`` and ``Preferences``
(with "sign out everywhere else").

Views only carry the request to the services (which take the acting user) and render the
answer; a service's ``AccountError`` is shown on the form and nothing is saved.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from flask import flash, redirect, request
from flask_babel import gettext

from wiki.accounts import AccountError
from wiki.models import User
from wiki.security import apikeys, notify, ratelimit, resets, sessions, totp
from wiki.security.state import peek
from wiki.web.auth import client_ip, start_session
from wiki.web.skin import wiki_url


def signin_first(req):
    """A redirect to the sign-in page for anonymous visitors, else ``None``."""
    if req.actor.is_anonymous:
        return redirect(wiki_url("Special:UserLogin", returnto=request.full_path.rstrip("?")))
    return None


def limit_form(req) -> None:
    ratelimit.hit(req.site, "forms", ratelimit.client_key(req.actor, client_ip()))


def password_reset(req):
    token = request.values.get("token", "")
    if token:
        return _reset_with_token(req, token)
    if request.method == "POST":
        ratelimit.hit(req.site, "reset", client_ip())
        try:
            with req.site.db.write() as session:
                resets.request_reset(req.site, session, request.form.get("name", ""), ip=client_ip())
        except AccountError as exc:
            return "security/password_reset.html", {"error": str(exc), "sent": False, "token": ""}
        return "security/password_reset.html", {"sent": True, "token": ""}
    return "security/password_reset.html", {"sent": False, "token": ""}


def _reset_with_token(req, token: str):
    ctx = {"token": token, "sent": False, "page_title": gettext("Choose a new password")}
    if request.method == "POST":
        ratelimit.hit(req.site, "reset", client_ip())
        password = request.form.get("password", "")
        if password != request.form.get("password2", ""):
            return "security/password_reset.html", {**ctx, "error": gettext("The two passwords differ.")}
        try:
            with req.site.db.write() as session:
                resets.complete_reset(req.site, session, token, password, ip=client_ip())
        except (AccountError, resets.TokenError) as exc:
            return "security/password_reset.html", {**ctx, "error": str(exc)}
        flash(gettext("Your password is set. Sign in with it now."))
        return redirect(wiki_url("Special:UserLogin"))
    try:
        resets.peek(req.session, token, ("reset", "setpassword"))
    except resets.TokenError as exc:
        return "security/password_reset.html", {**ctx, "token": "", "error": str(exc)}
    return "security/password_reset.html", ctx


def change_password(req):
    if (response := signin_first(req)) is not None:
        return response
    if request.method == "POST":
        limit_form(req)
        new = request.form.get("password", "")
        if new != request.form.get("password2", ""):
            return "security/change_password.html", {"error": gettext("The two new passwords differ.")}
        try:
            with req.site.db.write() as session:
                resets.change_password(req.site, session, req.actor, request.form.get("current", ""), new,
                                       ip=client_ip())
        except AccountError as exc:
            return "security/change_password.html", {"error": str(exc)}
        start_session(req.session.get(User, req.actor.user_id), req.actor)
        flash(gettext("Your password was changed; your other sessions are signed out."))
        return redirect(wiki_url("Special:Preferences"))
    return "security/change_password.html", {}


def change_email(req):
    token = request.args.get("token", "")
    if token:
        try:
            with req.site.db.write() as session:
                user = resets.confirm_email_change(req.site, session, token, ip=client_ip())
                address = user.email
        except resets.TokenError as exc:
            return "security/change_email.html", {"error": str(exc), "current": None}
        flash(gettext("Your email address is now %(address)s.", address=address))
        return redirect(wiki_url("Special:Preferences"))
    if (response := signin_first(req)) is not None:
        return response
    current = req.session.get(User, req.actor.user_id).email
    if request.method == "POST":
        limit_form(req)
        try:
            with req.site.db.write() as session:
                resets.request_email_change(req.site, session, req.actor, request.form.get("password", ""),
                                            request.form.get("email", ""), ip=client_ip())
        except AccountError as exc:
            return "security/change_email.html", {"error": str(exc), "current": current}
        return "security/change_email.html", {"sent": request.form.get("email", "").strip(), "current": current}
    return "security/change_email.html", {"current": current}


def two_factor(req):
    if (response := signin_first(req)) is not None:
        return response
    s, who = req.site, req.actor
    action = request.form.get("action", "")
    ctx: dict = {}
    if request.method == "POST":
        limit_form(req)
        try:
            with s.db.write() as session:
                if action == "begin":
                    secret = totp.begin_enrolment(session, who)
                    ctx = _enrolment(s, who.name, secret)
                elif action == "confirm":
                    ctx = {"backup_codes": totp.confirm_enrolment(s, session, who, request.form.get("code", ""),
                                                                  ip=client_ip())}
                elif action == "disable":
                    totp.disable(s, session, who, request.form.get("code", ""), ip=client_ip())
                    flash(gettext("Two-factor sign-in is off."))
                elif action == "regenerate":
                    ctx = {"backup_codes": totp.regenerate_backup_codes(s, session, who, request.form.get("code", ""),
                                                                        ip=client_ip()), "regenerated": True}
                else:
                    raise AccountError(gettext("Unknown action %(action)s.", action=action))
        except AccountError as exc:
            ctx = {"error": str(exc)}
            if action == "confirm":
                state = peek(req.session, who.user_id)
                if state is not None and state.totp_secret:
                    ctx.update(_enrolment(s, who.name, state.totp_secret))
    req.session.rollback()  # end the read snapshot: show what was just written
    ctx.setdefault("enabled", totp.is_enabled(req.session, who.user_id))
    ctx.setdefault("remaining", totp.remaining_backup_codes(req.session, who.user_id))
    ctx["impersonating"] = who.impersonator_id is not None
    return "security/two_factor.html", ctx


def _enrolment(s, name: str, secret: str) -> dict:
    uri = totp.provisioning_uri(s, name, secret)
    return {"enrolling": True, "secret": secret, "qr_svg": totp.qr_svg(uri), "uri": uri}


def _expiry(text: str) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise AccountError(gettext("The expiry date '%(text)s' is not a date (YYYY-MM-DD).", text=text)) from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc)


def api_keys(req):
    if (response := signin_first(req)) is not None:
        return response
    ctx: dict = {}
    if request.method == "POST":
        limit_form(req)
        try:
            with req.site.db.write() as session:
                if request.form.get("action") == "revoke":
                    key = apikeys.revoke(session, req.actor, request.form.get("key_id", type=int) or 0, ip=client_ip())
                    flash(gettext("The key %(key)s is revoked.", key=key.prefix))
                else:
                    key, token = apikeys.create(session, req.actor, request.form.get("scope", "read"),
                                                _expiry(request.form.get("expires", "")),
                                                request.form.get("label", ""), ip=client_ip())
                    ctx = {"new_token": token, "new_key": key.prefix}
        except AccountError as exc:
            ctx = {"error": str(exc)}
    everyone = req.actor.is_admin and request.args.get("all") == "1"
    req.session.rollback()  # end the read snapshot: show what was just written
    ctx["keys"] = apikeys.visible_keys(req.session, req.actor, everyone=everyone)
    ctx["everyone"] = everyone
    ctx["now"] = datetime.now(timezone.utc)
    return "security/api_keys.html", ctx


def preferences(req):
    if (response := signin_first(req)) is not None:
        return response
    if request.method == "POST" and request.form.get("action") == "sign_out_elsewhere":
        return _sign_out_elsewhere(req)
    if request.method == "POST":
        limit_form(req)
        wanted = {category: request.form.get(f"email_{category}") == "1" for category in notify.CATEGORIES}
        with req.site.db.write() as session:
            notify.set_preferences(session, req.actor, wanted, ip=client_ip())
        flash(gettext("Your notification preferences are saved."))
        return redirect(wiki_url("Special:Preferences"))
    user = req.session.get(User, req.actor.user_id)
    return "security/preferences.html", {
        "prefs": notify.preferences(req.session, req.actor.user_id), "categories": notify.CATEGORIES,
        "user": user, "two_factor": totp.is_enabled(req.session, req.actor.user_id),
    }


def _sign_out_elsewhere(req):
    limit_form(req)
    try:
        with req.site.db.write() as session:
            sessions.sign_out_elsewhere(session, req.actor, ip=client_ip())
    except AccountError as exc:
        flash(str(exc))
        return redirect(wiki_url("Special:Preferences"))
    start_session(req.session.get(User, req.actor.user_id), req.actor)
    flash(gettext("You are signed out everywhere else; this browser stays signed in."))
    return redirect(wiki_url("Special:Preferences"))
