"""Pages stored under titles that the title rules now write differently.

Every address and link is normalised by ``wiki.titles`` before a page is looked up, so when
the rules change (invisible characters removed, look-alike letters folded) a page stored
under the old form could no longer be reached.  ``retitle_pages`` moves each such page to
the title the rules now give it, as a move logged by the system, without a redirect (its old
title cannot be reached to follow one).  When that title is taken -- the page looked like
another one -- it gets ``<title> (look-alike <page id>)``, so that both stay reachable and
look different; a title with nothing left gets ``Untitled page <page id>``.  Deleted pages are
renamed in place (a move needs a page that exists; undeleting restores it under its new
title).  Pages of a namespace no plugin provides any more are left until it is back.
``ticketwiki init`` and ``ticketwiki db upgrade`` run it; a second run does nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.collab.moves import move_page
from wiki.models import Page
from wiki.namespaces import NamespaceError
from wiki.permissions import SYSTEM
from wiki.site import Site
from wiki.titles import InvalidTitle, Title

REASON = "Title normalisation: invisible characters removed, look-alike letters folded"


def _new_title(site: Site, session: Session, page: Page) -> Title:
    try:
        title = site.titles.make(page.namespace, page.title)
    except InvalidTitle:
        return site.titles.make(page.namespace, f"Untitled page {page.id}")
    if title.key != (page.namespace, page.title) and site.get_page(session, title) is not None:
        return Title(title.namespace, f"{title.text} (look-alike {page.id})")
    return title


def retitle_pages(site: Site) -> list[tuple[str, str]]:
    """Move every page whose stored title is not in today's normal form; returns
    ``(old, new)`` prefixed titles."""
    with site.db.read() as session:
        candidates = [page_id for page_id, text in session.execute(select(Page.id, Page.title)) if not text.isascii()]
    moved = []
    for page_id in candidates:
        with site.db.write() as session:
            page = session.get(Page, page_id)
            try:
                old = Title(site.titles.namespace(page.namespace), page.title)
            except NamespaceError:
                continue
            new = _new_title(site, session, page)
            if new.key == old.key:
                continue
            if page.deleted:
                page.title = new.text
            else:
                move_page(site, session, old, new, SYSTEM, reason=REASON, move_talk=False, leave_redirect=False)
            moved.append((old.prefixed, new.prefixed))
    return moved
