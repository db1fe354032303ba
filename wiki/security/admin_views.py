"""Pages for admins and staff: ``Special:Groups``, ``Special:NamespaceRights``,
``Special:AuditLog``, ``Special:Accounts`` and the "sign in as customer" switch
(``Special:Impersonate``; ``Special:StopImpersonating`` returns to the staff member)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import abort, flash, redirect, request
from flask_babel import gettext
from sqlalchemy import select

from wiki.accounts import AccountError, actor_for, find_user
from wiki.models import User
from wiki.namespaces import ACTIONS
from wiki.permissions import PermissionDenied
from wiki.portal import customers
from wiki.security import audit, groups, impersonation, rights
from wiki.security.views import limit_form, signin_first
from wiki.web.auth import client_ip, start_session
from wiki.web.skin import wiki_url


def groups_page(req):
    ctx: dict = {}
    if request.method == "POST":
        limit_form(req)
        form, action = request.form, request.form.get("action", "")
        try:
            with req.site.db.write() as db:
                if action == "create":
                    groups.create(db, req.actor, form.get("name", ""), form.get("description", ""),
                                  form.getlist("rights"))
                elif action == "delete":
                    groups.delete_group(db, req.actor, form.get("name", ""))
                elif action == "add":
                    groups.add_member(db, req.actor, form.get("name", ""), form.get("user", ""))
                elif action == "remove":
                    groups.remove_member(db, req.actor, form.get("name", ""), form.get("user", ""))
                else:
                    raise AccountError(gettext("Unknown action %(action)s.", action=action))
            flash(gettext("Saved."))
            return redirect(wiki_url("Special:Groups"))
        except AccountError as exc:
            ctx["error"] = str(exc)
    req.session.rollback()
    listing = [(g, groups.members(req.session, g)) for g in groups.all_groups(req.session)]
    return "security/groups.html", {**ctx, "groups": listing, "site_rights": groups.SITE_RIGHTS}


def namespace_rights(req):
    ctx: dict = {}
    if request.method == "POST":
        limit_form(req)
        try:
            namespace = int(request.form.get("namespace", ""))
        except ValueError:
            abort(400, gettext("The namespace must be a number."))
        action = request.form.get("right", "")
        try:
            with req.site.db.write() as db:
                roles = None if request.form.get("reset") else rights.parse_roles(db, request.form.get("roles", ""))
                rights.set_right(req.site, db, req.actor, namespace, action, roles,
                                 reason=request.form.get("reason", ""), ip=client_ip())
            flash(gettext("The rights are saved."))
            return redirect(wiki_url("Special:NamespaceRights"))
        except AccountError as exc:
            ctx["error"] = str(exc)
    req.session.rollback()
    rights.load(req.site, req.session)
    rows = [(ns, [(a, req.site.policy.roles_for(ns, a), (ns.number, a) in req.site.policy.overrides)
                  for a in ACTIONS]) for ns in req.site.namespaces if ns.number >= 0]
    return "security/namespace_rights.html", {**ctx, "rows": rows, "actions": ACTIONS}


def _day(text: str, field: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        abort(400, gettext("%(field)s must be a date (YYYY-MM-DD), not '%(text)s'.", field=field, text=text))


def audit_log(req):
    args = request.args
    user_id = None
    if args.get("user"):
        user = find_user(req.session, args["user"])
        if user is None:
            return "security/audit_log.html", {"error": gettext("There is no user named %(name)r.", name=args["user"]),
                                               "events": [],
                                               "names": audit.EVENTS, "args": args}
        user_id = user.id
    until = _day(args.get("until", ""), "until")
    events = audit.search(req.session, event=args.get("event") or None, user_id=user_id,
                          account_id=args.get("account", type=int), since=_day(args.get("since", ""), "since"),
                          until=until + timedelta(days=1) if until else None,
                          limit=max(1, min(args.get("limit", 200, type=int) or 200, 1000)))
    return "security/audit_log.html", {"events": events, "names": audit.EVENTS, "args": args,
                                       "users": _names(req.session, events)}


def _names(db, events) -> dict[int, str]:
    ids = {i for e in events for i in (e.user_id, e.actor_id) if i is not None}
    return dict(db.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}


def accounts_page(req):
    if req.subpage:
        return _account_detail(req, req.subpage)
    ctx: dict = {}
    if request.method == "POST":
        limit_form(req)
        form = request.form
        try:
            with req.site.db.write() as db:
                account = customers.create_account(req.site, db, req.actor, form.get("name", ""),
                                                   form.get("kind", "individual"), form.get("contact", ""),
                                                   form.get("email", ""), ip=client_ip())
                account_id = account.id
            flash(gettext("The account is created; its primary contact was mailed a link to set a password."))
            return redirect(wiki_url(f"Special:Accounts/{account_id}"))
        except AccountError as exc:
            ctx["error"] = str(exc)
    req.session.rollback()
    return "security/accounts.html", {**ctx, "accounts": customers.all_accounts(req.session, req.actor,
                                                                                request.args.get("prefix", "")),
                                      "kinds": customers.KINDS}


def _account_detail(req, subpage: str):
    try:
        account_id = int(subpage)
    except ValueError:
        abort(404, gettext("There is no account '%(name)s'; accounts are numbered.", name=subpage))
    account = customers.account_for(req.session, req.actor, account_id)
    contacts = customers.contacts(req.session, account_id)
    return "security/account.html", {
        "account": account, "contacts": contacts,
        "removable": customers.removable(req.session, req.actor, account, contacts),
        "sites": customers.sites(req.session, account_id),
        "may_impersonate": impersonation.may_impersonate(req.session, req.actor),
        "may_manage": customers.may_manage(req.session, req.actor, account),
        "events": audit.search(req.session, account_id=account_id, limit=50), "names": audit.EVENTS,
        "page_title": gettext("Account: %(name)s", name=account.name),
    }


def impersonate(req):
    if (response := signin_first(req)) is not None:
        return response
    if request.method != "POST":
        abort(405, gettext("Sign in as a customer with the button on the account's page."))
    with req.site.db.write() as db:
        customer = impersonation.start(db, req.actor, request.form.get("user_id", type=int) or 0, ip=client_ip())
        staff = db.get(User, req.actor.user_id)
        acting = impersonation.acting_actor(db, customer, staff)
    start_session(customer, acting, impersonator=staff)
    flash(gettext("You are now signed in as %(name)s. Everything you do is recorded as done by you for them.",
                  name=customer.name))
    return redirect("/portal/")


def stop_impersonating(req):
    who = req.actor
    if request.method != "POST" or who.impersonator_id is None:
        abort(400, gettext("You are not signed in as a customer."))
    with req.site.db.write() as db:
        impersonation.stop(db, who, ip=client_ip())
        staff = db.get(User, who.impersonator_id)
        if staff is None or staff.disabled:
            raise PermissionDenied(gettext("Your own account is no longer active."))
        acting = actor_for(staff, session=db)
    start_session(staff, acting)
    flash(gettext("You are back to your own account."))
    return redirect(wiki_url(f"Special:Accounts/{who.account_id}") if who.account_id else "/wiki/")
