"""A ticket as the plugin sees it: a ``Ticket:<number>`` page whose ``{{Ticket|...}}`` call holds
its fields.  Reading the call, writing a new ticket's text, and saving field changes as a
normal revision (only the call's lines change, so concurrent edits merge three-way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.collab.editing import new_section_text
from wiki.fields.forms.wikitext import CallSpan, build_call, escape_value, find_call, rewrite_call, unescape_value
from wiki.models import CategoryLink, Page, Revision
from wiki.namespaces import CATEGORY, TEMPLATE
from wiki.pages import SaveResult, save_page
from wiki.permissions import Actor
from wiki.titles import InvalidTitle, Title

TICKET_NS = 3000
TICKET_TALK_NS = 3001
#: The service named by ``created_by`` in ``namespaces/ticket.toml``: only actors acting
#: through it (``Actor.via_service``) create pages in the Ticket namespace.
SERVICE = "tickets"
#: A ticket number as a title writes it: ASCII digits, no sign, no leading zero.
_NUMBER = re.compile(r"[1-9][0-9]*")
TEMPLATE_NAME = "Ticket"
CATEGORY_PARENT = "Ticket categories"
PRIORITIES = {"P1": lazy_gettext("critical"), "P2": lazy_gettext("high"), "P3": lazy_gettext("medium"),
              "P4": lazy_gettext("low")}
#: Parameters of the call, in the order a new ticket writes them (``Category`` is a wiki
#: category, not a declared field).
PARAMS = ("Number", "Subject", "Requester", "Account", "Department", "Category", "Priority", "Status",
          "Assignee", "Opened", "First response", "Resolved", "Response due", "Resolution due",
          "External id", "Merged into", "Breaches", "Reminded", "Description")


def format_moment(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def parse_moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class Ticket:
    title: Title
    page: Page
    revision: Revision
    params: dict[str, str]

    @property
    def number(self) -> int:
        return int(self.title.text)

    def get(self, name: str) -> str:
        return self.params.get(name.casefold(), "")

    def moment(self, name: str) -> datetime | None:
        return parse_moment(self.get(name)) if self.get(name) else None

    @property
    def status(self) -> str:
        return self.get("Status") or "New"

    @property
    def priority(self) -> str:
        return self.get("Priority") or "P3"

    @property
    def is_open(self) -> bool:
        return self.status not in ("Resolved", "Closed")


def _is_ticket_template(site, name: str) -> bool:
    try:
        return site.titles.parse(name, default_namespace=TEMPLATE) == site.titles.make(TEMPLATE, TEMPLATE_NAME)
    except InvalidTitle:
        return False


def find_ticket_call(site, text: str) -> CallSpan | None:
    return find_call(text, lambda name: _is_ticket_template(site, name))


def call_params(span: CallSpan | None) -> dict[str, str]:
    """The call's named parameters, by case-folded name, unescaped."""
    if span is None:
        return {}
    return {" ".join(k.replace("_", " ").split()).casefold(): unescape_value(v) for k, v in span.params if k}


def number_of(text: str) -> int | None:
    """The ticket number that the title text ``"1001"`` spells; ``None`` for text that is not a
    number written the one way (``"01001"``, ``"1001.0"``, ``"-1"``, ``"Notes"``)."""
    return int(text) if _NUMBER.fullmatch(text) else None


def ticket_title(site, number: int) -> Title:
    return site.titles.make(TICKET_NS, str(number))


def load(site, session: Session, title: Title, lock: bool = False) -> Ticket | None:
    """The ticket at ``title`` (``None`` when the page is missing, deleted or not a ticket)."""
    if title.ns != TICKET_NS or number_of(title.text) is None:
        return None
    query = select(Page).where(Page.namespace == title.ns, Page.title == title.text)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    page = session.scalar(query)
    if page is None or page.deleted or page.latest_id is None:
        return None
    revision = session.get(Revision, page.latest_id)
    return Ticket(title, page, revision, call_params(find_ticket_call(site, revision.text)))


def new_ticket_text(values: dict[str, str]) -> str:
    """The call with every parameter on its own line, empty ones too: a later change then edits
    a line instead of inserting one, so two concurrent changes of different fields merge."""
    params = [(name, escape_value(values.get(name, ""))) for name in PARAMS]
    return build_call(TEMPLATE_NAME, params)


def describe_changes(ticket: Ticket, values: dict[str, str]) -> str:
    """``Status: Open → Resolved; Assignee: (none) → Bob`` for the fields that really change."""
    parts = [f"{name}: {ticket.get(name) or '(none)'} → {value or '(none)'}"
             for name, value in values.items() if ticket.get(name) != value and name != "Description"]
    return "; ".join(parts)


def save_changes(site, session: Session, actor: Actor, ticket: Ticket, values: dict[str, str], summary: str = "",
                 base_revision_id: int | None = None, section: tuple[str, str] | None = None,
                 now: datetime | None = None) -> SaveResult:
    """Set parameters of the ticket's call (and append a ``(heading, body)`` section) as one revision.

    The change is made on ``base_revision_id``'s text (the revision the user saw), so the
    core merges it with whatever was saved since.
    """
    base = session.get(Revision, base_revision_id) if base_revision_id else ticket.revision
    if base is None or base.page_id != ticket.page.id:
        base = ticket.revision
    text = base.text
    changed = {k: v for k, v in values.items() if ticket.get(k) != v}
    if changed:
        span = find_ticket_call(site, text)
        if span is None:
            raise ValueError(f"{ticket.title.prefixed} does not call {{{{Ticket}}}}; its fields cannot be changed.")
        text = rewrite_call(text, span, changed)
    if section is not None:
        text = new_section_text(text, section[0], section[1])
    summary = "; ".join(part for part in (summary, describe_changes(ticket, changed)) if part)
    return save_page(site, session, ticket.title, text, actor, summary=summary[:500], base_revision_id=base.id, now=now)


def ticket_categories(site, session: Session) -> list[str]:
    """Names of the subcategories of ``Category:Ticket categories`` (the ticket categories)."""
    rows = session.scalars(
        select(Page.title).join(CategoryLink, CategoryLink.from_id == Page.id)
        .where(CategoryLink.category == CATEGORY_PARENT, Page.namespace == CATEGORY, Page.deleted.is_(False))
        .order_by(Page.title)
    )
    return list(rows)
