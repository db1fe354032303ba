"""Merging duplicate tickets: the duplicate is closed and points to the survivor (``Merged into``),
the survivor gets a section that links the duplicate's conversation, and the duplicate's
alerts (``external_id``) now add to the survivor.  Both saves are normal revisions in one
transaction; tickets of different accounts are never merged.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import update
from sqlalchemy.orm import Session

from plugins.tickets import triage
from plugins.tickets.models import TicketAlert
from plugins.tickets.opening import TicketError
from plugins.tickets.ticket import Ticket, save_changes
from wiki.permissions import Actor, PermissionDenied


def merge(site, session: Session, actor: Actor, duplicate: Ticket, survivor: Ticket,
          now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    if not actor.is_staff:
        raise PermissionDenied("Only staff merge tickets.")
    for item in (duplicate, survivor):
        site.policy.check(actor, "edit", item.title, item.page)
    if duplicate.page.id == survivor.page.id:
        raise TicketError(["merge: a ticket cannot be merged into itself."])
    if duplicate.page.account_id != survivor.page.account_id:
        raise TicketError([f"merge: {duplicate.title.prefixed} and {survivor.title.prefixed} belong to different "
                           "accounts."])
    if survivor.get("Merged into"):
        raise TicketError([f"merge: {survivor.title.prefixed} was itself merged into {survivor.get('Merged into')}; "
                           "merge into that ticket."])
    if not survivor.is_open:
        raise TicketError([f"merge: {survivor.title.prefixed} is {survivor.status}; merge into an open ticket."])
    link = f"[[{duplicate.title.prefixed}]]"
    save_changes(site, session, actor, survivor, {}, summary=f"Merged {duplicate.title.prefixed}", now=now, section=(
        f"Merged {duplicate.title.prefixed}",
        f"{link} ({duplicate.get('Subject')}) was merged into this ticket; its conversation stays on {link}.\n\n"
        f"{duplicate.get('Description')}\n\n~~~~"))
    triage.change(site, session, actor, duplicate, {"Status": "Closed"}, summary="Duplicate",
                  computed={"Merged into": survivor.title.prefixed}, now=now,
                  section=(f"Merged into {survivor.title.prefixed}",
                           f"This ticket duplicates [[{survivor.title.prefixed}]]; the work continues there.\n\n~~~~"))
    session.execute(update(TicketAlert).where(TicketAlert.page_id == duplicate.page.id)
                    .values(page_id=survivor.page.id))
