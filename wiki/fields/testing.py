"""Helpers for tests that need structured fields: a ticket template with declared fields
and a form for it (other packages' tests may use them too)."""

from __future__ import annotations

from wiki.pages import save_page
from wiki.permissions import SYSTEM

TICKET_TEMPLATE = """**Status:** {{{Status|New}}} · **Priority:** {{{Priority|}}} · **Due:** {{{Due|}}}

{{{Description|}}}
<includeonly>[[Category:Tickets]]</includeonly><noinclude>
{{#declare: Subject = text required
 | Status = enum(New, Open, In progress, Resolved, Closed) required default=New
 | Priority = enum(P1, P2, P3, P4)
 | Due = date
 | Hours = decimal
 | Tags = list(text)
 | Assignee = user
 | Urgent = boolean
 | Description = longtext }}
</noinclude>"""

TICKET_FORM = """Open a ticket with this form.

{{#form: template=Ticket | title=Ticket:{counter} | roles=customer, staff, analyst | summary=New ticket
 | Subject = text ; One line that says what is wrong
 | Description = textarea ; What happened, step by step
 | Status
 | Priority = radio
 | Due
 | Tags
 | Assignee = user ; Who should handle it
 | Urgent }}"""


def ticket(subject: str, **fields: str) -> str:
    """Wikitext of a page calling ``{{Ticket}}`` with ``Subject`` and the given fields."""
    params = "".join(f"\n|{name}={value}" for name, value in {"Subject": subject, **fields}.items())
    return "{{Ticket" + params + "\n}}"


def install_tickets(site, form: bool = True) -> None:
    """Save ``Template:Ticket`` (with its declaration) and, if wanted, ``Form:Ticket``."""
    pages = [("Template:Ticket", TICKET_TEMPLATE)] + ([("Form:Ticket", TICKET_FORM)] if form else [])
    for title, text in pages:
        with site.db.write() as session:
            save_page(site, session, site.titles.parse(title), text, SYSTEM)
