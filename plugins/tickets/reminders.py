"""The reminder job: a ticket that has waited on the customer longer than ``Remind after`` (on
``Project:Service levels``, 3 days by default) gets one mail to its requester per wait.

The reminder is recorded in the ticket's ``Reminded`` field (its time, a revision of the
system), and the wait's start comes from the status history, so a second run, or a run
beside another, sends nothing new until the ticket waits on the customer again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from flask_babel import lazy_gettext
from sqlalchemy import select

from plugins.tickets import clock, notify, settings
from plugins.tickets.ticket import TICKET_NS, format_moment, load, save_changes
from wiki.fields.models import FieldValue
from wiki.models import Page
from wiki.pages import EditConflict, SaveError
from wiki.permissions import SYSTEM

log = logging.getLogger(__name__)


def _waiting_tickets(site) -> list[str]:
    waiting = select(FieldValue.page_id).where(FieldValue.field == "Status", FieldValue.value_text == clock.WAITING)
    with site.db.read() as session:
        return list(session.scalars(select(Page.title).where(
            Page.namespace == TICKET_NS, Page.deleted.is_(False), Page.id.in_(waiting))))


def send_reminders(site, now: datetime | None = None) -> int:
    """Remind the requester of every ticket waiting on them too long; returns how many were reminded."""
    now = now or datetime.now(timezone.utc)
    with site.db.read() as session:
        remind_after = settings.service_levels(site, session).remind_after
    reminded = 0
    for name in _waiting_tickets(site):
        try:
            with site.db.write() as session:
                item = load(site, session, site.titles.make(TICKET_NS, name), lock=True)
                if item is None or item.status != clock.WAITING:
                    continue
                since = clock.waiting_since(session, item.page.id)
                last = item.moment("Reminded")
                if since is None or now - since < remind_after or (last is not None and last >= since):
                    continue
                save_changes(site, session, SYSTEM, item, {"Reminded": format_moment(now)}, now=now,
                             summary="Reminder sent to the requester")
                subject = item.get("Subject")
                notify.notify(site, session, item, SYSTEM, [item.get("Requester")],
                              lazy_gettext("Waiting for your answer: %(subject)s", subject=subject),
                              lazy_gettext("We are waiting for your answer on %(ticket)s (%(subject)s) since "
                                           "%(since)s UTC. Please reply on the ticket page so we can go on.",
                                           ticket=item.title.prefixed, subject=subject,
                                           since=f"{since:%Y-%m-%d %H:%M}"))
                reminded += 1
        except (SaveError, EditConflict) as exc:  # one broken ticket must not stop the others
            log.warning("reminder for Ticket:%s failed: %s", name, exc)
    return reminded
