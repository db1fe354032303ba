"""Ticket statistics that ``#ask`` cannot express, as the parser function ``{{#ticketstats: ...}}``:

* ``response`` / ``resolution``: average time from opening to the first response / resolution;
* ``compliance``: the share of tickets that met their first-response and resolution targets;
* ``weekly``: tickets opened and resolved per ISO week (``|weeks=8``), with a line chart.

The dates come from the fields tables in one query per report, filtered by
``site.policy.readable_filter`` for the viewer, so a customer's report covers their
account only.  Results depend on the viewer and the time: the page is never cached.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import urlencode

from flask_babel import gettext, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets.sla import format_duration
from plugins.tickets.ticket import TICKET_NS
from wiki.fields.models import FieldValue
from wiki.models import Page
from wiki.permissions import ANONYMOUS, Actor

DATES = ("Opened", "First response", "Resolved", "Response due", "Resolution due")
KINDS = ("response", "resolution", "compliance", "weekly")
MAX_WEEKS = 104
DATES_KEY = "tickets.dates"


def ticket_dates(site, session: Session, actor: Actor) -> dict[int, dict[str, datetime]]:
    """page id -> {date field: value} of every ticket ``actor`` may read."""
    rows = session.execute(
        select(FieldValue.page_id, FieldValue.field, FieldValue.value_date)
        .join(Page, Page.id == FieldValue.page_id)
        .where(Page.namespace == TICKET_NS, Page.deleted.is_(False), site.policy.readable_filter(actor, Page),
               FieldValue.field.in_(DATES), FieldValue.value_date.is_not(None))
    )
    found: dict[int, dict[str, datetime]] = defaultdict(dict)
    for page_id, name, moment in rows:
        found[page_id][name] = moment
    return found


def average(tickets: dict[int, dict[str, datetime]], end: str) -> tuple[timedelta | None, int]:
    spans = [t[end] - t["Opened"] for t in tickets.values() if "Opened" in t and end in t]
    return (sum(spans, timedelta(0)) / len(spans) if spans else None), len(spans)


def compliance(tickets: dict[int, dict[str, datetime]], done: str, due: str) -> tuple[int, int]:
    """(met, judged): tickets that reached ``done`` by ``due``, of those that reached it."""
    judged = [t for t in tickets.values() if done in t and due in t]
    return sum(1 for t in judged if t[done] <= t[due]), len(judged)


def weekly(tickets: dict[int, dict[str, datetime]], weeks: int, now: datetime) -> list[tuple[str, int, int]]:
    """(ISO week, opened, resolved) for the last ``weeks`` weeks, oldest first."""
    def week(moment: datetime) -> str:
        year, number, _ = moment.isocalendar()
        return f"{year}-W{number:02d}"

    labels = [week(now - timedelta(weeks=i)) for i in range(weeks - 1, -1, -1)]
    counts = {label: [0, 0] for label in labels}
    for t in tickets.values():
        for index, name in enumerate(("Opened", "Resolved")):
            if name in t and week(t[name]) in counts:
                counts[week(t[name])][index] += 1
    return [(label, *counts[label]) for label in labels]


def _percent(met: int, judged: int) -> str:
    if not judged:
        return gettext("no tickets yet")
    return gettext("%(percent)s (%(met)s of %(judged)s)", percent=f"{100 * met / judged:.1f}%", met=met, judged=judged)


def _table(rows: list[tuple]) -> str:
    """A wikitext table: the first row is the header."""
    lines = ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    lines.insert(1, "| " + " | ".join("---" for _ in rows[0]) + " |")
    return "\n".join(lines) + "\n"


def ticketstats_function(call) -> str:
    call.flag("volatile")
    services = call.services
    if services is None:
        return call.error(gettext("#ticketstats needs a database; it cannot run here."))
    kind = call.arg(0).lower()
    if kind not in KINDS:
        return call.error(gettext("#ticketstats: '%(kind)s' is not a report; use one of %(known)s.", kind=kind,
                                  known=", ".join(KINDS)))
    if DATES_KEY not in call.extra:  # one query for all the page's #ticketstats calls
        call.extra[DATES_KEY] = ticket_dates(services.site, services.session, services.actor or ANONYMOUS)
    tickets = call.extra[DATES_KEY]
    if kind in ("response", "resolution"):
        mean, count = average(tickets, "First response" if kind == "response" else "Resolved")
        if mean is None:
            return gettext("no tickets yet")
        return ngettext("%(time)s (average of %(num)s ticket)", "%(time)s (average of %(num)s tickets)", count,
                        time=format_duration(mean))
    if kind == "compliance":
        rows = [(gettext("Target"), gettext("Met")),
                (gettext("First response"), _percent(*compliance(tickets, "First response", "Response due"))),
                (gettext("Resolution"), _percent(*compliance(tickets, "Resolved", "Resolution due")))]
        return _table(rows)
    raw = call.named().get("weeks", "8")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WEEKS:
        return call.error(gettext("#ticketstats: weeks must be a number from 1 to %(most)s, not '%(value)s'.",
                                  most=MAX_WEEKS, value=raw))
    rows = weekly(tickets, int(raw), datetime.now(timezone.utc))
    table = _table([(gettext("Week"), gettext("Opened"), gettext("Resolved")), *rows])
    alt = escape(gettext("Tickets opened per week"))
    chart = call.html(f'<figure class="ask-chart"><img src="/tickets/reports/weekly.svg?{escape(urlencode({"weeks": raw}))}" '
                      f'alt="{alt}"></figure>')
    return chart + "\n\n" + table
