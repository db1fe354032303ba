"""The self-care portal blueprint: ``/portal/`` (home), ``/portal/account`` (contacts and
sites of the customer's own account), ``/portal/activity`` (the account's activity log),
and the forms that add and remove contacts and sites and change the primary contact (used
by the portal and by staff's ``Special:Accounts/<id>``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext

from wiki.accounts import AccountError
from wiki.models import Account
from wiki.permissions import STAFF_SIDE, PermissionDenied
from wiki.portal import customers
from wiki.security import audit, ratelimit
from wiki.web.auth import client_ip
from wiki.web.context import actor, db_session, site
from wiki.web.skin import wiki_url

bp = Blueprint("portal", __name__, url_prefix="/portal")


def _customer():
    """The signed-in customer, or a redirect/abort for everyone else."""
    who = actor()
    if who.is_anonymous:
        return who, redirect(wiki_url("Special:UserLogin", returnto=request.full_path.rstrip("?")))
    if who.account_id is None:
        if who.role in STAFF_SIDE:
            return who, redirect(wiki_url("Special:Accounts"))
        abort(403, gettext("The portal is for customers with an account."))
    return who, None


@bp.get("/")
def home():
    who, response = _customer()
    if response is not None:
        return response
    account = db_session().get(Account, who.account_id)
    return render_template("portal/home.html", account=account, page_title=gettext("My account"))


@bp.get("/account")
def account():
    who, response = _customer()
    if response is not None:
        return response
    row = customers.account_for(db_session(), who, who.account_id)
    contacts = customers.contacts(db_session(), row.id)
    return render_template("portal/account.html", account=row, contacts=contacts,
                           removable=customers.removable(db_session(), who, row, contacts),
                           sites=customers.sites(db_session(), row.id),
                           may_manage=customers.may_manage(db_session(), who, row),
                           is_primary=customers.is_primary(db_session(), who, row.id),
                           page_title=gettext("Account: %(name)s", name=row.name))


@bp.get("/activity")
def activity():
    who, response = _customer()
    if response is not None:
        return response
    events = audit.activity(db_session(), who)
    return render_template("portal/activity.html", events=events, names=audit.EVENTS,
                           page_title=gettext("Account activity"))


def _back(account_id: int):
    who = actor()
    return redirect("/portal/account" if who.account_id == account_id else wiki_url(f"Special:Accounts/{account_id}"))


@bp.post("/accounts/<int:account_id>/contacts")
def add_contact(account_id: int):
    who = actor()
    if who.is_anonymous:
        raise PermissionDenied(gettext("Sign in to add contacts."))
    ratelimit.hit(site(), "forms", f"user:{who.user_id}")
    try:
        with site().db.write() as db:
            user = customers.add_contact(site(), db, who, account_id, request.form.get("name", ""),
                                         request.form.get("email", ""), ip=client_ip())
            flash(gettext("%(name)s was added and mailed a link to set a password.", name=user.name))
    except AccountError as exc:
        flash(gettext("The contact was not added: %(reason)s", reason=exc))
    return _back(account_id)


@bp.post("/accounts/<int:account_id>/sites")
def add_site(account_id: int):
    who = actor()
    if who.is_anonymous:
        raise PermissionDenied(gettext("Sign in to add sites."))
    ratelimit.hit(site(), "forms", f"user:{who.user_id}")
    try:
        with site().db.write() as db:
            row = customers.add_site(db, who, account_id, request.form.get("label", ""),
                                     request.form.get("address", ""), ip=client_ip())
            flash(gettext("The site %(label)s was added.", label=row.label))
    except AccountError as exc:
        flash(gettext("The site was not added: %(reason)s", reason=exc))
    return _back(account_id)


def _change(account_id: int, change, done: str):
    """Run one staff/primary-contact change of the account and go back to its page."""
    who = actor()
    if who.is_anonymous:
        raise PermissionDenied(gettext("Sign in to manage accounts."))
    ratelimit.hit(site(), "forms", f"user:{who.user_id}")
    try:
        with site().db.write() as db:
            name = change(db, who)
        flash(done % {"name": name})
    except AccountError as exc:
        flash(gettext("Nothing was changed: %(reason)s", reason=exc))
    return _back(account_id)


@bp.post("/accounts/<int:account_id>/contacts/<int:user_id>/remove")
def remove_contact(account_id: int, user_id: int):
    return _change(account_id, lambda db, who: customers.remove_contact(db, who, account_id, user_id,
                                                                        ip=client_ip()).name,
                   gettext("%(name)s is no longer a contact of this account."))


@bp.post("/accounts/<int:account_id>/contacts/<int:user_id>/primary")
def make_primary(account_id: int, user_id: int):
    return _change(account_id, lambda db, who: customers.set_primary(db, who, account_id, user_id,
                                                                     ip=client_ip()).name,
                   gettext("%(name)s is now the primary contact."))


@bp.post("/accounts/<int:account_id>/sites/<int:site_id>/remove")
def remove_site(account_id: int, site_id: int):
    return _change(account_id, lambda db, who: customers.remove_site(db, who, account_id, site_id,
                                                                     ip=client_ip()).label,
                   gettext("The site %(name)s was removed."))
