"""The core's ``Special:`` pages: lists of pages, categories, links and the version report.

Every list is filtered in SQL by ``Policy.readable_filter``, so a viewer never sees a title
they may not read.
"""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version

import flask
import pluggy
import sqlalchemy
from flask import request
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

import wiki
from wiki.models import CategoryLink, Page, PageLink, TemplateLink
from wiki.namespaces import CATEGORY
from wiki.plugins import plugin_report
from wiki.titles import InvalidTitle

PAGE_SIZE = 200


def _limit() -> int:
    try:
        return max(1, min(int(request.args.get("limit", PAGE_SIZE)), 5000))
    except ValueError:
        return PAGE_SIZE


def _namespace_arg(req, default: int | None = 0) -> int | None:
    raw = request.args.get("namespace")
    if raw in (None, ""):
        return default
    try:
        number = int(raw)
    except ValueError:
        flask.abort(400, f"namespace must be a number, not {raw!r}")
    if number not in req.site.namespaces:
        flask.abort(400, f"There is no namespace numbered {number}.")
    return number


def all_pages(req):
    ns = _namespace_arg(req)
    start = request.args.get("from", "")
    limit = _limit()
    query = (
        select(Page)
        .where(Page.namespace == ns, Page.title >= start, Page.deleted.is_(False),
               req.site.policy.readable_filter(req.actor, Page))
        .order_by(Page.title)
        .limit(limit + 1)
    )
    pages = list(req.session.scalars(query))
    following = pages[limit].title if len(pages) > limit else None
    titles = [req.site.titles.make(p.namespace, p.title) for p in pages[:limit]]
    return "special/allpages.html", {
        "titles": titles, "namespaces": list(req.site.namespaces), "namespace": ns, "next_from": following,
        "redirects": {p.title for p in pages if p.is_redirect},
    }


def categories(req):
    members = (
        select(CategoryLink.category, func.count().label("members"))
        .join(Page, Page.id == CategoryLink.from_id)
        .where(req.site.policy.readable_filter(req.actor, Page), Page.deleted.is_(False))
        .group_by(CategoryLink.category)
        .order_by(CategoryLink.category)
    )
    rows = [(req.site.titles.make(CATEGORY, name), count) for name, count in req.session.execute(members)]
    existing = req.site.existing(req.session, [t for t, _ in rows], req.actor)
    return "special/categories.html", {"rows": rows, "existing": existing}


def what_links_here(req):
    target_text = req.subpage or request.args.get("target", "")
    if not target_text:
        return "special/whatlinkshere.html", {"target": None, "links": [], "transclusions": []}
    try:
        target = req.site.titles.parse(target_text)
    except InvalidTitle as exc:
        flask.abort(400, str(exc))
    readable = req.site.policy.readable_filter(req.actor, Page)

    def sources(model):
        rows = req.session.scalars(
            select(Page).join(model, model.from_id == Page.id)
            .where(model.namespace == target.ns, model.title == target.text, readable, Page.deleted.is_(False))
            .order_by(Page.namespace, Page.title).limit(_limit())
        )
        return [req.site.titles.make(p.namespace, p.title) for p in rows]

    return "special/whatlinkshere.html", {
        "target": target, "links": sources(PageLink), "transclusions": sources(TemplateLink),
    }


def wanted_pages(req):
    source = aliased(Page)
    target = aliased(Page)
    query = (
        select(PageLink.namespace, PageLink.title, func.count().label("wanted"))
        .join(source, source.id == PageLink.from_id)
        .outerjoin(target, (target.namespace == PageLink.namespace) & (target.title == PageLink.title)
                   & target.deleted.is_(False) & req.site.policy.readable_filter(req.actor, target))
        .where(target.id.is_(None), req.site.policy.readable_filter(req.actor, source), source.deleted.is_(False))
        .group_by(PageLink.namespace, PageLink.title)
        .order_by(func.count().desc(), PageLink.namespace, PageLink.title)
        .limit(_limit())
    )
    rows = []
    for ns, text, count in req.session.execute(query):
        if ns in req.site.namespaces:
            rows.append((req.site.titles.make(ns, text), count))
    return "special/wantedpages.html", {"rows": rows}


def version(req):
    software = [
        ("ticketwiki", wiki.__version__),
        ("Python", platform.python_version()),
        ("Flask", _dist_version("flask")),
        ("pluggy", pluggy.__version__),
        ("SQLAlchemy", sqlalchemy.__version__),
        ("mistune", _dist_version("mistune")),
        ("Whoosh", _dist_version("whoosh-reloaded")),
        ("Database", req.session.get_bind().dialect.name),
    ]
    return "special/version.html", {"software": software, "plugins": plugin_report(req.site.pm),
                                    "switched_off": req.site.plugins.switched_off,
                                    "namespaces": list(req.site.namespaces)}


def _dist_version(name: str) -> str:
    try:
        return dist_version(name)
    except PackageNotFoundError:
        return "not installed"


def special_pages(req):
    listed = sorted({sp.name: sp for sp in req.site.special_pages.values() if sp.listed}.values(),
                    key=lambda sp: sp.display_name.casefold())
    return "special/specialpages.html", {"specials": listed}
