"""Opening tickets: from the portal form, by staff for an account, and from monitoring alerts.

``open_ticket`` checks the request (naming every bad field), takes the next free number in the
save's transaction and saves ``Ticket:<number>`` for the account, with the SLA due times.  It
is the one path that creates ticket pages: it saves as the requester acting through the
tickets service (``Actor.via_service``), which the Ticket namespace's ``created_by`` demands.
``open_or_repeat`` de-duplicates alerts: while the ticket of an ``external_id`` is open, a
repeated alert adds an "Alert repeated" section to it instead of opening another ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plugins.tickets import settings, ticket
from plugins.tickets.models import TicketAlert, TicketCounter
from plugins.tickets.numbering import COUNTER, FIRST_NUMBER, next_number
from wiki.accounts import find_user
from wiki.models import Account, Page
from wiki.pages import save_page
from wiki.permissions import STAFF_SIDE, Actor, PermissionDenied
from wiki.titles import Title

MAX_SUBJECT = 200
MAX_EXTERNAL_ID = 200


class TicketError(ValueError):
    """The ticket request is refused; ``messages`` name each bad field."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class TicketRequest:
    subject: str
    description: str
    priority: str = "P3"
    category: str = ""
    department: str = ""
    #: Account name; staff open tickets on behalf of an account, customers always for their own.
    account: str = ""
    #: User name of the requester (staff only; customers are their own requester).
    requester: str = ""
    external_id: str = ""


@dataclass
class Opened:
    title: Title
    revision_id: int
    created: bool


def _check(site, session: Session, actor: Actor, req: TicketRequest) -> dict[str, str | int | None]:
    errors: list[str] = []
    subject = " ".join(req.subject.split())
    if not subject:
        errors.append(gettext("subject: a ticket needs a subject (one line that says what is wrong)."))
    elif len(subject) > MAX_SUBJECT:
        errors.append(gettext("subject: at most %(most)s characters, not %(length)s.", most=MAX_SUBJECT,
                              length=len(subject)))
    if not req.description.strip():
        errors.append(gettext("description: please describe the problem."))
    priority = (req.priority or "P3").strip().upper()
    if priority not in ticket.PRIORITIES:
        errors.append(gettext("priority: '%(value)s' is not one of P1, P2, P3, P4.", value=req.priority))
    categories = ticket.ticket_categories(site, session)
    category = next((c for c in categories if c.casefold() == req.category.strip().casefold()), None)
    if req.category.strip() and category is None:
        errors.append(gettext("category: '%(value)s' is not a ticket category; choose one of %(known)s.",
                              value=req.category, known=", ".join(categories)))
    known = settings.departments(site, session)
    department = settings.department(site, session, req.department) if req.department.strip() else known[0]
    if department is None:
        errors.append(gettext("department: '%(value)s' is not a department; choose one of %(known)s.",
                              value=req.department, known=", ".join(d.name for d in known)))
    if len(req.external_id) > MAX_EXTERNAL_ID:
        errors.append(gettext("external_id: at most %(most)s characters.", most=MAX_EXTERNAL_ID))
    account, requester = _who(session, actor, req, errors)
    if errors:
        raise TicketError(errors)
    return {"subject": subject, "priority": priority, "category": category or "", "department": department.name,
            "account": account, "requester": requester}


