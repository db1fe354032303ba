"""Revisions by number: the one gate every path that names a revision goes through.

A revision id can be typed into any address or form: ``?oldid=``, diffs, raw text, the edit
form's undo and restore, the base revision a section or a new section is built on, a save's
base revision, forms and the API.  ``readable_revision`` answers all of them alike: the
revision must belong to the page asked about, must not be hidden by a deletion, and the
policy must let the actor read that page.  Anything else is "not a revision of this page",
in the same words whatever the reason, so that an id never tells what it belongs to.

Revisions hidden by a deletion are the rows of ``archived_revisions``; ``not_archived`` is
how every list of revisions leaves them out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from wiki.collab.models import ArchivedRevision
from wiki.models import Page, Revision
from wiki.permissions import Actor
from wiki.titles import Title

if TYPE_CHECKING:
    from wiki.site import Site


class RevisionNotFound(LookupError):
    """The revision does not exist, belongs to another page, is hidden, or its page is not
    one the actor may read."""


def not_archived() -> ColumnElement[bool]:
    """A condition on ``Revision`` that leaves out revisions hidden by a deletion."""
    return Revision.id.not_in(select(ArchivedRevision.revision_id))


def readable_revision(site: Site, session: Session, actor: Actor, title: Title, page: Page | None,
                      revision_id: int) -> Revision:
    """Revision ``revision_id`` of ``page``, the page at ``title`` (``None`` when there is none), if
    ``actor`` may read it; ``RevisionNotFound`` otherwise."""
    revision = session.get(Revision, revision_id) if page is not None else None
    if (
        revision is None
        or revision.page_id != page.id
        or _hidden(session, page, revision)
        or not site.policy.allows(actor, "read", title, page)
    ):
        raise RevisionNotFound(lazy_gettext("Revision %(revision)s is not a revision of %(title)s.",
                                            revision=revision_id, title=title.prefixed))
    return revision


def _hidden(session: Session, page: Page, revision: Revision) -> bool:
    """Whether a deletion hides ``revision`` (of ``page``)."""
    # a page's current revision is hidden only while the page is deleted, so a page view (which
    # shows the current revision) costs no look-up in archived_revisions
    if revision.id == page.latest_id:
        return page.deleted
    return session.get(ArchivedRevision, revision.id) is not None
