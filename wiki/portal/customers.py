"""Customer accounts: their contacts (the users who may act for the account: one primary
contact and authorised ones) and their sites (addresses).

Customers see only their own account.  Staff manage every account: they add and remove
contacts and sites and change the primary contact.  The primary contact of a business
account adds authorised contacts and sites, and removes the contacts they added.  A new
contact is a customer user without a password who gets an emailed set-password link; a
removed contact is unlinked from the account, so they lose access to its pages with their
next request.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wiki.accounts import AccountError, create_user
from wiki.models import Account, User
from wiki.permissions import STAFF_SIDE, Actor, PermissionDenied
from wiki.security import audit, resets
from wiki.security.mailer import mail_user
from wiki.security.models import AccountContact, AccountSite
from wiki.site import Site

KINDS = ("individual", "business")


@dataclass
class Contact:
    user: User
    kind: str
    #: Who added the contact (``None`` for users linked to the account without a contact row).
    added_by: int | None = None


def account_for(session: Session, actor: Actor, account_id: int) -> Account:
    """The account if ``actor`` may see it (staff side, or its own users)."""
    account = session.get(Account, account_id)
    if account is None or (actor.role not in STAFF_SIDE and actor.account_id != account_id):
        raise PermissionDenied(gettext("You may only see your own account."))
    return account


def all_accounts(session: Session, actor: Actor, name_prefix: str = "", limit: int = 200) -> list[Account]:
    if actor.role not in STAFF_SIDE:
        raise PermissionDenied(gettext("Only staff may list accounts."))
    query = select(Account).order_by(Account.name).limit(limit)
    if name_prefix:
        query = query.where(func.lower(Account.name).startswith(name_prefix.lower()))
    return list(session.scalars(query))


def contacts(session: Session, account_id: int) -> list[Contact]:
    """Every user of the account; users added without a contact row count as authorised."""
    rows = session.execute(
        select(User, AccountContact.kind, AccountContact.added_by)
        .outerjoin(AccountContact, (AccountContact.user_id == User.id) & (AccountContact.account_id == account_id))
        .where(User.account_id == account_id)
        .order_by(User.name)
    )
    found = [Contact(user, kind or "authorised", added_by) for user, kind, added_by in rows]
    return sorted(found, key=lambda c: (c.kind != "primary", c.user.name.lower()))


def sites(session: Session, account_id: int) -> list[AccountSite]:
    return list(session.scalars(select(AccountSite).where(AccountSite.account_id == account_id)
                                .order_by(AccountSite.label)))


def is_primary(session: Session, actor: Actor, account_id: int) -> bool:
    return session.scalar(select(AccountContact.user_id).where(
        AccountContact.account_id == account_id, AccountContact.user_id == actor.user_id,
        AccountContact.kind == "primary")) is not None


def may_manage(session: Session, actor: Actor, account: Account) -> bool:
    """Staff manage every account; a business account's primary contact manages their own."""
    if actor.is_staff:
        return True
    return (actor.role == "customer" and actor.account_id == account.id and account.kind == "business"
            and is_primary(session, actor, account.id))


def _invite(site: Site, session: Session, user: User, account: Account, actor: Actor) -> None:
    token = resets.issue(session, user, "setpassword")
    mail_user(site, session, user, lazy_gettext("You can now act for %(account)s", account=account.name),
              lazy_gettext("%(actor)s added you as a contact of the account %(account)s. Your user name is "
                           "%(name)s. Choose your password with this link (valid for 3 days):\n\n%(link)s",
                           actor=actor.name, account=account.name, name=user.name,
                           link=resets.reset_link(site, token)))


def create_account(site: Site, session: Session, actor: Actor, name: str, kind: str, contact_name: str,
                   contact_email: str, ip: str = "") -> Account:
    """A new account with its primary contact, who is mailed a set-password link."""
    if not actor.is_staff:
        raise PermissionDenied(gettext("Only staff may create accounts."))
    name = " ".join(name.split())
    if not name:
        raise AccountError(gettext("The account needs a name."))
    if kind not in KINDS:
        raise AccountError(gettext("Unknown account kind '%(kind)s'; use individual or business.", kind=kind))
    if session.scalar(select(Account.id).where(func.lower(Account.name) == name.lower())) is not None:
        raise AccountError(gettext("An account named '%(name)s' already exists.", name=name))
    if not contact_email.strip():
        raise AccountError(gettext("The primary contact needs an email address for the set-password link."))
    account = Account(name=name, kind=kind)
    session.add(account)
    session.flush()
    user = create_user(session, contact_name, "customer", email=contact_email.strip(), account=name)
    session.add(AccountContact(account_id=account.id, user_id=user.id, kind="primary", added_by=actor.user_id))
    audit.record(session, "account.created", actor=actor, user_id=user.id, account_id=account.id, ip=ip,
                 detail=f"{kind} account {name}, primary contact {user.name}")
    _invite(site, session, user, account, actor)
    return account


