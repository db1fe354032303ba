"""Staff triage: changing a ticket's status, priority, category, department and assignee, one
ticket or many at once.  Each change is a normal save of the ticket page with a summary such
as ``Status: Open → Resolved``; the workflow itself is enforced on every save (see
``hooks.validate_page_save``), so the refusal names the statuses that are allowed.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext
from sqlalchemy.orm import Session

from plugins.tickets import clock, settings
from plugins.tickets.clock import WAITING
from plugins.tickets.opening import TicketError
from plugins.tickets.ticket import (PRIORITIES, Ticket, call_params, find_ticket_call, format_moment, load, save_changes,
                                    ticket_categories, ticket_title)
from plugins.tickets.workflow import canonical_status
from wiki.accounts import find_user
from wiki.models import Revision
from wiki.pages import EditConflict, SaveError, SaveResult
from wiki.permissions import Actor, PermissionDenied

#: What customers may do to their own tickets through the plugin: close and reopen.
CUSTOMER_STATUSES = ("Closed", "Open")


def _normalise(site, session: Session, values: dict[str, str]) -> dict[str, str]:
    """Canonical spellings of the values staff chose; raises ``TicketError`` naming each bad one."""
    out: dict[str, str] = {}
    errors: list[str] = []
    for name, raw in values.items():
        value = " ".join((raw or "").split())
        if name == "Status":
            out[name] = canonical_status(value) or ""
            if not out[name]:
                errors.append(gettext("status: '%(value)s' is not a ticket status.", value=raw))
        elif name == "Priority":
            out[name] = value.upper()
            if out[name] not in PRIORITIES:
                errors.append(gettext("priority: '%(value)s' is not one of P1, P2, P3, P4.", value=raw))
        elif name == "Category":
            categories = ticket_categories(site, session)
            out[name] = next((c for c in categories if c.casefold() == value.casefold()), "") if value else ""
            if value and not out[name]:
                errors.append(gettext("category: '%(value)s' is not a ticket category; choose one of %(known)s.",
                                      value=raw, known=", ".join(categories)))
        elif name == "Department":
            found = settings.department(site, session, value)
            out[name] = found.name if found else ""
            if not found:
                errors.append(gettext("department: '%(value)s' is not a department.", value=raw))
        elif name == "Assignee":
            user = find_user(session, value) if value else None
            out[name] = user.name if user else ""
            if value and (user is None or user.role not in ("staff", "admin")):
                errors.append(gettext("assignee: '%(value)s' is not a staff member.", value=raw))
        else:
            raise ValueError(f"the field {name} is not changed by triage")
    if errors:
        raise TicketError(errors)
    return out


def status_effects(site, session: Session, item: Ticket, new: str, now: datetime) -> dict[str, str]:
    """Fields that follow a status change: the resolution time, and due times pushed back by
    the time the ticket spent waiting on the customer (the SLA clock pauses)."""
    values: dict[str, str] = {}
    if new in ("Resolved", "Closed") and not item.get("Resolved"):
        values["Resolved"] = format_moment(now)
    if new not in ("Resolved", "Closed") and item.get("Resolved"):
        values["Resolved"] = ""
    if item.status == WAITING and new != WAITING:
        values.update(clock.resumed_due_times(site, session, item.page.id, item.params, now)[0])
    return values


def _values_at(site, session: Session, item: Ticket, revision_id: int) -> dict[str, str]:
    """The ticket's values in one of its revisions (``{}`` for another page's revision)."""
    revision = session.get(Revision, revision_id)
    if revision is None or revision.page_id != item.page.id:
        return {}
    return call_params(find_ticket_call(site, revision.text))


def change(site, session: Session, actor: Actor, item: Ticket, values: dict[str, str], summary: str = "",
           base_revision_id: int | None = None, section: tuple[str, str] | None = None,
           now: datetime | None = None, computed: dict[str, str] | None = None) -> SaveResult:
    """Change fields of one ticket (with the status's side effects) as one revision.

    ``values`` are what the user chose (checked and normalised here); ``computed`` are
    values the plugin worked out itself (times), written as they are.  With
    ``base_revision_id`` (the revision the user's form showed) only the values the user
    changed from it count, so a stale form never reverts what others changed meanwhile.
    """
    now = now or datetime.now(timezone.utc)
    site.policy.check(actor, "edit", item.title, item.page)
    if not actor.is_staff and (set(values) - {"Status"} or values.get("Status", "Open") not in CUSTOMER_STATUSES):
        raise PermissionDenied(gettext("Customers may only close or reopen their tickets; staff change the other "
                                       "fields."))
    chosen = _normalise(site, session, values)
    if base_revision_id is not None and base_revision_id != item.revision.id:
        seen = _values_at(site, session, item, base_revision_id)
        chosen = {name: value for name, value in chosen.items() if value != seen.get(name.casefold(), "")}
    values = {**chosen, **(computed or {})}
    if "Status" in values and values["Status"] != item.status:
        values.update(status_effects(site, session, item, values["Status"], now))
    return save_changes(site, session, actor, item, values, summary=summary, base_revision_id=base_revision_id,
                        section=section, now=now)


def assign_values(item: Ticket, assignee: str = "", department: str = "") -> dict[str, str]:
    """Values that assign ``item`` to a user, or to a department (which drops the assignee)."""
    values = {"Assignee": assignee}
    if department:
        values["Department"] = department
    if item.status == "New" and assignee:
        values["Status"] = "Open"
    return values


BULK_ACTIONS = ("assign", "assign_me", "department", "status", "priority", "category")


def bulk(site, actor: Actor, numbers: list[int], action: str, value: str,
         now: datetime | None = None) -> list[tuple[int, str | None]]:
    """Apply one action to many tickets, each its own save; returns ``(number, error or None)``."""
    if not actor.is_staff:
        raise PermissionDenied(gettext("Bulk actions are for staff."))
    if action not in BULK_ACTIONS:
        raise TicketError([gettext("action: '%(value)s' is not one of %(known)s.", value=action,
                                   known=", ".join(BULK_ACTIONS))])
    outcomes: list[tuple[int, str | None]] = []
    for number in numbers:
        try:
            with site.db.write() as session:
                item = load(site, session, ticket_title(site, number), lock=True)
                if item is None or not site.policy.allows(actor, "read", item.title, item.page):
                    outcomes.append((number, gettext("Ticket:%(number)s does not exist.", number=number)))
                    continue
                if action in ("assign", "assign_me"):
                    values = assign_values(item, actor.name if action == "assign_me" else value)
                elif action == "department":
                    values = assign_values(item, department=value)
                else:
                    values = {action.capitalize(): value}
                change(site, session, actor, item, values, summary="Bulk change", now=now)
            outcomes.append((number, None))
        except (TicketError, SaveError) as exc:
            outcomes.append((number, "; ".join(exc.messages)))
        except (PermissionDenied, EditConflict) as exc:
            outcomes.append((number, str(exc)))
    return outcomes
