"""The help desk's settings, kept on wiki pages that admins edit: the workflow, the service
levels and the departments (with their leads).  Each page is parsed when it is read (and
checked when it is saved, see ``hooks.validate_page_save``); a missing page means the
shipped defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from plugins.tickets import sla, workflow

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


@dataclass(frozen=True)
class Department:
    name: str
    lead: str | None = None


def parse_departments(text: str) -> list[Department]:
    found: list[Department] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip().startswith("* "):
            continue
        match = _DEPARTMENT.match(line.strip())
        if not match:
            errors.append(f"Ticket departments, line {number}: write '* Name' or '* Name (lead: User)'.")
            continue
        found.append(Department(" ".join(match.group(1).split()), match.group(2)))
    if not found and not errors:
        errors.append("Ticket departments: the page lists no departments ('* Name').")
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


def check_settings_page(prefixed: str, text: str) -> list[str]:
    """Errors of a settings page's new text (``[]`` for other pages or good text)."""
    parsers = {WORKFLOW_PAGE: (workflow.parse_workflow, workflow.WorkflowError),
               SERVICE_LEVELS_PAGE: (sla.parse_service_levels, sla.SlaConfigError),
               DEPARTMENTS_PAGE: (parse_departments, DepartmentsError)}
    if prefixed not in parsers:
        return []
    parse, error = parsers[prefixed]
    try:
        parse(text)
    except error as exc:
        return exc.messages
    return []
