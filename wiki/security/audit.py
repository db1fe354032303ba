"""The audit log: security-relevant events (sign-ins, failures, lock-outs, rights changes,
impersonation, API key use), filterable by admins; customers read their own part of it.

``record`` adds a row inside the caller's transaction.  While a staff member impersonates
a customer, ``actor_id`` is the staff member and ``on_behalf_of_id`` the customer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from wiki.models import User
from wiki.permissions import Actor
from wiki.security.models import AccountContact, AuditEvent

#: Every event name the code records, with what it means (the filter of Special:AuditLog).
EVENTS: dict[str, str] = {
    "signin.success": lazy_gettext("Signed in"),
    "signin.failure": lazy_gettext("Sign-in failed"),
    "signin.new_device": lazy_gettext("Signed in from a new device"),
    "signin.2fa_failure": lazy_gettext("Second-factor code refused"),
    "signout": lazy_gettext("Signed out"),
    "session.expired": lazy_gettext("Session expired after inactivity"),
    "session.ended_elsewhere": lazy_gettext("Signed out everywhere else"),
    "lockout": lazy_gettext("Locked out after repeated failures"),
    "password.reset_requested": lazy_gettext("Password reset requested"),
    "password.reset": lazy_gettext("Password reset by emailed link"),
    "password.changed": lazy_gettext("Password changed"),
    "email.change_requested": lazy_gettext("Email change requested"),
    "email.changed": lazy_gettext("Email address changed"),
    "2fa.enabled": lazy_gettext("Two-factor sign-in enabled"),
    "2fa.disabled": lazy_gettext("Two-factor sign-in disabled"),
    "2fa.backup_code_used": lazy_gettext("Backup code used"),
    "2fa.backup_codes_regenerated": lazy_gettext("Backup codes regenerated"),
    "apikey.created": lazy_gettext("API key created"),
    "apikey.revoked": lazy_gettext("API key revoked"),
    "apikey.used": lazy_gettext("API key used"),
    "rights.namespace": lazy_gettext("Namespace rights changed"),
    "rights.group": lazy_gettext("Group changed"),
    "rights.user_role": lazy_gettext("User role changed"),
    "rights.user_disabled": lazy_gettext("User disabled"),
    "rights.user_enabled": lazy_gettext("User enabled again"),
    "rights.plugin_off": lazy_gettext("Plugin switched off"),
    "rights.plugin_on": lazy_gettext("Plugin switched on"),
    "impersonation.start": lazy_gettext("Staff signed in as customer"),
    "impersonation.stop": lazy_gettext("Staff stopped acting as customer"),
    "impersonation.action": lazy_gettext("Staff acted for customer"),
    "account.contact_added": lazy_gettext("Contact added to account"),
    "account.site_added": lazy_gettext("Site added to account"),
    "account.contact_removed": lazy_gettext("Contact removed from account"),
    "account.site_removed": lazy_gettext("Site removed from account"),
    "account.primary_changed": lazy_gettext("Primary contact changed"),
    "account.created": lazy_gettext("Account created"),
    "preferences.changed": lazy_gettext("Notification preferences changed"),
}


def record(
    session: Session,
    event: str,
    actor: Actor | None = None,
    user_id: int | None = None,
    account_id: int | None = None,
    ip: str = "",
    detail: str = "",
    **params: Any,
) -> AuditEvent:
    """Append one event.  ``user_id`` is the user it concerns (default: the actor, or the
    customer being impersonated); ``account_id`` defaults to that user's account."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    actor_id = actor_text = on_behalf_of = None
    if actor is not None:
        if actor.impersonator_id is not None:
            actor_id, on_behalf_of = actor.impersonator_id, actor.user_id
        else:
            actor_id = actor.user_id
        actor_text = actor.attribution
        if user_id is None:
            user_id = actor.user_id
    if account_id is None and user_id is not None:
        user = session.get(User, user_id)
        account_id = user.account_id if user is not None else None
    row = AuditEvent(event=event, user_id=user_id, actor_id=actor_id, actor_text=actor_text or "",
                     on_behalf_of_id=on_behalf_of, account_id=account_id, ip=ip[:64], detail=detail[:500],
                     params=params)
    session.add(row)
    return row


def search(
    session: Session,
    event: str | None = None,
    user_id: int | None = None,
    account_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """Events newest first, filtered (the admin's view)."""
    query = select(AuditEvent)
    if event:
        query = query.where(AuditEvent.event.startswith(event) if event.endswith(".") else AuditEvent.event == event)
    if user_id is not None:
        query = query.where(or_(AuditEvent.user_id == user_id, AuditEvent.actor_id == user_id))
    if account_id is not None:
        query = query.where(AuditEvent.account_id == account_id)
    if since is not None:
        query = query.where(AuditEvent.timestamp >= since)
    if until is not None:
        query = query.where(AuditEvent.timestamp < until)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def activity(session: Session, actor: Actor, limit: int = 200) -> list[AuditEvent]:
    """What a customer may read: events about themselves, and about their whole account
    when they are its primary contact."""
    if actor.is_anonymous:
        return []
    about_me = or_(AuditEvent.user_id == actor.user_id, AuditEvent.on_behalf_of_id == actor.user_id)
    primary = session.scalar(
        select(AccountContact.account_id).where(AccountContact.user_id == actor.user_id,
                                                AccountContact.kind == "primary")
    )
    condition = or_(about_me, AuditEvent.account_id == primary) if primary is not None else about_me
    return list(session.scalars(select(AuditEvent).where(condition).order_by(AuditEvent.id.desc()).limit(limit)))
