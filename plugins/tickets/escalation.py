"""The SLA breach job: flags tickets whose first response or resolution is overdue, escalates
them (one priority step up; unassigned tickets go to the department's lead) as a revision of
the ticket, and mails the assignee and the lead.

A breach is recorded in the ticket's ``Breaches`` field (``response``, ``resolution``), so a
second run, or a run beside another, finds nothing new to do.  Tickets waiting on the
customer are skipped: their clock is paused.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from plugins.tickets import notify, settings
from plugins.tickets.listing import OPEN_STATUSES
from plugins.tickets.ticket import TICKET_NS, Ticket, load, save_changes
from wiki.fields.models import FieldValue
from wiki.models import Page
from wiki.pages import EditConflict, SaveError
from wiki.permissions import SYSTEM

log = logging.getLogger(__name__)
RUNNING = tuple(s for s in OPEN_STATUSES if s != "Waiting on customer")
RAISE = {"P4": "P3", "P3": "P2", "P2": "P1", "P1": "P1"}


def new_breaches(item: Ticket, now: datetime) -> list[str]:
    """Kinds of breach the ticket has at ``now`` that are not recorded yet."""
    if item.status not in RUNNING:
        return []
    recorded = {b.strip().lower() for b in item.get("Breaches").split(",") if b.strip()}
    found = []
    due = item.moment("Response due")
    if due is not None and due < now and not item.get("First response") and "response" not in recorded:
        found.append("response")
    due = item.moment("Resolution due")
    if due is not None and due < now and not item.get("Resolved") and "resolution" not in recorded:
        found.append("resolution")
    return found


def _candidates(site, now: datetime) -> list[str]:
    overdue = select(FieldValue.page_id).where(FieldValue.field.in_(("Response due", "Resolution due")),
                                               FieldValue.value_date < now)
    running = select(FieldValue.page_id).where(FieldValue.field == "Status", FieldValue.value_text.in_(RUNNING))
    with site.db.read() as session:
        return list(session.scalars(select(Page.title).where(
            Page.namespace == TICKET_NS, Page.deleted.is_(False), Page.id.in_(overdue), Page.id.in_(running))))


def escalate(site, session, item: Ticket, kinds: list[str], now: datetime) -> None:
    recorded = [b.strip() for b in item.get("Breaches").split(",") if b.strip()]
    values = {"Breaches": ", ".join([*recorded, *kinds]), "Priority": RAISE[item.priority]}
    department = settings.department(site, session, item.get("Department"))
    lead = settings.lead_of(session, department)
    if lead is not None and not item.get("Assignee"):
        values["Assignee"] = lead.name
    result = save_changes(site, session, SYSTEM, item, values, summary=f"SLA breached ({', '.join(kinds)})", now=now)
    if result.revision is None:
        return
    notify.notify(site, session, item, SYSTEM, [values.get("Assignee") or item.get("Assignee"),
                                                lead.name if lead else ""], *_breach_mail(item, kinds, values))


def _breach_mail(item: Ticket, kinds: list[str], values: dict[str, str]) -> tuple[object, object]:
    """Subject and body (lazy: written in each recipient's language) of a breach mail."""
    ticket, subject = item.title.prefixed, item.get("Subject")
    facts = [lazy_gettext("The first-response target of %(ticket)s (%(subject)s) was missed.", ticket=ticket,
                          subject=subject) if kind == "response" else
             lazy_gettext("The resolution target of %(ticket)s (%(subject)s) was missed.", ticket=ticket,
                          subject=subject) for kind in kinds]
    facts.append(lazy_gettext("It is now %(priority)s and assigned to %(assignee)s.", priority=values["Priority"],
                              assignee=values["Assignee"]) if "Assignee" in values
                 else lazy_gettext("It is now %(priority)s.", priority=values["Priority"]))
    return (lazy_gettext("SLA breached: %(subject)s", subject=subject),
            LazyString(lambda: " ".join(map(str, facts))))


def check_breaches(site, now: datetime | None = None) -> int:
    """Flag and escalate every newly breached ticket; returns how many were escalated."""
    now = now or datetime.now(timezone.utc)
    escalated = 0
    for name in _candidates(site, now):
        try:
            with site.db.write() as session:
                item = load(site, session, site.titles.make(TICKET_NS, name), lock=True)
                kinds = new_breaches(item, now) if item is not None else []
                if kinds:
                    escalate(site, session, item, kinds, now)
                    escalated += 1
        except (SaveError, EditConflict) as exc:  # one broken ticket must not stop the others
            log.warning("SLA escalation of Ticket:%s failed: %s", name, exc)
    return escalated
