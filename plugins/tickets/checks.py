"""What every save of a ticket page must respect, whoever makes it and however (the plugin's
forms, the edit page, the API): it calls ``{{Ticket}}`` with its own number, a new ticket
takes the number the counter just handed out, the status follows the workflow, the category
is a ticket category, and a customer changes nothing but the conversation and open/closed.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets import settings
from plugins.tickets.models import TicketCounter
from plugins.tickets.numbering import COUNTER
from plugins.tickets.ticket import TICKET_NS, call_params, find_ticket_call, ticket_categories
from plugins.tickets.triage import CUSTOMER_STATUSES
from plugins.tickets.workflow import canonical_status
from wiki.permissions import STAFF_SIDE, Actor
from wiki.titles import Title

#: Fields that change with the status (see ``triage.status_effects``), so customers may change them too.
FOLLOW_STATUS = frozenset({"status", "resolved", "response due", "resolution due"})


def check_ticket_save(site, session: Session, title: Title, text: str, actor: Actor) -> list[str]:
    """Errors of a save of a help-desk ticket: a page of the namespace whose ``{{Ticket}}`` call
    has a ``Number`` (other pages of the namespace are ordinary pages and are left alone)."""
    new = call_params(find_ticket_call(site, text))
    old = call_params(find_ticket_call(site, site.current_text(session, title) or ""))
    if "number" not in new and "number" not in old:
        return []
    if "number" not in new:
        return [gettext("%(title)s must keep its {{Ticket|...}} call with the field Number.", title=title.prefixed)]
    errors: list[str] = []
    if new.get("number") != title.text:
        errors.append(gettext("The field Number must be %(number)s, the ticket's own number; open new tickets with "
                              "the ticket form at /portal/tickets/new, which numbers them.", number=title.text))
    category = new.get("category", "")
    if category and category not in ticket_categories(site, session):
        errors.append(gettext("The category '%(category)s' is not a ticket category (a subcategory of "
                              "Category:Ticket categories).", category=category))
    if not old:
        counter = session.scalar(select(TicketCounter.value).where(TicketCounter.name == COUNTER))
        if not title.text.isdigit() or counter != int(title.text):
            errors.append(gettext("%(title)s is not a number the help desk handed out; open new tickets with the "
                                  "ticket form at /portal/tickets/new, which numbers them.", title=title.prefixed))
        return errors
    before, after = canonical_status(old.get("status", "New")) or "New", canonical_status(new.get("status", "New"))
    if after is not None:
        why = settings.current_workflow(site, session).check_transition(before, after)
        if why:
            errors.append(why)
    if actor.role not in STAFF_SIDE:
        changed = sorted(k for k in set(old) | set(new) if k not in FOLLOW_STATUS and old.get(k) != new.get(k))
        if changed:
            errors.append(gettext("Customers cannot change the ticket's %(fields)s; reply and staff will help.",
                                  fields=", ".join(changed)))
        if before != after and after not in CUSTOMER_STATUSES:
            errors.append(gettext("Customers may only close or reopen a ticket."))
    return errors


def customer_rule(actor: Actor, action: str, title: Title, page) -> str | None:
    """Policy rule: outside staff, tickets are changed only by users of the ticket's own account."""
    if title.ns != TICKET_NS or actor.role in STAFF_SIDE or action in ("read", "create"):
        return None
    if page is None or page.account_id is None or page.account_id != actor.account_id:
        return gettext("Customers may only change their own account's tickets.")
    return None
