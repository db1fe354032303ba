"""The accounts-and-security built-in plugin: its special pages, the portal and request
blueprints, menu links, its clean-up jobs, and the attribution of edits made while impersonating."""

from __future__ import annotations

from flask_babel import lazy_gettext

from wiki.hooktypes import Job, MenuItem, SpecialPage
from wiki.hookspecs import hookimpl
from wiki.portal import views as portal_views
from wiki.security import admin_views, lockout, ratelimit, sessions, user_views, views, web

STAFF = ("staff", "admin")
DAY = 24 * 60 * 60


@hookimpl
def site_started(site):
    """Each site keeps its own in-memory count of the buffered rate limits (the ``api`` rule)."""
    site.rate_limit_buffer = ratelimit.HitBuffer()


@hookimpl
def site_stopping(site):
    """Hits still counted only in memory are written to the shared table."""
    site.rate_limit_buffer.flush(site)


@hookimpl
def register_special_pages():
    return [
        SpecialPage("PasswordReset", views.password_reset, lazy_gettext("Reset a forgotten password by email"),
                    heading=lazy_gettext("Reset password")),
        SpecialPage("ChangePassword", views.change_password, lazy_gettext("Change your password"), listed=False,
                    heading=lazy_gettext("Change password")),
        SpecialPage("ChangeEmail", views.change_email, lazy_gettext("Change your email address"), listed=False,
                    heading=lazy_gettext("Change email address")),
        SpecialPage("TwoFactor", views.two_factor, lazy_gettext("Two-factor sign-in with an authenticator app"),
                    heading=lazy_gettext("Two-factor sign-in")),
        SpecialPage("ApiKeys", views.api_keys, lazy_gettext("Your API keys (admins: everyone's)"),
                    heading=lazy_gettext("API keys")),
        SpecialPage("Preferences", views.preferences, lazy_gettext("Your account and email notifications"),
                    heading=lazy_gettext("Preferences")),
        SpecialPage("Groups", admin_views.groups_page, lazy_gettext("User groups and their members"), roles=("admin",),
                    heading=lazy_gettext("Groups")),
        SpecialPage("NamespaceRights", admin_views.namespace_rights, lazy_gettext("Who may do what in each namespace"),
                    roles=("admin",), heading=lazy_gettext("Namespace rights")),
        SpecialPage("AuditLog", admin_views.audit_log, lazy_gettext("Security events"), roles=("admin",),
                    heading=lazy_gettext("Audit log")),
        SpecialPage("UserRights", user_views.user_rights,
                    lazy_gettext("Users: roles, groups, disabling and enabling again"), roles=("admin",),
                    heading=lazy_gettext("Users and their rights")),
        SpecialPage("Accounts", admin_views.accounts_page, lazy_gettext("Customer accounts, contacts and sites"),
                    roles=(*STAFF, "analyst"), heading=lazy_gettext("Accounts")),
        SpecialPage("Impersonate", admin_views.impersonate, lazy_gettext("Sign in as a customer"), listed=False,
                    roles=STAFF, heading=lazy_gettext("Sign in as a customer")),
        SpecialPage("StopImpersonating", admin_views.stop_impersonating, lazy_gettext("Return to your own account"),
                    listed=False, roles=("customer",), heading=lazy_gettext("Return to your own account")),
    ]


@hookimpl
def register_blueprints():
    return [web.bp, portal_views.bp]


@hookimpl
def register_jobs():
    return [Job("security.sessions", sessions.prune, every_seconds=DAY),
            Job("security.signin_failures", lockout.prune, every_seconds=DAY)]


@hookimpl
def register_menu_items():
    return [
        MenuItem(lazy_gettext("My account"), "/portal/", section="account", roles=("customer",), order=10),
        MenuItem(lazy_gettext("Accounts"), "/wiki/Special:Accounts", section="account", roles=(*STAFF, "analyst"),
                 order=10),
        MenuItem(lazy_gettext("Users"), "/wiki/Special:UserRights", section="account", roles=("admin",), order=15),
        MenuItem(lazy_gettext("Audit log"), "/wiki/Special:AuditLog", section="account", roles=("admin",), order=20),
        MenuItem(lazy_gettext("Preferences"), "/wiki/Special:Preferences", section="account",
                 roles=("admin", "staff", "analyst", "customer"), order=90),
    ]


@hookimpl
def page_saved(site, session, change):
    """While a staff member acts as a customer, the revision is theirs, "for" the customer
    (the request itself is in the audit log, see ``wiki.security.web``)."""
    actor = change.actor
    if actor.impersonator_id is None:
        return
    change.revision.user_id = actor.impersonator_id
    change.revision.user_text = actor.attribution[:255]
