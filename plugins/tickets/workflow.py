"""The status workflow: which status may follow which, as admins write it on ``Project:Ticket workflow``.

The page is a list, one line per status: ``* Open → In progress, Resolved`` (``->`` works
too).  ``parse_workflow`` raises ``WorkflowError`` naming each bad line; ``check_transition``
returns the refusal message that names the allowed next statuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext

STATUSES = ("New", "Open", "In progress", "Waiting on customer", "Testing", "Resolved", "Closed")
CLOSED_STATUSES = frozenset({"Resolved", "Closed"})
#: How the interface shows each status (the page text keeps the English value the template declares).
STATUS_LABELS = {"New": lazy_gettext("New"), "Open": lazy_gettext("Open"), "In progress": lazy_gettext("In progress"),
                 "Waiting on customer": lazy_gettext("Waiting on customer"), "Testing": lazy_gettext("Testing"),
                 "Resolved": lazy_gettext("Resolved"), "Closed": lazy_gettext("Closed")}
_LINE = re.compile(r"^\*\s*(.+?)\s*(?:→|->)\s*(.*)$")

DEFAULT_TEXT = """Which status a ticket may move to from each status. One line per status:
`* From → To, To`. The page is checked when it is saved; tickets follow it at once.

* New → Open, In progress, Waiting on customer, Resolved, Closed
* Open → In progress, Waiting on customer, Testing, Resolved, Closed
* In progress → Open, Waiting on customer, Testing, Resolved, Closed
* Waiting on customer → Open, In progress, Resolved, Closed
* Testing → In progress, Resolved, Closed
* Resolved → Open, Closed
* Closed → Open
"""


class WorkflowError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def status_label(value: str) -> str:
    """The status as the interface shows it (an unknown value as it is)."""
    return str(STATUS_LABELS.get(value, value))


def canonical_status(text: str) -> str | None:
    """The status named by ``text`` in any letter case, or ``None``."""
    wanted = " ".join(text.split()).casefold()
    return next((s for s in STATUSES if s.casefold() == wanted), None)


@dataclass(frozen=True)
class Workflow:
    transitions: dict[str, tuple[str, ...]]

    def allowed(self, current: str) -> tuple[str, ...]:
        return self.transitions.get(current, ())

    def check_transition(self, current: str, new: str) -> str | None:
        """Why ``current → new`` is refused, or ``None`` when allowed (staying put is always allowed)."""
        if current == new:
            return None
        allowed = self.allowed(current)
        if new in allowed:
            return None
        names = ", ".join(map(status_label, allowed)) or gettext("none")
        return gettext("The status cannot change from %(current)s to %(new)s; from %(current)s it may change to: "
                       "%(allowed)s.", current=status_label(current), new=status_label(new), allowed=names)


def parse_workflow(text: str) -> Workflow:
    transitions: dict[str, tuple[str, ...]] = {}
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        found = _LINE.match(line.strip())
        if not found:
            if line.strip().startswith("* "):
                errors.append(gettext("Ticket workflow, line %(line)s: write 'From → To, To'.", line=number))
            continue
        source = canonical_status(found.group(1))
        targets = [t.strip() for t in found.group(2).split(",") if t.strip()]
        bad = [t for t in [found.group(1), *targets] if canonical_status(t) is None]
        if bad:
            errors.append(gettext("Ticket workflow, line %(line)s: unknown status %(bad)s; statuses are %(known)s.",
                                  line=number, bad=", ".join(f"'{b}'" for b in bad), known=", ".join(STATUSES)))
            continue
        transitions[source] = tuple(dict.fromkeys(canonical_status(t) for t in targets))
    if not transitions and not errors:
        errors.append(gettext("Ticket workflow: the page lists no status changes ('* From → To, To')."))
    if errors:
        raise WorkflowError(errors)
    return Workflow(transitions)


DEFAULT_WORKFLOW = parse_workflow(DEFAULT_TEXT)
