"""Page views at ``/wiki/<title>``: read, edit (with preview and sections), raw text, old
revisions, and dispatch to ``Special:`` pages.  Every path asks the policy first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request
from flask_babel import gettext, lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import aliased
from werkzeug.exceptions import HTTPException

from wiki.collab.editing import edit_prefill, new_section_text
from wiki.markup import replace_section, split_sections
from wiki.models import CategoryLink, Page, RedirectLink, Revision
from wiki.namespaces import CATEGORY
from wiki.pages import EditConflict, SaveError, preview, save_page
from wiki.permissions import Actor, PermissionDenied
from wiki.plugins import gather
from wiki.rendering import render_revision
from wiki.revisions import RevisionNotFound, readable_revision
from wiki.security.ratelimit import RateLimited
from wiki.security.web import limit, too_many_requests
from wiki.site import Site
from wiki.storable import is_row_id
from wiki.titles import InvalidTitle, Title
from wiki.web.context import actor, db_session, pages, site, with_subject_and_talk
from wiki.web.context import page as page_named
from wiki.web.encoding import checks_own_encoding, refuse_bad_text, undecodable_fields
from wiki.web.skin import wiki_url

bp = Blueprint("pages", __name__)
MAIN_PAGE = "Main Page"
#: Headings of the error page for the usual HTTP errors (the details stay as the view wrote them).
HTTP_ERRORS = {400: lazy_gettext("Bad Request"), 403: lazy_gettext("Forbidden"), 404: lazy_gettext("Not Found"),
               405: lazy_gettext("Method Not Allowed"), 409: lazy_gettext("Conflict"),
               413: lazy_gettext("Request Entity Too Large"), 500: lazy_gettext("Internal Server Error")}


@dataclass
class SpecialRequest:
    """What a ``Special:`` page's view gets; it may also read ``flask.request``."""

    site: Site
    session: Any
    actor: Actor
    subpage: str
    title: Title


def error_page(status: int, heading: str, message: str) -> tuple[str, int]:
    return render_template("error.html", page_title=heading, message=message), status


@bp.app_errorhandler(PermissionDenied)
def _denied(exc: PermissionDenied):
    return error_page(403, gettext("Permission error"), str(exc))


@bp.app_errorhandler(InvalidTitle)
def _bad_title(exc: InvalidTitle):
    return error_page(400, gettext("Bad title"), str(exc))


@bp.route("/")
def home():
    return redirect(wiki_url(MAIN_PAGE))


@bp.route("/wiki/", methods=["GET", "POST"], defaults={"name": MAIN_PAGE})
@bp.route("/wiki/<path:name>", methods=["GET", "POST"])
@checks_own_encoding  # a submitted edit form comes back with the text; everything else refuses
def view(name: str):
    s = site()
    title = s.titles.from_dbkey(name)
    action = request.values.get("action", "diff" if "diff" in request.args else "view")
    handler = page_actions(s).get(action)
    if title.is_special or handler is not do_edit or request.method != "POST":
        refuse_bad_text()
    if title.is_special:
        return _special(s, title)
    if handler is None:
        return error_page(400, gettext("No such action"), gettext("The action %(action)r is not known.", action=action))
    return handler(s, title)


def readable_page(s: Site, title: Title, who: Actor) -> Page | None:
    """The page if it exists and ``who`` may read it, else ``None``.

    A page ``who`` may not read is answered exactly as a missing one: refused as the policy
    refuses reading a missing page there, or ``None``, so nothing tells the two apart."""
    page = page_named(title)
    if page is not None and not s.policy.allows(who, "read", title, page):
        page = None
    s.policy.check(who, "read", title, page)
    return page if page is not None and not page.deleted else None


def _revision(s: Site, page: Page, title: Title) -> Revision:
    oldid = request.args.get("oldid")
    try:
        revision_id = int(oldid) if oldid else page.latest_id
    except ValueError:
        abort(400, f"oldid must be a revision number, not {oldid!r}")
    try:
        return readable_revision(s, db_session(), actor(), title, page, revision_id)
    except RevisionNotFound as exc:
        abort(404, str(exc))


_CATEGORY_PAGE = aliased(Page)  # made once, so that SQLAlchemy's statement cache can reuse the query


