"""A page's history: visible revisions, revision pairs to compare, undo and rollback.

Everything reads the revisions stored in the database.  Revisions hidden by a deletion
(``ArchivedRevision``) never appear here, even when a page was created again at the title;
an admin sees them through ``Special:Undelete``.  A revision named by its number is read
through ``wiki.revisions.readable_revision``, as on every other path.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wiki.merge import three_way
from wiki.models import Page, Revision
from wiki.pages import SaveResult, save_page
from wiki.permissions import Actor, PermissionDenied
from wiki.revisions import not_archived, readable_revision
from wiki.site import Site
from wiki.titles import Title


class UndoError(ValueError):
    """The change cannot be undone (later edits touch the same lines)."""


class RollbackError(ValueError):
    """There is nothing to roll back, or the last author is someone else."""


def page_revisions(session: Session, page: Page, limit: int = 50, offset: int = 0) -> list[Revision]:
    """Visible revisions, newest first."""
    return list(session.scalars(
        select(Revision).where(Revision.page_id == page.id, not_archived())
        .order_by(Revision.id.desc()).limit(limit).offset(offset)
    ))


def count_revisions(session: Session, page: Page) -> int:
    return session.scalar(select(func.count()).select_from(Revision).where(Revision.page_id == page.id, not_archived()))


def parent_sizes(session: Session, revisions: Iterable[Revision]) -> dict[int, int | None]:
    """Each revision's parent's size (``None`` for a page creation), for the +/- column."""
    revisions = list(revisions)
    parents = {r.parent_id for r in revisions if r.parent_id is not None}
    sizes = dict(session.execute(
        select(Revision.id, Revision.size).where(Revision.id.in_(parents), not_archived())
    ).all()) if parents else {}
    return {r.id: sizes.get(r.parent_id) for r in revisions}


def last_other_author_revision(session: Session, page: Page, user_text: str) -> Revision | None:
    """The newest visible revision not by ``user_text`` (what a rollback of that user restores)."""
    return session.scalar(
        select(Revision).where(Revision.page_id == page.id, Revision.user_text != user_text, not_archived())
        .order_by(Revision.id.desc()).limit(1)
    )


def neighbour(session: Session, page: Page, revision: Revision, newer: bool) -> Revision | None:
    """The visible revision just before (or after) ``revision``."""
    order = Revision.id.asc() if newer else Revision.id.desc()
    cond = Revision.id > revision.id if newer else Revision.id < revision.id
    return session.scalar(select(Revision).where(Revision.page_id == page.id, cond, not_archived())
                          .order_by(order).limit(1))


def _number(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a revision number, or prev, next or cur; not {raw!r}.") from None


def resolve_diff(site: Site, session: Session, actor: Actor, title: Title, page: Page, diff: str,
                 oldid: str | None) -> tuple[Revision | None, Revision]:
    """The (older, newer) pair named by MediaWiki's ``?diff=`` and ``?oldid=``.

    ``diff=N&oldid=M`` compares M with N; ``diff=prev|next|cur`` is relative to ``oldid``
    (or to the current revision); ``diff=N`` alone compares N with the revision before it.
    """
    get = partial(readable_revision, site, session, actor, title, page)
    current = get(page.latest_id)
    anchor = get(_number(oldid, "oldid")) if oldid else current
    if diff in ("prev", ""):
        return neighbour(session, page, anchor, newer=False), anchor
    if diff == "next":
        following = neighbour(session, page, anchor, newer=True)
        return (anchor, following) if following is not None else (anchor, anchor)
    if diff == "cur":
        return anchor, current
    other = get(_number(diff, "diff"))
    if not oldid:
        return neighbour(session, page, other, newer=False), other
    older, newer = sorted((anchor, other), key=lambda r: r.id)
    return older, newer


def undo_text(site: Site, session: Session, actor: Actor, title: Title, page: Page, undo_id: int,
              undoafter_id: int | None) -> str:
    """The current text with the change from ``undoafter`` to ``undo`` taken back (three-way)."""
    get = partial(readable_revision, site, session, actor, title, page)
    undo = get(undo_id)
    after = get(undoafter_id) if undoafter_id is not None else neighbour(session, page, undo, newer=False)
    if after is None:
        raise UndoError(f"Revision {undo_id} created the page; there is no earlier text to go back to.")
    if after.id >= undo.id:
        raise UndoError(f"undoafter ({after.id}) must be older than undo ({undo.id}).")
    current = get(page.latest_id)
    result = three_way(undo.text, after.text, current.text)
    if result.conflict:
        raise UndoError("The edit could not be undone because later edits changed the same lines; "
                        "edit the page by hand instead.")
    return result.text


def rollback(site: Site, session: Session, title: Title, from_user: str, actor: Actor) -> SaveResult:
    """Revert every consecutive latest edit by ``from_user`` to the last other author's text (staff)."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff and admins may roll back edits.")
    page = site.get_page(session, title)
    if page is None or page.deleted:
        raise RollbackError(f"The page {title.prefixed} does not exist.")
    latest = readable_revision(site, session, actor, title, page, page.latest_id)
    if latest.user_text != from_user:
        raise RollbackError(f"The last edit to {title.prefixed} was made by {latest.user_text}, not {from_user}; "
                            "someone else has edited the page since.")
    target = last_other_author_revision(session, page, from_user)
    if target is None:
        raise RollbackError(f"{from_user} is the only author of {title.prefixed}; there is nothing to roll back to.")
    summary = f"Reverted edits by {from_user} to the last revision by {target.user_text} ({target.id})"
    return save_page(site, session, title, target.text, actor, summary=summary, minor=True,
                     base_revision_id=latest.id)


def change_notes(site: Site, session: Session, pairs: Iterable[tuple[int | None, int]]) -> dict:
    """What plugins say changed between each revision pair besides the text (field changes)."""
    pairs = list(dict.fromkeys(pairs))
    notes: dict[tuple[int | None, int], list[str]] = {}
    if not pairs:
        return notes
    for answer in site.hook.describe_revision_changes(site=site, session=session, pairs=pairs):
        for pair, lines in (answer or {}).items():
            notes.setdefault(pair, []).extend(lines)
    return notes
