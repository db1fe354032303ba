"""Page services: saving a page's text as a new revision, and what follows from it.

A save is one transaction: the revision, the page's pointer, the link tables, category
membership and every plugin's derived tables are written together (``update_derived_data``),
and pages whose rendering depends on this page are marked stale.  Work outside the database
(the search index) runs after the commit through ``page_committed``.  Callers pass the
session of a ``site.db.write()`` block and the acting user; nothing here reads the request.

What costs time (the pre-save transform, the merge, the render) is done before the write
transaction when it can be: a ``_Draft`` is prepared in a read session, and the transaction
only checks that what the draft read still holds (see ``save_page``).  Input no database
could store (``wiki.storable``), too long a text and a render past its hard limits
(``wiki.markup.limits``) are refused with a ``SaveError`` before anything is written.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask_babel import gettext
from sqlalchemy import delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wiki.hooktypes import PageChange
from wiki.markup import ParseOutput, RenderContext, presave, render
from wiki.markup.limits import RenderLimitExceeded
from wiki.merge import three_way
from wiki.models import Page, PageLink, RenderCache, Revision, TemplateLink
from wiki.namespaces import USER, USER_TALK
from wiki.permissions import Actor
from wiki.revisions import RevisionNotFound, readable_revision
from wiki.site import Site
from wiki.storable import is_row_id, unstorable
from wiki.titles import Title

log = logging.getLogger(__name__)

#: Largest page text accepted, in bytes of UTF-8 (MediaWiki's default is 2 MiB).
MAX_PAGE_BYTES = 2 * 1024 * 1024
MAX_SUMMARY_CHARS = 500


class SaveError(ValueError):
    """The text cannot be saved; ``messages`` say why.  Nothing was written."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class EditConflict(Exception):
    """Someone saved the page since the editor's base revision and the edits overlap."""

    def __init__(self, title: Title, base_revision_id: int, current: Revision, yours: str):
        super().__init__(f"Edit conflict on {title.prefixed}")
        self.title = title
        self.base_revision_id = base_revision_id
        self.current_revision_id = current.id
        self.current_text = current.text
        self.your_text = yours


@dataclass
class SaveResult:
    page: Page
    revision: Revision | None
    created: bool = False
    merged: bool = False
    changed: bool = True
    output: ParseOutput | None = field(default=None, repr=False)


def normalise_text(text: str) -> str:
    """Line ends as ``\\n``, no trailing white space at the end (as MediaWiki does)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction has committed (dropped on rollback).

    Callbacks run when the committed transaction has ended and handed its connection back to
    the pool, so work that opens its own connection (the search index) never holds two at
    once; many concurrent saves could otherwise exhaust the pool and wait for each other.
    """
    pending = session.info.get("after_commit")
    if pending is None:
        pending = session.info["after_commit"] = []
        committed: list[Callable[[], None]] = []

        def _committed(_session: Session) -> None:
            if _session.in_nested_transaction():
                return  # a savepoint was released; the transaction itself is still open
            committed.extend(pending)
            pending.clear()

        def _run(_session: Session, transaction) -> None:
            if transaction.parent is not None or not committed:
                return
            callbacks, committed[:] = list(committed), []
            for fn in callbacks:
                fn()

        def _drop(_session: Session) -> None:
            if not _session.in_nested_transaction():
                pending.clear()

        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_transaction_end", _run)
        event.listen(session, "after_rollback", _drop)
    pending.append(callback)


def _lock_page(session: Session, title: Title) -> Page | None:
    # populate_existing: a Page the session loaded before it waited for the lock is refreshed,
    # or a concurrent save's new latest revision would be missed (and overwritten)
    return session.scalar(
        select(Page).where(Page.namespace == title.ns, Page.title == title.text).with_for_update()
        .execution_options(populate_existing=True)
    )


def _create_page(session: Session, title: Title, now: datetime, account_id: int | None) -> Page:
    """Insert the page row; if a concurrent save created it first, lock and return that one."""
    page = Page(namespace=title.ns, title=title.text, created_at=now, touched=now, account_id=account_id)
    try:
        with session.begin_nested():
            session.add(page)
            session.flush()
    except IntegrityError:
        existing = _lock_page(session, title)
        if existing is None:
            raise
        return existing
    return page


