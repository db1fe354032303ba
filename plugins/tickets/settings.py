"""The help desk's settings, kept on wiki pages that admins edit: the workflow, the service
levels and the departments (with their leads).  Each page is parsed when it is read (and
checked when it is saved, see ``hooks.validate_page_save``); a missing page means the
shipped defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy.orm import Session

from plugins.tickets import sla, workflow
from wiki.accounts import find_user
from wiki.models import User

WORKFLOW_PAGE = "Project:Ticket workflow"
SERVICE_LEVELS_PAGE = "Project:Service levels"
DEPARTMENTS_PAGE = "Project:Ticket departments"
_DEPARTMENT = re.compile(r"^\*\s*([^()]+?)\s*(?:\(\s*lead\s*:\s*([^()\s][^()]*?)\s*\))?\s*$", re.I)

DEPARTMENTS_TEXT = """The departments tickets are sent to, one per line, with the lead who is told about
SLA breaches and gets escalated tickets: `* Name (lead: User name)`.

* Support
* Billing
* Operations
"""


class DepartmentsError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


#: Roles a department lead may have: leads are told about breaches and get escalated tickets.
LEAD_ROLES = ("staff", "admin")


@dataclass(frozen=True)
class Department:
    name: str
    lead: str | None = None
    #: The line of ``Project:Ticket departments`` that names it (for error messages).
    line: int = field(default=0, compare=False)


def parse_departments(text: str) -> list[Department]:
    found: list[Department] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip().startswith("* "):
            continue
        match = _DEPARTMENT.match(line.strip())
        if not match:
            errors.append(gettext("Ticket departments, line %(line)s: write '* Name' or '* Name (lead: User)'.",
                                  line=number))
            continue
        found.append(Department(" ".join(match.group(1).split()), match.group(2), number))
    if not found and not errors:
        errors.append(gettext("Ticket departments: the page lists no departments ('* Name')."))
    if errors:
        raise DepartmentsError(errors)
    return found


def _unfit_lead(user: User | None, name: str) -> str | None:
    """Why the user called ``name`` cannot lead a department, or ``None`` when they can."""
    if user is None:
        return gettext("there is no user called '%(name)s'", name=name)
    if user.role not in LEAD_ROLES:
        return gettext("'%(name)s' is not staff or an admin", name=name)
    if user.disabled:
        return gettext("the user '%(name)s' is disabled", name=name)
    return None


def lead_of(session: Session, item: Department | None) -> User | None:
    """The department's lead, while that user may still lead (the page was checked when saved,
    but the user may have been disabled or given another role since)."""
    if item is None or item.lead is None:
        return None
    user = find_user(session, item.lead)
    return user if _unfit_lead(user, item.lead) is None else None


def lead_errors(session: Session, found: list[Department]) -> list[str]:
    """Why a named lead cannot lead (no such user, not staff or an admin, disabled), per department."""
    errors: list[str] = []
    for item in found:
        why = _unfit_lead(find_user(session, item.lead), item.lead) if item.lead is not None else None
        if why is None:
            continue
        errors.append(gettext("Ticket departments, line %(line)s: the lead of %(department)s must be an existing "
                              "staff member or admin; %(why)s.", line=item.line, department=item.name, why=why))
    return errors


def check_departments(session: Session, text: str) -> list[Department]:
    """The departments of ``text``, whose leads must be existing staff or admins."""
    found = parse_departments(text)
    errors = lead_errors(session, found)
    if errors:
        raise DepartmentsError(errors)
    return found


def _text(site, session: Session, name: str) -> str | None:
    return site.current_text(session, site.titles.parse(name))


def current_workflow(site, session: Session) -> workflow.Workflow:
    text = _text(site, session, WORKFLOW_PAGE)
    try:
        return workflow.parse_workflow(text) if text else workflow.DEFAULT_WORKFLOW
    except workflow.WorkflowError:
        return workflow.DEFAULT_WORKFLOW  # saves are checked; this is only reached by a stale page


def service_levels(site, session: Session) -> sla.ServiceLevels:
    text = _text(site, session, SERVICE_LEVELS_PAGE)
    try:
        return sla.parse_service_levels(text or sla.DEFAULT_TEXT)
    except sla.SlaConfigError:
        return sla.parse_service_levels(sla.DEFAULT_TEXT)


def departments(site, session: Session) -> list[Department]:
    text = _text(site, session, DEPARTMENTS_PAGE)
    try:
        return parse_departments(text or DEPARTMENTS_TEXT)
    except DepartmentsError:
        return parse_departments(DEPARTMENTS_TEXT)


def department(site, session: Session, name: str) -> Department | None:
    wanted = " ".join(name.split()).casefold()
    return next((d for d in departments(site, session) if d.name.casefold() == wanted), None)


def check_settings_page(session: Session, prefixed: str, text: str) -> list[str]:
    """Errors of a settings page's new text (``[]`` for other pages or good text)."""
    parsers = {WORKFLOW_PAGE: (workflow.parse_workflow, workflow.WorkflowError),
               SERVICE_LEVELS_PAGE: (sla.parse_service_levels, sla.SlaConfigError),
               DEPARTMENTS_PAGE: (lambda text: check_departments(session, text), DepartmentsError)}
    if prefixed not in parsers:
        return []
    parse, error = parsers[prefixed]
    try:
        parse(text)
    except error as exc:
        return exc.messages
    return []
