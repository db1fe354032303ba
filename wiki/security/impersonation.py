"""Staff "sign in as customer": staff with the ``can_impersonate`` site right (a group right) and
admins may act as one of an account's contacts, to see and do what the customer sees.

While impersonating, the ``Actor`` is the customer (so the policy applies as for them) with
``impersonator_id``/``impersonator_name`` set: revisions read ``"Staff (for Customer)"``
and are attributed to the staff member, every write is in the audit log (which the
customer reads in ``/portal/activity``), and password, email and 2FA changes are refused.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.accounts import AccountError, actor_for
from wiki.models import User
from wiki.permissions import Actor, PermissionDenied
from wiki.security import audit
from wiki.security.groups import has_site_right
from wiki.security.models import AccountContact

RIGHT = "can_impersonate"


def may_impersonate(session: Session, actor: Actor) -> bool:
    if actor.is_anonymous or actor.impersonator_id is not None or actor.api_scope is not None:
        return False
    return actor.is_admin or (actor.is_staff and has_site_right(session, actor.user_id, RIGHT))


def start(session: Session, actor: Actor, customer_id: int, ip: str = "") -> User:
    """Check and record the start; returns the customer to sign in as."""
    if not may_impersonate(session, actor):
        raise PermissionDenied(gettext("Only admins and staff with the can_impersonate right may sign in as a customer."))
    customer = session.get(User, customer_id)
    if customer is None or customer.role != "customer" or customer.disabled:
        raise AccountError(gettext("Only an active customer can be signed in as."))
    is_contact = session.scalar(select(AccountContact.user_id).where(AccountContact.user_id == customer.id))
    if is_contact is None and customer.account_id is None:
        raise AccountError(gettext("%(name)s is not a contact of any account.", name=customer.name))
    audit.record(session, "impersonation.start", actor=actor, user_id=customer.id, ip=ip,
                 detail=f"{actor.name} signed in as {customer.name}")
    return customer


def acting_actor(session: Session, customer: User, impersonator: User) -> Actor:
    base = actor_for(customer, session=session)
    return Actor(user_id=base.user_id, name=base.name, role=base.role, account_id=base.account_id,
                 groups=base.groups, impersonator_id=impersonator.id, impersonator_name=impersonator.name)


def stop(session: Session, actor: Actor, ip: str = "") -> None:
    if actor.impersonator_id is None:
        return
    audit.record(session, "impersonation.stop", actor=actor, ip=ip,
                 detail=f"{actor.impersonator_name} stopped acting as {actor.name}")


def record_action(session: Session, actor: Actor, method: str, path: str, ip: str = "") -> None:
    """Note one write done while impersonating (the request's method and path)."""
    audit.record(session, "impersonation.action", actor=actor, ip=ip, detail=f"{method} {path}"[:500])