def _size_error(text: str) -> str | None:
    size = len(text.encode("utf-8"))
    if size <= MAX_PAGE_BYTES:
        return None
    return gettext("The text is %(size)s bytes; a page may hold at most %(most)s bytes.",
                   size=f"{size:,}", most=f"{MAX_PAGE_BYTES:,}")


def _check_input(text: str, summary: str, base_revision_id: int | None, title: Title) -> None:
    """Refuse what no save could store before any work is done on it."""
    errors = [message for message in (unstorable("text", text), unstorable("summary", summary)) if message]
    if not errors:  # the size of text with lone surrogates cannot be measured
        errors += [message for message in (_size_error(text),) if message]
    if base_revision_id is not None and not is_row_id(base_revision_id):
        errors.append(_not_a_revision(base_revision_id, title))
    if errors:
        raise SaveError(errors)


def _not_a_revision(revision_id: int, title: Title) -> str:
    return gettext("Revision %(id)s is not a revision of %(title)s.", id=revision_id, title=title.prefixed)


def _validate(site: Site, session: Session, title: Title, text: str, summary: str, output: ParseOutput,
              actor: Actor) -> None:
    errors = [message for message in (_size_error(text),) if message]
    if len(summary) > MAX_SUMMARY_CHARS:
        errors.append(f"The summary is {len(summary)} characters; at most {MAX_SUMMARY_CHARS} are allowed.")
    if output.refused is not None:
        errors.append(gettext("The page cannot be saved: %(reason)s", reason=output.refused))
    for messages in site.hook.validate_page_save(
        site=site, session=session, title=title, text=text, output=output, actor=actor
    ):
        errors.extend(messages or [])
    if errors:
        raise SaveError(errors)


def _presave(text: str, ctx: RenderContext) -> str:
    try:
        return normalise_text(presave(normalise_text(text), ctx))
    except RenderLimitExceeded as exc:
        raise SaveError([gettext("The page cannot be saved: %(reason)s", reason=exc)]) from None


def prepare_text(site: Site, session: Session, title: Title, text: str, actor: Actor,
                 now: datetime | None = None, account_id: int | None = None, reader: Actor | None = None) -> str:
    """The text as it will be stored: normalised, signatures and ``subst:`` expanded (``reader``
    as in ``Site.render_context``).  Raises ``SaveError`` when expanding ``subst:`` would cost
    more than a render may."""
    return _presave(text, site.render_context(session, title, actor, now=now, account_id=account_id, reader=reader))


def preview(site: Site, session: Session, title: Title, text: str, actor: Actor) -> tuple[ParseOutput, list[str]]:
    """Render unsaved text as it would look saved, with the errors a save would refuse.

    The preview is shown to ``actor`` alone, so it is rendered as ``actor`` reads: whatever
    title the text is previewed on, a page ``actor`` may not read is missing in it."""
    try:
        _check_input(text, "", None, title)
        text = prepare_text(site, session, title, text, actor, reader=actor)
    except SaveError as exc:
        return ParseOutput(), exc.messages
    output = render(text, site.render_context(session, title, actor, reader=actor))
    try:
        _validate(site, session, title, text, "", output, actor)
    except SaveError as exc:
        return output, exc.messages
    return output, []


@dataclass(frozen=True)
class _Edit:
    """What an editor asked ``save_page`` for."""

    title: Title
    text: str
    actor: Actor
    base_revision_id: int | None
    account_id: int | None
    now: datetime


class _RecordedReads:
    """What a render context answered about other pages (their texts for transclusion and
    ``subst:``, whether they exist), so that a draft can tell whether it still holds."""

    def __init__(self, ctx: RenderContext):
        self.texts: dict[tuple[int, str], tuple[Title, str | None]] = {}
        self.asked: dict[tuple[int, str], Title] = {}
        self.found: set[tuple[int, str]] = set()
        fetch_text, existing = ctx.fetch_text, ctx.existing

        def recorded_fetch(title: Title) -> str | None:
            text = fetch_text(title)
            self.texts.setdefault(title.key, (title, text))  # the first answer is what the render used
            return text

        def recorded_existing(titles: Iterable[Title]) -> set[tuple[int, str]]:
            titles = list(titles)
            found = existing(titles)
            self.asked.update((t.key, t) for t in titles)
            self.found |= found
            return found

        ctx.fetch_text, ctx.existing = recorded_fetch, recorded_existing

    def still_hold(self, ctx: RenderContext) -> bool:
        """Whether ``ctx`` (of another session) gives the same answers now."""
        if any(ctx.fetch_text(title) != text for title, text in self.texts.values()):
            return False
        return not self.asked or ctx.existing(list(self.asked.values())) == self.found


