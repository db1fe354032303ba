"""Atom feeds of recent changes and of one page's history.

Feeds are built for the session's user or an anonymous reader from the same permission-
filtered rows as the HTML lists; API keys are not accepted here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import Response, render_template

from wiki.models import Page, Revision
from wiki.site import Site
from wiki.titles import Title


def entry(site: Site, revision: Revision, page: Page, previous_size: int | None) -> dict:
    title = site.titles.make(page.namespace, page.title)
    base = site.settings.base_url.rstrip("/")
    query = {"diff": revision.id, "oldid": revision.parent_id} if previous_size is not None else {"oldid": revision.id}
    change = revision.size - (previous_size or 0)
    return {
        "id": f"{base}{title.url_path}?oldid={revision.id}",
        "title": title.prefixed,
        "link": f"{base}{title.url_path}?{urlencode(query)}",
        "updated": revision.timestamp,
        "author": revision.user_text,
        "summary": f"{revision.summary or '(no summary)'} ({'+' if change >= 0 else ''}{change} bytes)"
                   + (" [minor]" if revision.minor else "")
                   + ("" if previous_size is not None else " [new page]"),
    }


def atom_response(site: Site, feed_title: str, self_url: str, alternate: str, entries: list[dict]) -> Response:
    updated = max((e["updated"] for e in entries), default=datetime.now(timezone.utc))
    xml = render_template("collab/atom.xml", feed_title=f"{feed_title} — {site.settings.site_name}",
                          self_url=self_url, alternate=alternate, updated=updated, entries=entries)
    return Response(xml, mimetype="application/atom+xml")


def history_alternate(site: Site, title: Title) -> str:
    return site.settings.base_url.rstrip("/") + title.url_path + "?action=history"