def _categories(page: Page, who: Actor) -> list[tuple[Title, bool]]:
    """The page's categories, each with whether its category page exists for ``who`` (one query)."""
    s = site()
    rows = db_session().execute(
        select(CategoryLink.category, _CATEGORY_PAGE)
        .outerjoin(_CATEGORY_PAGE, (_CATEGORY_PAGE.namespace == CATEGORY)
                   & (_CATEGORY_PAGE.title == CategoryLink.category) & _CATEGORY_PAGE.deleted.is_(False))
        .where(CategoryLink.from_id == page.id)
        .order_by(CategoryLink.category)
    )
    titled = [(s.titles.make(CATEGORY, name), category) for name, category in rows]
    return [(title, category is not None and s.policy.allows(who, "read", title, category))
            for title, category in titled]


def do_view(s: Site, title: Title):
    who = actor()
    pages(with_subject_and_talk(title))  # one query for the page and for the tab bar
    page = readable_page(s, title, who)
    sections = gather(s.hook.page_view_sections, site=s, session=db_session(), title=title, page=page, actor=who,
                      args=request.args.to_dict())
    sections.sort(key=lambda sec: sec.order)
    if page is None:
        return render_template(
            "missing.html", title=title, page_title=title.prefixed, sections=sections,
            can_create=s.policy.allows(who, "create", title, page_named(title)),
        ), 404
    revision = _revision(s, page, title)
    if page.is_redirect and revision.id == page.latest_id and request.args.get("redirect") != "no":
        target = db_session().get(RedirectLink, page.id)
        if target is not None:
            dest = s.titles.make(target.namespace, target.title)
            url = wiki_url(dest, rdfrom=title.prefixed)
            return redirect(url + (f"#{target.fragment.replace(' ', '_')}" if target.fragment else ""))
    rendered = render_revision(s, db_session(), title, page, revision, who)
    redirected_from = request.args.get("rdfrom")
    return render_template(
        "page.html",
        title=title,
        page=page,
        revision=revision,
        is_old=revision.id != page.latest_id,
        html=rendered.html,
        categories=_categories(page, who),
        last_edited=revision.timestamp if revision.id == page.latest_id else db_session().get(
            Revision, page.latest_id).timestamp,
        sections=sections,
        redirected_from=redirected_from,
        can_edit=s.policy.allows(who, "edit", title, page),
        page_title=title.prefixed,
        language=page.language,
    )


def do_raw(s: Site, title: Title):
    page = readable_page(s, title, actor())
    if page is None:
        abort(404)
    revision = _revision(s, page, title)
    return Response(revision.text, mimetype="text/plain", headers={"X-Content-Type-Options": "nosniff"})


def _section_index() -> int | None:
    raw = request.values.get("section")
    if raw in (None, "", "new"):
        return None
    try:
        return int(raw)
    except ValueError:
        abort(400, f"section must be a number, not {raw!r}")


def do_edit(s: Site, title: Title):
    who = actor()
    page = readable_page(s, title, who)
    if page is None:
        # the stored row, if any: a page hidden from ``who`` is refused its creation as the policy
        # refuses a page that is not there, and never offered as a new page
        s.policy.check(who, "create", title, page_named(title))
    else:
        s.policy.check(who, "edit", title, page)
    if request.method == "POST":
        return _submit(s, title, page, who)
    if page is not None and request.args.get("redlink"):
        return redirect(wiki_url(title))  # a link drawn red for some reader of its page (MediaWiki does this too)
    section = _section_index()
    new_section = request.values.get("section") == "new"
    base = db_session().get(Revision, page.latest_id) if page else None
    prefill = edit_prefill(s, db_session(), who, title, page, base.text if base else title.namespace.default_content,
                           request.args)
    text = "" if new_section else prefill.text
    if section is not None and base is not None:
        try:
            text = split_sections(base.text)[section]
        except IndexError:
            return error_page(404, gettext("No such section"),
                              gettext("%(title)s has no section %(section)s.", title=title.prefixed, section=section))
    return render_template(
        "edit.html", title=title, text=text, summary=prefill.summary, minor=False, section=section,
        new_section=new_section, subject="", errors=prefill.errors, watch=True,
        base_revision_id=base.id if base else "", page_title=gettext("Editing %(title)s", title=title.prefixed),
        created=page is None,
    ), prefill.status