def _page_state(page: Page | None) -> tuple | None:
    return None if page is None else (page.id, page.latest_id, page.deleted, page.account_id)


@dataclass
class _Draft:
    """An edit prepared against one state of the database: the text to store, whether it
    was merged, its rendering (``None`` when the text is the current one), and what all
    of that was computed from."""

    page_state: tuple | None
    owner: int | None
    text: str
    merged: bool
    output: ParseOutput | None
    reads: _RecordedReads

    def still_holds(self, site: Site, session: Session, edit: _Edit, page: Page | None) -> bool:
        if _page_state(page) != self.page_state:
            return False
        ctx = site.render_context(session, edit.title, edit.actor, now=edit.now, account_id=self.owner)
        return self.reads.still_hold(ctx)


def _check_permission(site: Site, edit: _Edit, page: Page | None) -> bool:
    """Whether the page exists; raises ``PermissionDenied`` if the editor may not save it."""
    exists = page is not None and not page.deleted
    site.policy.check(edit.actor, "edit" if exists else "create", edit.title, page)
    return exists


def _prepare(site: Site, session: Session, edit: _Edit, page: Page | None) -> _Draft:
    """Check the permission, run the pre-save transform, merge with saves since the base
    revision and render: everything of a save that does not write."""
    title, actor = edit.title, edit.actor
    exists = _check_permission(site, edit, page)
    account_id = edit.account_id
    if page is None and account_id is None and actor.role == "customer" and title.ns not in (USER, USER_TALK):
        account_id = actor.account_id  # what a customer creates belongs to their account
    owner = page.account_id if page is not None else account_id
    ctx = site.render_context(session, title, actor, now=edit.now, account_id=owner)
    reads = _RecordedReads(ctx)
    text = _presave(edit.text, ctx)
    current = session.get(Revision, page.latest_id) if exists and page.latest_id else None
    merged = False
    if edit.base_revision_id is not None and edit.base_revision_id != (current.id if current else None):
        # the base must be a revision of this very page that the editor may read, even when the
        # page is new: an edit must never carry another page's text (or a hidden one) into this one
        try:
            base = readable_revision(site, session, actor, title, page, edit.base_revision_id)
        except RevisionNotFound as exc:
            raise SaveError([str(exc)]) from None
        if current is not None:
            result = three_way(base.text, text, current.text)
            if result.conflict:
                raise EditConflict(title, edit.base_revision_id, current, text)
            text, merged = result.text, True
    unchanged = current is not None and current.text == text
    output = None if unchanged else render(text, ctx)
    return _Draft(_page_state(page), owner, text, merged, output, reads)


