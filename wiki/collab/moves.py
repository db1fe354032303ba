"""Moving (renaming), deleting and undeleting pages.

A move renames the page row (its history goes with it), re-derives the moved page's link
tables, may leave a redirect page at the old title and may move the talk page too.  A
deletion marks the page deleted and hides its revisions (``ArchivedRevision``) without
destroying them; an undeletion restores them all.  Every one of these is a log entry, and
fires ``page_moved``, ``page_deleted`` or ``page_undeleted`` inside the transaction.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from wiki.collab.logs import add_log
from wiki.collab.models import ArchivedRevision, PageRestriction
from wiki.collab.watch import copy_watches
from wiki.models import LogEntry, Page, RedirectLink, Revision
from wiki.pages import _touch_linking_pages, rederive_page, save_page
from wiki.permissions import Actor
from wiki.revisions import not_archived
from wiki.site import Site
from wiki.titles import Title


class MoveError(ValueError):
    """The page cannot be moved, deleted or restored as asked; the message says why."""


def _existing(site: Site, session: Session, title: Title) -> Page:
    page = site.get_page(session, title)
    if page is None or page.deleted:
        raise MoveError(f"The page {title.prefixed} does not exist.")
    return page


def _is_redirect_back(session: Session, target: Page, source: Title) -> bool:
    """A redirect to ``source`` with a single revision: safe to replace, nothing is lost."""
    if not target.is_redirect:
        return False
    revisions = session.scalar(select(func.count()).select_from(Revision).where(Revision.page_id == target.id))
    link = session.get(RedirectLink, target.id)
    return revisions == 1 and link is not None and (link.namespace, link.title) == source.key


def move_page(site: Site, session: Session, title: Title, new_title: Title, actor: Actor, reason: str = "",
              move_talk: bool = True, leave_redirect: bool = True, now: datetime | None = None) -> list[LogEntry]:
    """Rename ``title`` to ``new_title``; returns the log entries (the page's, then its talk page's)."""
    now = now or datetime.now(timezone.utc)
    if new_title.is_special or title.is_special:
        raise MoveError("Special pages cannot be moved.")
    if new_title.key == title.key:
        raise MoveError("The new title is the same as the old one.")
    if title.namespace.is_talk != new_title.namespace.is_talk and move_talk:
        raise MoveError("A page cannot be moved between a talk and a subject namespace together with its "
                        "talk page; untick 'move the talk page too'.")
    page = _existing(site, session, title)
    site.policy.check(actor, "move", title, page)
    site.policy.check(actor, "move", new_title)
    site.policy.check(actor, "create", new_title)
    target = site.get_page(session, new_title)
    if target is not None:
        if target.deleted:
            raise MoveError(f"A deleted page exists at {new_title.prefixed}; an admin must restore it, "
                            "or choose another title.")
        if not _is_redirect_back(session, target, title):
            raise MoveError(f"The page {new_title.prefixed} already exists; choose another title.")
        _absorb_redirect(site, session, target, new_title, page, actor, now)
    page.namespace, page.title, page.touched = new_title.ns, new_title.text, now
    session.flush()
    rederive_page(site, session, page, now)
    _touch_linking_pages(session, new_title, now)
    copy_watches(session, title, new_title)
    entry = add_log(session, "move", "move_redir" if leave_redirect else "move", actor, title, page.id, reason,
                    {"target": new_title.prefixed, "redirect": leave_redirect}, now)
    if leave_redirect:
        save_page(site, session, title, f"#REDIRECT [[{new_title.prefixed}]]", actor,
                  summary=f"Moved to [[{new_title.prefixed}]]", account_id=page.account_id, now=now)
    else:
        _touch_linking_pages(session, title, now)
    site.hook.page_moved(site=site, session=session, page=page, old_title=title, new_title=new_title, actor=actor)
    entries = [entry]
    old_talk, new_talk = site.titles.talk_page(title), site.titles.talk_page(new_title)
    if move_talk and not title.namespace.is_talk and old_talk and new_talk:
        talk = site.get_page(session, old_talk)
        if talk is not None and not talk.deleted:
            entries += move_page(site, session, old_talk, new_talk, actor, reason, move_talk=False,
                                 leave_redirect=leave_redirect, now=now)
    return entries


def _absorb_redirect(site: Site, session: Session, target: Page, target_title: Title, source: Page,
                     actor: Actor, now: datetime) -> None:
    """Free ``target_title`` for the move: its one-revision redirect joins the source page's
    history as a hidden (deleted) revision, logged, and its page row goes."""
    entry = add_log(session, "delete", "delete", actor, target_title, target.id,
                    "Deleted to make way for a move", {"redirect": True}, now)
    site.hook.clear_derived_data(site=site, session=session, page=target)
    for revision in session.scalars(select(Revision).where(Revision.page_id == target.id)):
        revision.page_id = source.id
        revision.parent_id = None
        session.add(ArchivedRevision(revision_id=revision.id, page_id=source.id, log_id=entry.id))
    session.execute(delete(PageRestriction).where(PageRestriction.page_id == target.id))
    target.latest_id = None
    session.flush()
    session.delete(target)
    session.flush()


def delete_page(site: Site, session: Session, title: Title, actor: Actor, reason: str = "",
                now: datetime | None = None) -> LogEntry:
    """Mark the page deleted and hide its revisions; derived data are cleared."""
    now = now or datetime.now(timezone.utc)
    page = _existing(site, session, title)
    site.policy.check(actor, "delete", title, page)
    if not reason.strip():
        raise MoveError("Give a reason for the deletion.")
    entry = add_log(session, "delete", "delete", actor, title, page.id, reason, {}, now)
    visible = select(Revision.id).where(Revision.page_id == page.id, not_archived())
    session.execute(insert(ArchivedRevision).from_select(
        ["revision_id", "page_id", "log_id"],
        select(Revision.id, Revision.page_id, entry.id).where(Revision.id.in_(visible)),
    ))
    page.deleted = True
    page.touched = now
    site.hook.clear_derived_data(site=site, session=session, page=page)
    _touch_linking_pages(session, title, now)
    site.hook.page_deleted(site=site, session=session, page=page, title=title, actor=actor, reason=reason)
    return entry


def archived_revisions(session: Session, page: Page) -> list[Revision]:
    """The page's hidden revisions, newest first (for admins, on Special:Undelete)."""
    return list(session.scalars(
        select(Revision).join(ArchivedRevision, ArchivedRevision.revision_id == Revision.id)
        .where(ArchivedRevision.page_id == page.id).order_by(Revision.id.desc())
    ))


def undelete_page(site: Site, session: Session, title: Title, actor: Actor, reason: str = "",
                  now: datetime | None = None) -> LogEntry:
    """Restore every hidden revision of the page and re-derive its data (admins)."""
    now = now or datetime.now(timezone.utc)
    page = site.get_page(session, title)
    if page is None or not archived_revisions(session, page):
        raise MoveError(f"{title.prefixed} has no deleted revisions to restore.")
    site.policy.check(actor, "delete", title, page)
    restored = session.execute(delete(ArchivedRevision).where(ArchivedRevision.page_id == page.id)).rowcount
    if page.deleted:
        # a page created again since keeps its current revision; the restored ones join its history
        page.deleted = False
        page.latest_id = session.scalar(select(func.max(Revision.id)).where(Revision.page_id == page.id))
        page.length = session.get(Revision, page.latest_id).size
    session.flush()
    rederive_page(site, session, page, now)
    _touch_linking_pages(session, title, now)
    entry = add_log(session, "delete", "restore", actor, title, page.id, reason, {"revisions": restored}, now)
    site.hook.page_undeleted(site=site, session=session, page=page, title=title, actor=actor)
    return entry

