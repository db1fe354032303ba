"""Page actions: ``history`` (and its Atom feed), ``diff``, ``rollback``, ``watch``/``unwatch``,
``move``, ``delete`` and ``protect``.  Views read the request, ask the policy and call the
services; writes are POST forms with a CSRF token (Flask-WTF checks it)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext

from wiki.collab import feeds
from wiki.collab.diff import diff_hunks
from wiki.collab.history import (
    RollbackError,
    change_notes,
    count_revisions,
    last_other_author_revision,
    neighbour,
    page_revisions,
    parent_sizes,
    resolve_diff,
    rollback,
)
from wiki.collab.moves import MoveError, delete_page, move_page
from wiki.collab.protection import LEVELS, PROTECTABLE, ProtectionError, active_restrictions, parse_expiry, protect_page
from wiki.collab.watch import unwatch, watch
from wiki.pages import EditConflict, SaveError
from wiki.permissions import PermissionDenied
from wiki.revisions import RevisionNotFound
from wiki.site import Site
from wiki.titles import InvalidTitle, Title
from wiki.web.context import actor, db_session
from wiki.web.pages import readable_page
from wiki.web.skin import wiki_url

HISTORY_LIMIT = 50
DIFF_MODES = ("inline", "sidebyside")


def _page_or_404(s: Site, title: Title):
    page = readable_page(s, title, actor())
    if page is None:
        abort(404, f"The page {title.prefixed} does not exist.")
    return page


def _int_arg(name: str, default: int, top: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or not 0 <= int(raw) <= top:
        abort(400, f"{name} must be a whole number from 0 to {top}, not {raw!r}.")
    return int(raw)


def history(s: Site, title: Title):
    who, session = actor(), db_session()
    page = _page_or_404(s, title)
    if request.args.get("feed") == "atom":
        revisions = page_revisions(session, page, limit=HISTORY_LIMIT)
        sizes = parent_sizes(session, revisions)
        entries = [feeds.entry(s, r, page, sizes[r.id]) for r in revisions]
        return feeds.atom_response(s, f"History of {title.prefixed}", request.url, feeds.history_alternate(s, title),
                                   entries)
    limit = max(1, _int_arg("limit", HISTORY_LIMIT, 500))
    offset = _int_arg("offset", 0, 10**9)
    revisions = page_revisions(session, page, limit=limit, offset=offset)
    can_edit = s.policy.allows(who, "edit", title, page)
    latest = revisions[0] if revisions and offset == 0 else None
    can_rollback = (latest is not None and can_edit and who.is_staff
                    and last_other_author_revision(session, page, latest.user_text) is not None)
    return render_template(
        "collab/history.html", title=title, page=page, revisions=revisions,
        sizes=parent_sizes(session, revisions), total=count_revisions(session, page), limit=limit, offset=offset,
        notes=change_notes(s, session, [(r.parent_id, r.id) for r in revisions]),
        can_edit=can_edit, can_rollback=can_rollback,
        page_title=gettext("%(title)s: revision history", title=title.prefixed),
    )


def diff(s: Site, title: Title):
    session = db_session()
    page = _page_or_404(s, title)
    try:
        old, new = resolve_diff(s, session, actor(), title, page, request.args.get("diff", ""),
                                request.args.get("oldid"))
    except RevisionNotFound as exc:
        abort(404, str(exc))
    except ValueError as exc:
        abort(400, str(exc))
    mode = request.args.get("diffmode", "inline")
    if mode not in DIFF_MODES:
        abort(400, f"diffmode must be inline or sidebyside, not {mode!r}.")
    return render_template(
        "collab/diff.html", title=title, page=page, old=old, new=new, mode=mode,
        hunks=diff_hunks(old.text if old else "", new.text),
        notes=change_notes(s, session, [(old.id if old else None, new.id)]).get((old.id if old else None, new.id), []),
        older=neighbour(session, page, old, newer=False) if old else None,
        newer=neighbour(session, page, new, newer=True),
        can_edit=s.policy.allows(actor(), "edit", title, page),
        page_title=gettext("%(title)s: difference between revisions", title=title.prefixed),
    )


def rollback_action(s: Site, title: Title):
    who = actor()
    page = _page_or_404(s, title)
    from_user = request.values.get("from", "")
    if not from_user:
        abort(400, "Name the author whose edits to roll back in 'from'.")
    context = dict(title=title, page=page, from_user=from_user,
                   page_title=gettext("Roll back %(title)s", title=title.prefixed))
    if request.method != "POST":
        return render_template("collab/rollback.html", **context)
    try:
        with s.db.write() as session:
            result = rollback(s, session, title, from_user, who)
    except (RollbackError, SaveError, EditConflict) as exc:
        return render_template("collab/rollback.html", error=str(exc), **context), 409
    if result.revision is not None:
        flash(gettext("Edits by %(user)s rolled back (revision %(id)s).", user=from_user, id=result.revision.id))
    return redirect(wiki_url(title, action="history"))


def _watch_action(s: Site, title: Title, watching: bool):
    who = actor()
    if who.is_anonymous:
        raise PermissionDenied("Sign in to keep a watchlist.")
    readable_page(s, title, who)
    if request.method != "POST":
        return render_template("collab/watch.html", title=title, watching=watching,
                               page_title=gettext("Watch %(title)s", title=title.prefixed) if watching
                               else gettext("Unwatch %(title)s", title=title.prefixed))
    with s.db.write() as session:
        (watch if watching else unwatch)(session, who.user_id, title)
    flash(gettext("%(title)s and its talk page are now on your watchlist.", title=title.prefixed) if watching
          else gettext("%(title)s and its talk page are no longer on your watchlist.", title=title.prefixed))
    return redirect(wiki_url(title))


def watch_action(s: Site, title: Title):
    return _watch_action(s, title, True)


def unwatch_action(s: Site, title: Title):
    return _watch_action(s, title, False)


def move(s: Site, title: Title):
    who = actor()
    page = _page_or_404(s, title)
    s.policy.check(who, "move", title, page)
    form = request.form
    context = dict(title=title, new_title=form.get("newtitle", title.prefixed), reason=form.get("reason", ""),
                   move_talk=form.get("movetalk", "1" if request.method != "POST" else ""),
                   leave_redirect=form.get("redirect", "1" if request.method != "POST" else ""),
                   has_talk=not title.namespace.is_talk and s.titles.talk_page(title) is not None,
                   page_title=gettext("Move %(title)s", title=title.prefixed))
    if request.method != "POST":
        return render_template("collab/move.html", **context)
    try:
        new_title = s.titles.parse(context["new_title"])
        with s.db.write() as session:
            move_page(s, session, title, new_title, who, context["reason"], move_talk=bool(context["move_talk"]),
                      leave_redirect=bool(context["leave_redirect"]))
    except (InvalidTitle, MoveError, SaveError) as exc:
        return render_template("collab/move.html", error=str(exc), **context), 400
    flash(gettext("%(title)s was moved to %(target)s.", title=title.prefixed, target=new_title.prefixed))
    return redirect(wiki_url(new_title, redirect="no"))


def delete(s: Site, title: Title):
    who = actor()
    page = _page_or_404(s, title)
    s.policy.check(who, "delete", title, page)
    reason = request.form.get("reason", "")
    context = dict(title=title, reason=reason, page_title=gettext("Delete %(title)s", title=title.prefixed))
    if request.method != "POST":
        return render_template("collab/delete.html", **context)
    try:
        with s.db.write() as session:
            delete_page(s, session, title, who, reason)
    except MoveError as exc:
        return render_template("collab/delete.html", error=str(exc), **context), 400
    flash(gettext("%(title)s was deleted. Admins can restore it from Special:Undelete.", title=title.prefixed))
    return redirect("/wiki/Special:Log?type=delete")


def protect(s: Site, title: Title):
    who = actor()
    page = _page_or_404(s, title)
    s.policy.check(who, "protect", title, page)
    current = active_restrictions(db_session(), page.id)
    form = request.form
    levels = {a: form.get(a, current[a].role if a in current else "") for a in PROTECTABLE}
    expiry_now = next((r.expiry for r in current.values() if r.expiry), None)
    context = dict(title=title, levels=levels, choices=LEVELS, reason=form.get("reason", ""),
                   expiry=form.get("expiry", expiry_now.strftime("%Y-%m-%dT%H:%M") if expiry_now else "infinite"),
                   page_title=gettext("Protect %(title)s", title=title.prefixed))
    if request.method != "POST":
        return render_template("collab/protect.html", **context)
    try:
        with s.db.write() as session:
            protect_page(s, session, title, who, levels, parse_expiry(context["expiry"]), context["reason"])
    except ProtectionError as exc:
        return render_template("collab/protect.html", error=str(exc), **context), 400
    flash(gettext("Protection of %(title)s was changed.", title=title.prefixed))
    return redirect(wiki_url(title))
