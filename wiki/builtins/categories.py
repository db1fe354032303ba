"""Categories: membership derived from ``[[Category:Name|sort key]]``, and the member lists
shown on category pages (subcategories, pages and files, by sort key, paged)."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import delete, insert, select

from wiki.hooktypes import PageSection
from wiki.hookspecs import hookimpl
from wiki.models import CategoryLink, Page
from wiki.namespaces import CATEGORY, FILE

PAGE_SIZE = 200
KINDS = ("subcat", "page", "file")


def member_kind(namespace: int) -> str:
    return {CATEGORY: "subcat", FILE: "file"}.get(namespace, "page")


def sort_key(explicit: str, page_title: str) -> str:
    """Members sort case-insensitively by their sort key, or by their title without prefix."""
    return (explicit or page_title).strip().casefold()[:255]


@hookimpl
def update_derived_data(site, session, page, revision, output):
    clear_derived_data(site, session, page)
    rows = {}
    for name, key in output.categories:
        try:
            category = site.titles.make(CATEGORY, name).text
        except ValueError:
            continue
        rows.setdefault(category, sort_key(key, page.title))
    if rows:
        kind = member_kind(page.namespace)
        session.execute(
            insert(CategoryLink),
            [{"from_id": page.id, "category": c, "sortkey": k, "kind": kind} for c, k in rows.items()],
        )


@hookimpl
def clear_derived_data(site, session, page):
    session.execute(delete(CategoryLink).where(CategoryLink.from_id == page.id))


def members(site, session, category: str, kind: str, actor, start: str = "", limit: int = PAGE_SIZE):
    """One page of a category's members of one kind, from sort key ``start``; and the next key."""
    rows = session.execute(
        select(Page, CategoryLink.sortkey)
        .join(CategoryLink, CategoryLink.from_id == Page.id)
        .where(
            CategoryLink.category == category,
            CategoryLink.kind == kind,
            CategoryLink.sortkey >= start,
            Page.deleted.is_(False),
            site.policy.readable_filter(actor, Page),
        )
        .order_by(CategoryLink.sortkey, Page.title)
        .limit(limit + 1)
    ).all()
    titles = [(site.titles.make(p.namespace, p.title), key) for p, key in rows[:limit]]
    following = rows[limit][1] if len(rows) > limit else None
    return titles, following


@hookimpl
def page_view_sections(site, session, title, page, actor, args):
    if title.ns != CATEGORY:
        return []
    groups = []
    for kind in KINDS:
        start = args.get(f"{kind}from", "")
        titles, following = members(site, session, title.text, kind, actor, start)
        if titles or start:
            groups.append({"kind": kind, "titles": titles, "next": following, "start": start})
    html = render_template("category_members.html", title=title, groups=groups)
    return [PageSection(html=html, order=10)]