def add_contact(site: Site, session: Session, actor: Actor, account_id: int, name: str, email: str,
                ip: str = "") -> User:
    """Add an authorised contact (a new customer user) and mail them a set-password link."""
    account = account_for(session, actor, account_id)
    if not may_manage(session, actor, account):
        raise PermissionDenied(gettext("Only staff and the primary contact of a business account may add contacts."))
    if not email.strip():
        raise AccountError(gettext("The contact needs an email address for the set-password link."))
    user = create_user(session, name, "customer", email=email.strip(), account=account.name)
    session.add(AccountContact(account_id=account.id, user_id=user.id, kind="authorised", added_by=actor.user_id))
    audit.record(session, "account.contact_added", actor=actor, account_id=account.id, ip=ip,
                 detail=f"added {user.name} to {account.name}", contact=user.name)
    _invite(site, session, user, account, actor)
    return user


def add_site(session: Session, actor: Actor, account_id: int, label: str, address: str, ip: str = "") -> AccountSite:
    account = account_for(session, actor, account_id)
    if not (actor.is_staff or (actor.account_id == account.id and is_primary(session, actor, account.id))):
        raise PermissionDenied(gettext("Only staff and the account's primary contact may add sites."))
    label, address = " ".join(label.split()), address.strip()
    if not label or not address:
        raise AccountError(gettext("A site needs a label and an address."))
    if len(label) > 200:
        raise AccountError(gettext("The site label may be at most 200 characters."))
    row = AccountSite(account_id=account.id, label=label, address=address[:2000])
    session.add(row)
    audit.record(session, "account.site_added", actor=actor, account_id=account.id, ip=ip,
                 detail=f"site {label} added to {account.name}")
    return row


def _contact_of(session: Session, account: Account, user_id: int) -> tuple[User, AccountContact | None]:
    user = session.get(User, user_id)
    if user is None or user.account_id != account.id:
        raise AccountError(gettext("That user is not a contact of %(account)s.", account=account.name))
    return user, session.get(AccountContact, (account.id, user.id))


def may_remove(actor: Actor, account: Account, contact: Contact, actor_is_primary: bool) -> bool:
    """Staff remove any contact but the primary one; a business account's primary contact
    removes the authorised contacts they added."""
    if contact.kind == "primary" or contact.user.id == actor.user_id:
        return False
    if actor.is_staff:
        return True
    return account.kind == "business" and actor_is_primary and contact.added_by == actor.user_id


def removable(session: Session, actor: Actor, account: Account, found: list[Contact]) -> set[int]:
    """The user ids among ``found`` that ``actor`` may remove (for the pages' buttons)."""
    actor_is_primary = is_primary(session, actor, account.id)
    return {c.user.id for c in found if may_remove(actor, account, c, actor_is_primary)}


def remove_contact(session: Session, actor: Actor, account_id: int, user_id: int, ip: str = "") -> User:
    """Unlink a contact from the account: they lose access to its pages at once."""
    account = account_for(session, actor, account_id)
    user, row = _contact_of(session, account, user_id)
    contact = Contact(user, row.kind if row else "authorised", row.added_by if row else None)
    actor_is_primary = is_primary(session, actor, account.id)
    if contact.kind == "primary" and (actor.is_staff or actor_is_primary):
        raise AccountError(gettext("%(name)s is the primary contact; make another contact primary first.",
                                   name=user.name))
    if not may_remove(actor, account, contact, actor_is_primary):
        raise PermissionDenied(gettext("Only staff, and the primary contact of a business account for the contacts "
                                       "they added, may remove contacts."))
    if row is not None:
        session.delete(row)
    user.account_id = None
    audit.record(session, "account.contact_removed", actor=actor, user_id=user.id, account_id=account.id, ip=ip,
                 detail=f"removed {user.name} from {account.name}", contact=user.name)
    return user


def set_primary(session: Session, actor: Actor, account_id: int, user_id: int, ip: str = "") -> User:
    """Make another contact the account's primary contact (staff only); the old one stays authorised."""
    if not actor.is_staff:
        raise PermissionDenied(gettext("Only staff may change the primary contact."))
    account = account_for(session, actor, account_id)
    user, row = _contact_of(session, account, user_id)
    if row is not None and row.kind == "primary":
        raise AccountError(gettext("%(name)s is already the primary contact.", name=user.name))
    previous = session.scalars(select(AccountContact).where(AccountContact.account_id == account.id,
                                                            AccountContact.kind == "primary")).all()
    for old in previous:
        old.kind = "authorised"
    if row is None:
        row = AccountContact(account_id=account.id, user_id=user.id, added_by=actor.user_id)
        session.add(row)
    row.kind = "primary"
    audit.record(session, "account.primary_changed", actor=actor, user_id=user.id, account_id=account.id, ip=ip,
                 detail=f"{user.name} is now the primary contact of {account.name}", contact=user.name)
    return user


def remove_site(session: Session, actor: Actor, account_id: int, site_id: int, ip: str = "") -> AccountSite:
    if not actor.is_staff:
        raise PermissionDenied(gettext("Only staff may remove sites."))
    account = account_for(session, actor, account_id)
    row = session.get(AccountSite, site_id)
    if row is None or row.account_id != account.id:
        raise AccountError(gettext("%(account)s has no such site.", account=account.name))
    session.delete(row)
    audit.record(session, "account.site_removed", actor=actor, account_id=account.id, ip=ip,
                 detail=f"site {row.label} removed from {account.name}")
    return row
