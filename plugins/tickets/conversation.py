"""The conversation on a ticket: public replies (signed sections on the ticket page, mailed to
the requester and assignee), internal notes (sections on ``Ticket talk:<n>``, which only
staff-side roles may read), and canned replies (``Template:Canned/...`` inserted with
``subst:`` so the saved text is the reply itself).
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets import clock, notify, settings, triage
from plugins.tickets.opening import TicketError
from plugins.tickets.ticket import TICKET_TALK_NS, Ticket, format_moment
from wiki.collab.editing import new_section_text
from wiki.models import Page
from wiki.namespaces import TEMPLATE
from wiki.pages import SaveResult, save_page
from wiki.permissions import Actor, PermissionDenied

CANNED_PREFIX = "Canned/"
#: A customer's reply in these statuses puts the ticket back in front of staff (when the workflow allows).
REOPENED_BY_REPLY = (clock.WAITING, "Resolved", "Closed")
MAX_BODY = 50_000


def canned_replies(site, session: Session) -> list[str]:
    """Names of the canned replies (``Template:Canned/<name>``)."""
    rows = session.scalars(select(Page.title).where(Page.namespace == TEMPLATE, Page.deleted.is_(False),
                                                    Page.title.startswith(CANNED_PREFIX)).order_by(Page.title))
    return [title[len(CANNED_PREFIX):] for title in rows]


def _body(site, session: Session, body: str, canned: str) -> str:
    body = body.strip()
    if canned:
        if canned not in canned_replies(site, session):
            raise TicketError([gettext("canned: there is no canned reply called '%(value)s'.", value=canned)])
        body = f"{{{{subst:{CANNED_PREFIX}{canned}}}}}" + (f"\n\n{body}" if body else "")
    if not body:
        raise TicketError([gettext("reply: write a message or choose a canned reply.")])
    if len(body) > MAX_BODY:
        raise TicketError([gettext("reply: at most %(most)s characters.", most=f"{MAX_BODY:,}")])
    return body + "\n\n~~~~"


def reply(site, session: Session, actor: Actor, item: Ticket, body: str, canned: str = "",
          now: datetime | None = None) -> SaveResult:
    """Append a signed reply; staff's first reply records the first response time.

    A reply only adds a section, so it is made on the current revision (the caller holds the
    page's lock), never on an older one that could clash with another appended section.
    """
    now = now or datetime.now(timezone.utc)
    site.policy.check(actor, "read", item.title, item.page)
    text = _body(site, session, body, canned)
    values: dict[str, str] = {}
    computed: dict[str, str] = {}
    if actor.is_staff:
        if not item.get("First response"):
            computed["First response"] = format_moment(now)
        if item.status == "New":
            values["Status"] = "Open"
    elif item.status in REOPENED_BY_REPLY and "Open" in settings.current_workflow(site, session).allowed(item.status):
        values["Status"] = "Open"  # the customer answered: back to staff (the SLA clock runs again)
    heading = f"Reply from {actor.attribution} ({now:%Y-%m-%d %H:%M} UTC)"
    result = triage.change(site, session, actor, item, values, summary="Reply", section=(heading, text), now=now,
                           computed=computed)
    notify.notify(site, session, item, actor, [item.get("Requester"), item.get("Assignee")],
                  lazy_gettext("New reply from %(name)s", name=actor.name),
                  lazy_gettext("%(name)s replied to %(ticket)s (%(subject)s):\n\n%(text)s", name=actor.name,
                               ticket=item.title.prefixed, subject=item.get("Subject"), text=body.strip()))
    return result


def add_note(site, session: Session, actor: Actor, item: Ticket, body: str, now: datetime | None = None) -> SaveResult:
    """Append an internal note to the ticket's talk page (staff only, by the namespace's rights)."""
    now = now or datetime.now(timezone.utc)
    if not actor.is_staff:
        raise PermissionDenied(gettext("Internal notes are for staff."))
    if not body.strip():
        raise TicketError([gettext("note: write the note.")])
    talk = site.titles.make(TICKET_TALK_NS, item.title.text)
    current = site.current_text(session, talk) or ""
    text = new_section_text(current, f"Note from {actor.attribution} ({now:%Y-%m-%d %H:%M} UTC)",
                            body.strip() + "\n\n~~~~")
    return save_page(site, session, talk, text, actor, summary="Internal note", now=now)


def close(site, session: Session, actor: Actor, item: Ticket, now: datetime | None = None) -> SaveResult:
    """The requester (or staff) closes the ticket."""
    return triage.change(site, session, actor, item, {"Status": "Closed"}, summary="Closed by " + actor.name, now=now)
