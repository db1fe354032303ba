"""Emailed single-use links: password reset (valid 1 hour), set-password for a contact that
staff or a customer added (valid 3 days), and confirmation of a new email address.

Only a SHA-256 of each token is stored.  Using a token marks it used; a reset also ends a
lock-out and every session of the user, and a new reset makes the user's older reset links
useless.  A password change ends the user's sessions too (the view re-signs the browser
that made the change).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wiki.accounts import AccountError, check_password_rules, find_user, hash_password, verify_password
from wiki.models import User
from wiki.permissions import Actor
from wiki.security import audit
from wiki.security.hashing import digest, new_token
from wiki.security.mailer import link, mail_user
from wiki.security.models import SecurityToken
from wiki.security.sessions import end_sessions
from wiki.security.state import security_of
from wiki.site import Site

LIFETIMES = {"reset": timedelta(hours=1), "setpassword": timedelta(days=3), "email": timedelta(hours=24)}
_EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"


class TokenError(ValueError):
    """The link is unknown, used or expired; the message says which."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def issue(session: Session, user: User, purpose: str, new_email: str | None = None,
          now: datetime | None = None) -> str:
    """A new token for ``user``; the returned value goes into the link and is not kept."""
    now = _now(now)
    if purpose in ("reset", "setpassword"):
        session.execute(update(SecurityToken).where(
            SecurityToken.user_id == user.id, SecurityToken.purpose.in_(("reset", "setpassword")),
            SecurityToken.used_at.is_(None)).values(used_at=now))
    token = new_token()
    session.add(SecurityToken(user_id=user.id, purpose=purpose, token_hash=digest(token), new_email=new_email,
                              created_at=now, expires_at=now + LIFETIMES[purpose]))
    session.flush()
    return token


def peek(session: Session, token: str, purposes: tuple[str, ...], now: datetime | None = None) -> SecurityToken:
    """The live token row (not yet used up), or ``TokenError``."""
    row = session.scalar(select(SecurityToken).where(SecurityToken.token_hash == digest(token)))
    if row is None or row.purpose not in purposes:
        raise TokenError(gettext("This link is not valid. Ask for a new one."))
    if row.used_at is not None:
        raise TokenError(gettext("This link has already been used. Ask for a new one."))
    if row.expires_at <= _now(now):
        raise TokenError(gettext("This link has expired. Ask for a new one."))
    return row


def reset_link(site: Site, token: str) -> str:
    return link(site, f"/wiki/Special:PasswordReset?token={quote(token)}")


def request_reset(site: Site, session: Session, name_or_email: str, ip: str = "",
                  now: datetime | None = None) -> None:
    """Mail a reset link to the user named (or with the address) given.  Says nothing about
    whether such a user exists, so the form cannot be used to probe for accounts."""
    value = name_or_email.strip()
    if not value:
        raise AccountError(gettext("Give your user name or email address."))
    user = find_user(session, value)
    if user is None and "@" in value:
        user = session.scalar(select(User).where(User.email == value).order_by(User.id).limit(1))
    if user is None or user.disabled or not user.email:
        return
    send_reset(site, session, user, now=now)
    audit.record(session, "password.reset_requested", user_id=user.id, ip=ip)


def send_reset(site: Site, session: Session, user: User, reason: object = "", now: datetime | None = None) -> None:
    """Mail ``user`` a reset link; ``reason`` (a lazy string) opens the message when given."""
    token = issue(session, user, "reset", now=now)
    body = lazy_gettext("To choose a new password, open this link within one hour:\n\n%(link)s\n\n"
                        "The link works once. If you did not ask for it, you can ignore this message.",
                        link=reset_link(site, token))
    if reason:
        body = lazy_gettext("%(reason)s\n\n%(body)s", reason=reason, body=body)
    mail_user(site, session, user, lazy_gettext("Reset your password"), body)


def complete_reset(site: Site, session: Session, token: str, password: str, ip: str = "",
                   now: datetime | None = None) -> User:
    """Set a new password through a reset or set-password link; the link is then used up."""
    now = _now(now)
    row = peek(session, token, ("reset", "setpassword"), now)
    check_password_rules(password)
    user = session.get(User, row.user_id)
    user.password_hash = hash_password(password)
    row.used_at = now
    state = security_of(session, user.id)
    state.password_changed_at = now  # which also ends the lock-outs (``wiki.security.lockout``)
    end_sessions(session, user.id)
    audit.record(session, "password.reset", user_id=user.id, ip=ip)
    mail_user(site, session, user, lazy_gettext("Your password was changed"),
              lazy_gettext("The password of your account was just set through an emailed link. If this was not "
                           "you, reset it at once and tell us."))
    return user


def _refuse_impersonation(actor: Actor) -> None:
    if actor.impersonator_id is not None:
        raise AccountError(gettext("Passwords and email addresses cannot be changed while signed in as a customer; "
                                   "the customer must do it."))


def change_password(site: Site, session: Session, actor: Actor, current: str, new: str, ip: str = "",
                    now: datetime | None = None) -> None:
    _refuse_impersonation(actor)
    user = session.get(User, actor.user_id)
    if user is None or not verify_password(user, current):
        raise AccountError(gettext("The current password is not correct."))
    if current == new:
        raise AccountError(gettext("The new password must differ from the current one."))
    check_password_rules(new)
    user.password_hash = hash_password(new)
    security_of(session, user.id).password_changed_at = _now(now)
    end_sessions(session, user.id)
    audit.record(session, "password.changed", actor=actor, ip=ip)
    mail_user(site, session, user, lazy_gettext("Your password was changed"),
              lazy_gettext("The password of your account was just changed. If this was not you, reset it at once."))


def request_email_change(site: Site, session: Session, actor: Actor, password: str, new_email: str,
                         ip: str = "", now: datetime | None = None) -> None:
    """Send a confirmation link to ``new_email``; the address changes only once it is opened."""
    _refuse_impersonation(actor)
    user = session.get(User, actor.user_id)
    if user is None or not verify_password(user, password):
        raise AccountError(gettext("The password is not correct."))
    new_email = new_email.strip()
    if not re.fullmatch(_EMAIL, new_email):
        raise AccountError(gettext("'%(address)s' is not an email address.", address=new_email))
    if new_email == user.email:
        raise AccountError(gettext("That is already your email address."))
    token = issue(session, user, "email", new_email=new_email, now=now)
    mail_user(site, session, user, lazy_gettext("Confirm your new email address"),
              lazy_gettext("Open this link to make this your account's email address:\n\n%(link)s\n\n"
                           "If you did not ask for this, ignore this message.",
                           link=link(site, f"/wiki/Special:ChangeEmail?token={quote(token)}")), to=new_email)
    if user.email:
        mail_user(site, session, user, lazy_gettext("Email change requested"),
                  lazy_gettext("Someone asked to change your account's email address to %(address)s. It changes "
                               "only when the link sent there is opened. If this was not you, change your password.",
                               address=new_email))
    audit.record(session, "email.change_requested", actor=actor, ip=ip, new_email=new_email)


def confirm_email_change(site: Site, session: Session, token: str, ip: str = "", now: datetime | None = None) -> User:
    now = _now(now)
    row = peek(session, token, ("email",), now)
    user = session.get(User, row.user_id)
    old = user.email
    user.email = row.new_email
    row.used_at = now
    audit.record(session, "email.changed", user_id=user.id, ip=ip, old=old, new=row.new_email)
    return user
