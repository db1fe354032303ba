"""What the edit form starts from besides the current text: an undo of one change, an old
revision to restore, or a new talk-page section appended under its subject."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from wiki.collab.history import UndoError, undo_text
from wiki.models import Page
from wiki.permissions import Actor
from wiki.revisions import RevisionNotFound, readable_revision
from wiki.site import Site
from wiki.titles import Title


@dataclass
class Prefill:
    """The edit form's text and summary, and errors to show (with the status to answer)."""

    text: str
    summary: str = ""
    errors: list[str] = field(default_factory=list)
    status: int = 200


def _revision_number(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name, "")
    if raw == "":
        return None
    if not raw.isdigit():
        raise ValueError(f"{name} must be a revision number, not {raw!r}.")
    return int(raw)


def edit_prefill(site: Site, session: Session, actor: Actor, title: Title, page: Page | None, current_text: str,
                 args: Mapping[str, str]) -> Prefill:
    """``?undo=N&undoafter=M`` (the change taken back, merged onto the current text) or
    ``?oldid=N`` (an old revision to restore); otherwise the current text.  Revisions are
    read as ``actor`` may read them (``readable_revision``)."""
    try:
        undo = _revision_number(args, "undo")
        undoafter = _revision_number(args, "undoafter")
        oldid = _revision_number(args, "oldid")
    except ValueError as exc:
        return Prefill(current_text, errors=[str(exc)], status=400)
    if page is None or (undo is None and oldid is None):
        return Prefill(current_text)
    try:
        if undo is not None:
            undone = readable_revision(site, session, actor, title, page, undo)
            return Prefill(undo_text(site, session, actor, title, page, undo, undoafter),
                           summary=f"Undo revision {undo} by {undone.user_text}")
        old = readable_revision(site, session, actor, title, page, oldid)
        return Prefill(old.text, summary=f"Restore revision {old.id} by {old.user_text}")
    except RevisionNotFound as exc:
        return Prefill(current_text, errors=[str(exc)], status=404)
    except UndoError as exc:
        return Prefill(current_text, errors=[str(exc)], status=409)


def new_section_text(current: str, subject: str, body: str) -> str:
    """The page with a new ``## subject`` section (MediaWiki's ``section=new``) at the end."""
    subject = " ".join(subject.split())
    heading = f"## {subject}\n\n" if subject else ""
    return f"{current.rstrip()}\n\n{heading}{body.strip()}\n" if current.strip() else f"{heading}{body.strip()}\n"