def _submit(s: Site, title: Title, page: Page | None, who: Actor):
    form = request.form
    undecodable = undecodable_fields()
    text = undecodable.get("text", form.get("text", ""))
    summary = undecodable.get("summary", form.get("summary", ""))
    minor = bool(form.get("minor"))
    section = _section_index()
    new_section, subject = form.get("section") == "new", undecodable.get("subject", form.get("subject", ""))
    watch = bool(form.get("watch")) if form.get("watch_shown") else None
    base_id = form.get("base_revision_id") or None
    base_revision_id = int(base_id) if base_id and base_id.isascii() and base_id.isdigit() else None
    context = dict(title=title, text=text, summary=summary, minor=minor, section=section, new_section=new_section,
                   subject=subject, watch=watch is not False,
                   base_revision_id=base_id or "", page_title=gettext("Editing %(title)s", title=title.prefixed),
                   created=page is None)
    if undecodable:  # the form comes back with what could be read, so that nothing typed is lost
        errors = [gettext("Some of the text was not sent as UTF-8; the characters that could not be read are shown "
                          "as �. Correct them and save again.")]
        return render_template("edit.html", errors=errors, **context), 400
    if base_id is not None and (base_revision_id is None or not is_row_id(base_revision_id)):
        errors = [gettext("The base revision %(id)s is not a revision number.", id=base_id)]
        return render_template("edit.html", errors=errors, **context), 400
    if "preview" in form:
        output, errors = preview(s, db_session(), title, text, who)
        return render_template("edit.html", preview_html=output.html, errors=errors, **context)
    try:  # the revision a new section or a section is built on, read as ``who`` may read it
        base = (readable_revision(s, db_session(), who, title, page, base_revision_id)
                if base_revision_id is not None and (new_section or section is not None) else None)
    except RevisionNotFound as exc:
        return render_template("edit.html", errors=[str(exc)], **context), 400
    full_text = text
    if new_section:
        full_text = new_section_text(base.text if base else "", subject, text)
        summary = summary or (f"New section: {' '.join(subject.split())}" if subject.strip() else "New section")
    if section is not None and base is not None:
        try:
            full_text = replace_section(base.text, section, text)
        except (KeyError, ValueError, IndexError) as exc:
            return render_template("edit.html", errors=[str(exc)], **context), 400
    try:
        limit("edits", who)
    except RateLimited as exc:  # the form comes back with the text: nothing typed is lost
        return too_many_requests(exc, render_template("edit.html", errors=[str(exc)], **context))
    try:
        with s.db.write() as session:
            result = save_page(s, session, title, full_text, who, summary=summary, minor=minor,
                               base_revision_id=base_revision_id,
                               extra={} if watch is None else {"watch": watch})
    except SaveError as exc:
        return render_template("edit.html", errors=exc.messages, **context), 400
    except EditConflict as exc:
        return render_template("conflict.html", conflict=exc, **context), 409
    anchor = ""
    if section is not None and result.output is not None:
        numbered = [sec for sec in result.output.sections if sec.index == section]
        anchor = f"#{numbered[0].anchor}" if numbered else ""
    return redirect(wiki_url(title) + anchor)


def _special(s: Site, title: Title):
    name, _, subpage = title.text.partition("/")
    special = s.special_pages.get(name.casefold())
    if special is None:
        return error_page(404, gettext("No such special page"), gettext("Special:%(name)s does not exist.", name=name))
    who = actor()
    if special.roles and who.role not in special.roles and not who.is_admin:
        return error_page(403, gettext("Permission error"),
                          gettext("Special:%(name)s is for %(roles)s only.", name=special.name,
                                  roles=", ".join(special.roles)))
    result = special.view(SpecialRequest(site=s, session=db_session(), actor=who, subpage=subpage, title=title))
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], str) and isinstance(result[1], dict):
        template, ctx = result
        ctx.setdefault("page_title", special.display_name)
        return render_template(template, special=special, **ctx)
    return result


CORE_ACTIONS = {"view": do_view, "edit": do_edit, "submit": do_edit, "raw": do_raw}


def plugin_tabs(title: Title) -> list:
    """The plugins' tabs for ``title`` (``page_action_tabs``), for the tab bar."""
    if title.is_special:
        return []
    s, page = site(), page_named(title)
    tabs = gather(s.hook.page_action_tabs, site=s, session=db_session(), title=title,
                  page=page if page is not None and not page.deleted else None, actor=actor())
    return sorted(tabs, key=lambda tab: tab.order)


@bp.app_context_processor
def _tab_helpers():
    return {"plugin_tabs": plugin_tabs}


def page_actions(s: Site) -> dict:
    """The core's actions, then the plugins' (``register_page_actions``)."""
    return {**CORE_ACTIONS, **s.page_actions}


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if request.path.startswith("/api/"):
        return exc
    return error_page(exc.code or 500, HTTP_ERRORS.get(exc.code, exc.name), exc.description or "")