def _who(session: Session, actor: Actor, req: TicketRequest, errors: list[str]) -> tuple[Account | None, str]:
    """The ticket's account and requester: the customer themself, or whom staff named."""
    if actor.role not in STAFF_SIDE:
        if actor.account_id is None:
            raise PermissionDenied(gettext("Only customers with an account and staff may open tickets."))
        account = session.get(Account, actor.account_id)
        if req.account.strip() and req.account.strip().casefold() != account.name.casefold():
            errors.append(gettext("account: you can only open tickets for your own account."))
        return account, actor.name
    requester = None
    if req.requester.strip():
        requester = find_user(session, req.requester.strip())
        if requester is None:
            errors.append(gettext("requester: there is no user called '%(value)s'.", value=req.requester))
    account = None
    if req.account.strip():
        account = session.scalar(select(Account).where(Account.name == req.account.strip()))
        if account is None:
            errors.append(gettext("account: there is no account called '%(value)s'.", value=req.account))
    elif requester is not None and requester.account_id is not None:
        account = session.get(Account, requester.account_id)
    if requester is not None and account is not None and requester.account_id not in (None, account.id):
        errors.append(gettext("requester: %(user)s does not belong to the account %(account)s.", user=requester.name,
                              account=account.name))
    return account, requester.name if requester is not None else actor.name


def open_ticket(site, session: Session, actor: Actor, req: TicketRequest, now: datetime | None = None) -> Opened:
    """Save a new ticket in the caller's transaction; raises ``TicketError`` or ``PermissionDenied``."""
    now = now or datetime.now(timezone.utc)
    checked = _check(site, session, actor, req)
    levels = settings.service_levels(site, session)
    response_due, resolution_due = levels.due(checked["priority"], now)
    number = next_number(session)
    title = ticket.ticket_title(site, number)
    account = checked["account"]
    text = ticket.new_ticket_text({
        "Number": str(number), "Subject": checked["subject"], "Requester": checked["requester"],
        "Account": account.name if account else "", "Department": checked["department"],
        "Category": checked["category"], "Priority": checked["priority"], "Status": "New",
        "Opened": ticket.format_moment(now), "Response due": ticket.format_moment(response_due),
        "Resolution due": ticket.format_moment(resolution_due), "External id": req.external_id.strip(),
        "Description": req.description.strip(),
    })
    result = save_page(site, session, title, text, actor.via_service(ticket.SERVICE),
                       summary=f"New ticket: {checked['subject']}"[:500],
                       account_id=account.id if account else None, now=now, extra={"watch": True})
    return Opened(title, result.revision.id, True)


def _lock_counter(session: Session) -> None:
    """Serialise alert handling on the counter row, so two equal alerts cannot both open a ticket."""
    row = session.scalar(select(TicketCounter).where(TicketCounter.name == COUNTER).with_for_update())
    if row is None:
        try:
            with session.begin_nested():
                session.add(TicketCounter(name=COUNTER, value=FIRST_NUMBER - 1))
                session.flush()
        except IntegrityError:
            pass
        session.scalar(select(TicketCounter).where(TicketCounter.name == COUNTER).with_for_update())


def open_or_repeat(site, session: Session, actor: Actor, req: TicketRequest, now: datetime | None = None) -> Opened:
    """Open a ticket, or add to the open ticket of the same ``external_id``."""
    external_id = req.external_id.strip()
    if not external_id:
        return open_ticket(site, session, actor, req, now)
    now = now or datetime.now(timezone.utc)
    _lock_counter(session)
    alert = session.get(TicketAlert, external_id, populate_existing=True)
    if alert is not None:
        page = session.get(Page, alert.page_id)
        existing = ticket.load(site, session, site.titles.make(page.namespace, page.title), lock=True)
        if existing is not None and existing.is_open and site.policy.allows(actor, "read", existing.title, page):
            body = f"{' '.join(req.subject.split())}\n\n{req.description.strip()}\n\n~~~~"
            result = ticket.save_changes(site, session, actor, existing, {}, summary="Alert repeated",
                                         section=(f"Alert repeated {ticket.format_moment(now)}", body), now=now)
            return Opened(existing.title, result.revision.id if result.revision else page.latest_id, False)
    opened = open_ticket(site, session, actor, req, now)
    page_id = site.get_page(session, opened.title).id
    if alert is None:
        session.add(TicketAlert(external_id=external_id, page_id=page_id))
    else:
        alert.page_id = page_id
    session.flush()
    return opened
