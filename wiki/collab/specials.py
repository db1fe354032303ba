"""Special pages of collaborative editing: RecentChanges (and its Atom feed), Watchlist, Log
and Undelete.  Every list is filtered in SQL by the policy."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_babel import gettext, ngettext
from sqlalchemy import select

from wiki.collab import feeds
from wiki.collab.history import change_notes, parent_sizes
from wiki.collab.logs import LOG_TYPES, log_entries
from wiki.collab.models import ArchivedRevision
from wiki.collab.moves import MoveError, archived_revisions, undelete_page
from wiki.collab.recent import parse_filter, recent_changes
from wiki.collab.watch import unwatch, watched_titles, watchlist_changes
from wiki.models import Page
from wiki.permissions import PermissionDenied
from wiki.titles import InvalidTitle


def recent_changes_page(req):
    flt, errors = parse_filter(req.site, request.args)
    rows = [] if errors else recent_changes(req.site, req.session, req.actor, flt)
    sizes = parent_sizes(req.session, [rev for rev, _ in rows])
    if request.args.get("feed") == "atom":
        if errors:
            abort(400, " ".join(errors))
        base = req.site.settings.base_url.rstrip("/")
        entries = [feeds.entry(req.site, rev, page, sizes[rev.id]) for rev, page in rows]
        return feeds.atom_response(req.site, "Recent changes", request.url, f"{base}/wiki/Special:RecentChanges",
                                   entries)
    changes = [(rev, req.site.titles.make(page.namespace, page.title), sizes[rev.id]) for rev, page in rows]
    return "collab/recentchanges.html", {"changes": changes, "filter": flt, "errors": errors,
                                        "notes": change_notes(req.site, req.session, [(r.parent_id, r.id) for r, _ in rows]),
                                        "namespaces": list(req.site.namespaces)}


def watchlist_page(req):
    if req.actor.is_anonymous:
        raise PermissionDenied("Sign in to see your watchlist.")
    if request.method == "POST":
        removed = []
        with req.site.db.write() as session:
            for raw in request.form.getlist("remove"):
                try:
                    title = req.site.titles.parse(raw)
                except InvalidTitle:
                    continue
                unwatch(session, req.actor.user_id, title)
                removed.append(title.prefixed)
        if removed:
            flash(gettext("Removed from your watchlist: %(titles)s.", titles=", ".join(removed)))
        return redirect("/wiki/Special:Watchlist")
    days = request.args.get("days", "7")
    if not days.isdigit() or not 1 <= int(days) <= 90:
        abort(400, f"days must be a whole number from 1 to 90, not {days!r}.")
    rows = watchlist_changes(req.site, req.session, req.actor, days=int(days))
    sizes = parent_sizes(req.session, [rev for rev, _ in rows])
    changes = [(rev, req.site.titles.make(page.namespace, page.title), sizes[rev.id]) for rev, page in rows]
    return "collab/watchlist.html", {"changes": changes, "days": int(days),
                                     "notes": change_notes(req.site, req.session, [(r.parent_id, r.id) for r, _ in rows]),
                                     "watched": watched_titles(req.site, req.session, req.actor.user_id)}


def log_page(req):
    type_ = request.args.get("type", "") or None
    user = " ".join(request.args.get("user", "").replace("_", " ").split()) or None
    page_text = request.args.get("page", "")
    limit = request.args.get("limit", "50")
    if not limit.isdigit() or not 1 <= int(limit) <= 500:
        abort(400, f"limit must be a whole number from 1 to 500, not {limit!r}.")
    try:
        title = req.site.titles.parse(page_text) if page_text else None
        entries = log_entries(req.site, req.session, req.actor, type_=type_, user=user, title=title, limit=int(limit))
    except (InvalidTitle, ValueError) as exc:
        abort(400, str(exc))
    rows = [(e, req.site.titles.make(e.namespace, e.title) if e.namespace in req.site.namespaces else None)
            for e in entries]
    return "collab/log.html", {"rows": rows, "types": LOG_TYPES, "type": type_, "user": user or "",
                               "page": page_text}


def undelete(req):
    """Admins: the list of deleted pages, one page's hidden revisions (and their text), restore."""
    if not req.subpage:
        pages = req.session.scalars(
            select(Page).where(Page.id.in_(select(ArchivedRevision.page_id))).order_by(Page.namespace, Page.title)
        ).all()
        titles = [req.site.titles.make(p.namespace, p.title) for p in pages if p.namespace in req.site.namespaces]
        return "collab/undelete_list.html", {"titles": titles}
    try:
        title = req.site.titles.parse(req.subpage)
    except InvalidTitle as exc:
        abort(400, str(exc))
    page = req.site.get_page(req.session, title)
    revisions = archived_revisions(req.session, page) if page is not None else []
    if not revisions:
        abort(404, f"{title.prefixed} has no deleted revisions.")
    if request.method == "POST":
        try:
            with req.site.db.write() as session:
                undelete_page(req.site, session, title, req.actor, request.form.get("reason", ""))
        except MoveError as exc:
            abort(409, str(exc))
        flash(ngettext("%(title)s was restored with %(num)d revision.",
                       "%(title)s was restored with %(num)d revisions.", len(revisions), title=title.prefixed))
        return redirect(title.url_path)
    shown = None
    if request.args.get("revision"):
        shown = next((r for r in revisions if str(r.id) == request.args["revision"]), None)
        if shown is None:
            abort(404, f"Revision {request.args['revision']} is not a deleted revision of {title.prefixed}.")
    return "collab/undelete.html", {"target": title, "revisions": revisions, "shown": shown,
                                    "page_title": gettext("Undelete %(title)s", title=title.prefixed)}
