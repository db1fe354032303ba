"""``Special:UserRights``: admins list users (filtered by role, status and name or email,
paged) and, on ``Special:UserRights/<name>``, change a user's role and groups or disable
and re-enable them.  The rules and the logging live in ``wiki.security.users``."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_babel import gettext
from sqlalchemy import select

from wiki.accounts import AccountError
from wiki.models import Account
from wiki.permissions import ROLES
from wiki.security import groups, users
from wiki.security.views import limit_form
from wiki.web.auth import client_ip
from wiki.web.skin import wiki_url


def user_rights(req):
    if req.subpage:
        return _one_user(req, req.subpage)
    args = request.args
    listing = users.search(req.session, req.actor, role=args.get("role", ""), status=args.get("status", ""),
                           text=args.get("q", ""), offset=args.get("offset", 0, type=int) or 0)
    account_ids = {u.account_id for u in listing.users if u.account_id is not None}
    accounts = dict(req.session.execute(select(Account.id, Account.name).where(Account.id.in_(account_ids))).all()) \
        if account_ids else {}
    return "security/users.html", {"listing": listing, "accounts": accounts, "roles": ROLES,
                                   "statuses": users.STATUSES, "args": args}


def _apply(req, db, name: str, action: str) -> str:
    """Carry out one posted change; returns the message to flash."""
    form, ip = request.form, client_ip()
    user = users.user_named(db, req.actor, name)
    reason = form.get("reason", "").strip()[:200]
    if action == "disable":
        users.disable(db, req.actor, user, reason=reason, ip=ip)
        return gettext("%(name)s is disabled and signed out everywhere.", name=user.name)
    if action == "enable":
        users.enable(db, req.actor, user, reason=reason, ip=ip)
        return gettext("%(name)s may sign in again.", name=user.name)
    if action == "rights":
        changed = users.set_role(db, req.actor, user, form.get("role", user.role), reason=reason, ip=ip)
        changed = users.set_groups(db, req.actor, user, set(form.getlist("groups"))) or changed
        return gettext("The rights of %(name)s are saved.", name=user.name) if changed else gettext("Nothing changed.")
    raise AccountError(gettext("Unknown action %(action)s.", action=action))


def _one_user(req, name: str):
    ctx: dict = {}
    if request.method == "POST":
        limit_form(req)
        try:
            with req.site.db.write() as db:
                message = _apply(req, db, name, request.form.get("action", ""))
            flash(message)
            return redirect(wiki_url(f"Special:UserRights/{name}"))
        except AccountError as exc:
            ctx["error"] = str(exc)
    req.session.rollback()  # end the read snapshot: show what was just written
    try:
        user = users.user_named(req.session, req.actor, name)
    except AccountError as exc:
        abort(404, str(exc))
    return "security/user_rights.html", {
        **ctx, "user": user, "roles": ROLES, "all_groups": groups.all_groups(req.session),
        "member_of": groups.group_names(req.session, user.id),
        "account": req.session.get(Account, user.account_id) if user.account_id else None,
        "page_title": gettext("User rights: %(name)s", name=user.name),
    }
