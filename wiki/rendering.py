"""Rendering a page for viewing, through the per-revision render cache.

A cached rendering is used while it is at least as new as the page's ``touched`` time
(which a template edit or the creation of a linked page moves forward).  Old revisions
and output marked ``volatile`` (for example queries whose rows depend on the viewer) are
rendered each time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError, OperationalError

from wiki.markup import ParseOutput, render
from wiki.models import Page, RenderCache, Revision
from wiki.permissions import Actor
from wiki.site import Site
from wiki.titles import Title

log = logging.getLogger(__name__)


@dataclass
class Rendered:
    html: str
    output: ParseOutput | None
    from_cache: bool


def render_revision(site: Site, session, title: Title, page: Page, revision: Revision, actor: Actor) -> Rendered:
    current = revision.id == page.latest_id
    if current:
        cached = session.get(RenderCache, revision.id)
        if cached is not None and cached.rendered_at >= page.touched:
            return Rendered(cached.html, None, True)
    started = datetime.now(timezone.utc)
    output = render(revision.text, site.render_context(session, title, actor, revision_id=revision.id,
                                                       account_id=page.account_id))
    if current and "volatile" not in output.flags:
        _store(site, revision.id, output.html, started)
    return Rendered(output.html, output, False)


def _store(site: Site, revision_id: int, html: str, rendered_at: datetime) -> None:
    """Keep a rendering in its own short transaction; a busy database only costs the cache."""
    try:
        with site.db.write() as session:
            session.execute(delete(RenderCache).where(RenderCache.revision_id == revision_id))
            session.add(RenderCache(revision_id=revision_id, html=html, rendered_at=rendered_at))
    except (IntegrityError, OperationalError) as exc:
        log.warning("render cache not stored for revision %s: %s", revision_id, exc)
