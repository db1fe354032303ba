"""What every save of a ticket page must respect, whoever makes it and however (the plugin's
forms, the edit page, the API): its title is a number the counter handed out, written the one
way; it calls ``{{Ticket}}`` with its own number; a new ticket takes the number the counter
just handed out; the status follows the workflow; the category is a ticket category; and a
customer changes nothing but the conversation and open/closed.

Only the ticket service creates pages in the namespace (the policy, from ``created_by`` in
``namespaces/ticket.toml``); these checks hold even for that service, so a slip in its code
cannot save a page that is not a ticket.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy.orm import Session

from plugins.tickets import settings
from plugins.tickets.numbering import FIRST_NUMBER, last_number
from plugins.tickets.ticket import TICKET_NS, call_params, find_ticket_call, number_of, ticket_categories
from plugins.tickets.triage import CUSTOMER_STATUSES
from plugins.tickets.workflow import canonical_status
from wiki.permissions import STAFF_SIDE, Actor
from wiki.titles import Title

#: Fields that change with the status (see ``triage.status_effects``), so customers may change them too.
FOLLOW_STATUS = frozenset({"status", "resolved", "response due", "resolution due"})


def check_ticket_save(site, session: Session, title: Title, text: str, actor: Actor) -> list[str]:
    """Errors of a save of a page in the Ticket namespace: every page there is a ticket."""
    number, counter = number_of(title.text), last_number(session)
    if number is None or counter is None or not FIRST_NUMBER <= number <= counter:
        return [_not_handed_out(title)]
    new = call_params(find_ticket_call(site, text))
    old = call_params(find_ticket_call(site, site.current_text(session, title) or ""))
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
    if "number" not in old:
        if counter != number:  # a new ticket has the number the service has just taken
            errors.append(_not_handed_out(title))
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


def _not_handed_out(title: Title) -> str:
    return gettext("%(title)s is not a number the help desk handed out: tickets are numbered %(first)s, %(second)s, "
                   "... without leading zeros; open new tickets with the ticket form at /portal/tickets/new, which "
                   "numbers them.", title=title.prefixed, first=FIRST_NUMBER, second=FIRST_NUMBER + 1)


def customer_rule(actor: Actor, action: str, title: Title, page) -> str | None:
    """Policy rule: outside staff, tickets are changed only by users of the ticket's own account."""
    if title.ns != TICKET_NS or actor.role in STAFF_SIDE or action in ("read", "create"):
        return None
    if page is None or page.account_id is None or page.account_id != actor.account_id:
        return gettext("Customers may only change their own account's tickets.")
    return None
