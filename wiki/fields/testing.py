"""Helpers for tests that need structured fields: an ``Issue`` template with declared fields, a
form for it, and a plugin adding the ``Issue:`` namespace where customers create pages of their
account (other packages' tests may use them too).

The tickets plugin's ``Ticket:`` namespace is no stand-in: only its ticket service creates pages
there, and ``{{Ticket}}`` counts only on them.
"""

from __future__ import annotations

from wiki.hookspecs import hookimpl
from wiki.namespaces import DEFAULT_RIGHTS, Namespace
from wiki.pages import save_page
from wiki.permissions import SYSTEM

ISSUE_NS = 3900
ISSUE_TEMPLATE = """**Status:** {{{Status|New}}} · **Priority:** {{{Priority|}}} · **Due:** {{{Due|}}}

{{{Description|}}}
<includeonly>[[Category:Issues]]</includeonly><noinclude>
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

ISSUE_FORM = """Report an issue with this form.

{{#form: template=Issue | title=Issue:{counter} | roles=customer, staff, analyst | summary=New issue
 | Subject = text ; One line that says what is wrong
 | Description = textarea ; What happened, step by step
 | Status
 | Priority = radio
 | Due
 | Tags
 | Assignee = user ; Who should handle it
 | Urgent }}"""


class IssuesPlugin:
    """Adds ``Issue:`` (3900) and ``Issue talk:`` (3901), with the rights of ``Ticket:`` but none
    of its service: staff, analysts and a page's own account read pages there; customers create
    and edit them, and what they create belongs to their account."""

    @hookimpl
    def register_namespaces(self):
        writers = ("staff", "admin", "customer")
        rights = {**DEFAULT_RIGHTS, "read": ("staff", "admin", "analyst"), "create": writers, "edit": writers}
        return [Namespace(ISSUE_NS, "Issue", rights=tuple(rights.items()), source="issues"),
                Namespace(ISSUE_NS + 1, "Issue talk", source="issues")]


def issue(subject: str, **fields: str) -> str:
    """Wikitext of a page calling ``{{Issue}}`` with ``Subject`` and the given fields."""
    params = "".join(f"\n|{name}={value}" for name, value in {"Subject": subject, **fields}.items())
    return "{{Issue" + params + "\n}}"


def install_issues(site, form: bool = True) -> None:
    """Save ``Template:Issue`` (with its declaration) and, if wanted, ``Form:Issue``."""
    pages = [("Template:Issue", ISSUE_TEMPLATE)] + ([("Form:Issue", ISSUE_FORM)] if form else [])
    for title, text in pages:
        with site.db.write() as session:
            save_page(site, session, site.titles.parse(title), text, SYSTEM)