def save_page(
    site: Site,
    session: Session,
    title: Title,
    text: str,
    actor: Actor,
    summary: str = "",
    minor: bool = False,
    base_revision_id: int | None = None,
    account_id: int | None = None,
    now: datetime | None = None,
    extra: dict | None = None,
) -> SaveResult:
    """Save ``text`` as the new revision of ``title``.

    ``base_revision_id`` is the revision the editor started from: if someone saved since,
    the two edits are merged three-way, and ``EditConflict`` is raised when they overlap.  It
    must be a revision of this page that ``actor`` may read (``SaveError`` otherwise).
    Saving the current text again makes no revision (``changed`` is false).
    ``account_id`` gives a new page to a customer account (ignored for existing pages).
    ``extra`` is handed to the hooks in ``PageChange.extra`` (for example the edit form's
    "watch this page" choice).

    When ``session`` comes fresh from ``site.db.write()``, the edit is prepared and rendered
    in a read session first, and the write transaction (which holds SQLite's write lock, or
    the page's row lock) only checks that nothing it depended on changed meanwhile; only if
    something did (a concurrent save of the page, a template, a linked page created) is it
    prepared again, under the lock.  A session that has already begun its transaction may
    hold changes a read session would not see: everything then happens in it.
    """
    if title.is_special:
        raise SaveError(["Special pages are generated by the software and cannot be edited."])
    now = now or datetime.now(timezone.utc)
    summary = " ".join(summary.split())
    _check_input(text, summary, base_revision_id, title)
    edit = _Edit(title, text, actor, base_revision_id, account_id, now)
    draft = None
    if not site.db.has_begun(session):
        with site.db.read() as reading:
            draft = _prepare(site, reading, edit, site.get_page(reading, title))
    page = _lock_page(session, title)
    if draft is None or not draft.still_holds(site, session, edit, page):
        draft = _prepare(site, session, edit, page)
    exists = _check_permission(site, edit, page)  # again: protection may have changed meanwhile
    current = session.get(Revision, page.latest_id) if exists and page.latest_id else None
    text, output = draft.text, draft.output
    if output is None:
        return SaveResult(page=page, revision=None, merged=draft.merged, changed=False)
    _validate(site, session, title, text, summary, output, actor)

    created = not exists
    if page is None:
        page = _create_page(session, title, now, draft.owner)
        created = page.latest_id is None
    if page.deleted:
        page.deleted = False
    revision = Revision(
        page_id=page.id,
        parent_id=page.latest_id,
        user_id=actor.user_id,
        user_text=actor.name,
        timestamp=now,
        summary=summary,
        minor=minor and not created,
        text=text,
        sha1=sha1(text),
        size=len(text.encode("utf-8")),
    )
    session.add(revision)
    session.flush()
    page.latest_id = revision.id
    page.length = revision.size
    page.is_redirect = output.redirect is not None
    page.touched = now
    session.flush()

    site.hook.update_derived_data(site=site, session=session, page=page, revision=revision, output=output)
    if "volatile" not in output.flags:
        session.add(RenderCache(revision_id=revision.id, html=output.html, rendered_at=now))
    if created:
        _touch_linking_pages(session, title, now)
    refresh_dependents(site, session, title, now)

    change = PageChange(
        page=page,
        revision=revision,
        previous_revision_id=current.id if current else None,
        previous_text=current.text if current else None,
        output=output,
        actor=actor,
        created=created,
        extra=dict(extra or {}),
    )
    site.hook.page_saved(site=site, session=session, change=change)
    after_commit(session, lambda: site.hook.page_committed(site=site, change=change))
    return SaveResult(page=page, revision=revision, created=created, merged=draft.merged, output=output)


def _touch_linking_pages(session: Session, title: Title, now: datetime) -> None:
    """Pages that link to ``title`` show a red or blue link: their rendering is stale."""
    linking = select(PageLink.from_id).where(PageLink.namespace == title.ns, PageLink.title == title.text)
    session.execute(update(Page).where(Page.id.in_(linking)).values(touched=now))


def refresh_dependents(site: Site, session: Session, title: Title, now: datetime) -> int:
    """Re-derive every page that transcludes ``title``, so its categories, links and fields follow.

    ``templatelinks`` records templates transitively, so one look-up finds every page that
    uses ``title`` through any chain of templates.
    """
    users = session.scalars(
        select(Page)
        .join(TemplateLink, TemplateLink.from_id == Page.id)
        .where(TemplateLink.namespace == title.ns, TemplateLink.title == title.text, Page.deleted.is_(False))
    ).all()
    for page in users:
        rederive_page(site, session, page, now)
    return len(users)


def rederive_page(site: Site, session: Session, page: Page, now: datetime) -> ParseOutput:
    """Render the page's current revision again and rewrite everything derived from it
    (after a used template changed, a move or an undeletion)."""
    revision = session.get(Revision, page.latest_id)
    page_title = site.titles.make(page.namespace, page.title)
    output = render(revision.text, site.render_context(session, page_title, revision_id=revision.id, now=now,
                                                       account_id=page.account_id))
    page.touched = now
    session.execute(delete(RenderCache).where(RenderCache.revision_id == revision.id))
    if output.refused is not None:
        # a template made the page too costly to render: its links, categories and fields
        # stay those of the last render that succeeded, rather than none at all
        log.warning("%s is not re-derived: %s", page_title.prefixed, output.refused)
        return output
    page.is_redirect = output.redirect is not None
    site.hook.update_derived_data(site=site, session=session, page=page, revision=revision, output=output)
    return output
