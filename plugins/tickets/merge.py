"""Merging duplicate tickets: the duplicate is closed and points to the survivor (``Merged into``),
the survivor gets a section that links the duplicate's conversation, and the duplicate's
alerts (``external_id``) now add to the survivor.  Both saves are normal revisions in one
transaction; tickets of different accounts are never merged.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext
from sqlalchemy import update
from sqlalchemy.orm import Session

from plugins.tickets import triage
from plugins.tickets.models import TicketAlert
from plugins.tickets.opening import TicketError
from plugins.tickets.ticket import Ticket, save_changes
from plugins.tickets.workflow import status_label
from wiki.permissions import Actor, PermissionDenied


def merge(site, session: Session, actor: Actor, duplicate: Ticket, survivor: Ticket,
          now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    if not actor.is_staff:
        raise PermissionDenied(gettext("Only staff merge tickets."))
    for item in (duplicate, survivor):
        site.policy.check(actor, "edit", item.title, item.page)
    if duplicate.page.id == survivor.page.id:
        raise TicketError([gettext("merge: a ticket cannot be merged into itself.")])
    if duplicate.page.account_id != survivor.page.account_id:
        raise TicketError([gettext("merge: %(duplicate)s and %(survivor)s belong to different accounts.",
                                   duplicate=duplicate.title.prefixed, survivor=survivor.title.prefixed)])
    if survivor.get("Merged into"):
        raise TicketError([gettext("merge: %(survivor)s was itself merged into %(into)s; merge into that ticket.",
                                   survivor=survivor.title.prefixed, into=survivor.get("Merged into"))])
    if not survivor.is_open:
        raise TicketError([gettext("merge: %(survivor)s is %(status)s; merge into an open ticket.",
                                   survivor=survivor.title.prefixed, status=status_label(survivor.status))])
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
