"""Staff's special pages: ``Special:TicketQueue`` (open, unassigned tickets by department and
priority, with bulk actions) and ``Special:MyTickets`` (the viewer's open tickets)."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import request
from flask_babel import gettext

from plugins.tickets import listing, settings, triage
from plugins.tickets.ticket import PRIORITIES, ticket_categories
from plugins.tickets.workflow import STATUSES


def _bulk_context(req) -> dict:
    return {"statuses": STATUSES, "priorities": PRIORITIES, "categories": ticket_categories(req.site, req.session),
            "departments": settings.departments(req.site, req.session), "actions": triage.BULK_ACTIONS,
            "now": datetime.now(timezone.utc), "may_change": req.actor.is_staff}


def ticket_queue(req):
    department = request.args.get("department", "") or None
    priority = request.args.get("priority", "") or None
    rows = listing.by_priority(listing.list_tickets(req.site, req.session, req.actor, unassigned=True,
                                                    department=department, priority=priority))
    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        groups.setdefault((row["Department"] or gettext("(no department)"), row["Priority"] or "P3"), []).append(row)
    return "tickets/queue.html", {"groups": sorted(groups.items()), "department": department or "",
                                  "priority": priority or "", "page_title": gettext("Ticket queue: unassigned tickets"),
                                  **_bulk_context(req)}


def my_tickets(req):
    rows = listing.by_priority(listing.list_tickets(req.site, req.session, req.actor, assignee=req.actor.name))
    return "tickets/my_tickets.html", {"rows": rows, "page_title": gettext("My tickets"), **_bulk_context(req)}
