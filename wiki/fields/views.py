"""Web pages of the fields package: Special:Ask, Special:FormEdit and ``?action=formedit``.

Views read the request and call the services (``query``, ``forms.submit``) with the acting
user; the JSON API lives in ``wiki.fields.api``.
"""

from __future__ import annotations

from flask import redirect, render_template, request
from flask_babel import gettext

from wiki.fields.api import rate_limited
from wiki.fields.forms.definition import (
    FormDef,
    FormError,
    declared_fields,
    editing_form,
    forms_for_page,
    input_type,
    load_form,
)
from wiki.fields.forms.submit import Submission, collect, submit
from wiki.fields.forms.uploads import Upload, UploadError
from wiki.fields.forms.wikitext import find_call, free_text_of, unescape_value
from wiki.fields.query import QueryError, max_limit, parse_query, run, split_query
from wiki.fields.query.formats import api_url, ask_url, to_html
from wiki.models import Revision
from wiki.namespaces import FORM, TEMPLATE
from wiki.pages import EditConflict, SaveError
from wiki.permissions import Actor, PermissionDenied
from wiki.revisions import RevisionNotFound, readable_revision
from wiki.security.web import too_many_requests
from wiki.titles import InvalidTitle, Title
from wiki.web.context import actor, db_session
from wiki.web.pages import error_page, readable_page
from wiki.web.skin import wiki_url

HONEYPOT = "website"


# --- Special:Ask ------------------------------------------------------------------------

def special_ask(req):
    text = (request.args.get("query") or req.subpage or "").strip()
    context = {"query_text": text, "errors": [], "html": None, "links": {}}
    if not text:
        return "fields/ask.html", context
    try:
        query = parse_query(split_query(text), req.site.titles, max_limit(req.site))
        result = run(req.site, req.session, req.actor, query)
    except QueryError as exc:
        context["errors"] = [str(exc)]
        return render_template("fields/ask.html", page_title="Special:Ask", **context), 400
    context["html"] = to_html(result)
    context["links"] = {"share": ask_url(query), "csv": api_url(query, "csv"), "json": api_url(query, "json")}
    if query.offset:
        context["links"]["previous"] = ask_url(query, offset=max(0, query.offset - query.limit))
    if result.more:
        context["links"]["next"] = ask_url(query, offset=query.offset + query.limit)
    return "fields/ask.html", context


# --- forms ------------------------------------------------------------------------------

def special_form_edit(req):
    name = req.subpage or request.values.get("form", "")
    if not name:
        return error_page(400, gettext("No form named"),
                          gettext("Open Special:FormEdit/<form name>, for example from a Form: page."))
    target = None
    if request.values.get("target"):
        try:
            target = req.site.titles.parse(request.values["target"])
        except InvalidTitle as exc:
            return error_page(400, gettext("Bad title"), str(exc))
    return _form_page(req.site, name, target)


def form_edit_action(s, title: Title):
    """``/wiki/Form:X?action=formedit`` fills form X; on other pages it edits them with their form."""
    if title.ns == FORM:
        return _form_page(s, title.text, None)
    page = readable_page(s, title, actor())
    if page is None:
        return error_page(404, gettext("No such page"), gettext("%(title)s does not exist.", title=title.prefixed))
    if request.values.get("form"):
        return _form_page(s, request.values["form"], title)
    names = forms_for_page(db_session(), page.id)
    if not names:
        return error_page(404, gettext("No form"),
                          gettext("No form edits the templates %(title)s uses.", title=title.prefixed))
    usable = editing_form(s, db_session(), page.id, actor())
    return _form_page(s, usable.name if usable is not None else names[0], title)


def _inputs(s, form: FormDef, values: dict[str, str]) -> list[dict]:
    decls = declared_fields(s, db_session(), form)
    shown = []
    for item in form.inputs:
        decl = decls.get(item.field)
        value = values.get(item.field, "")
        if not value and decl is not None and decl.default is not None:
            value = decl.default
        kind = input_type(item, decl) if decl is not None else (item.input or "text")
        shown.append({
            "field": item.field, "input": kind, "help": item.help, "value": value,
            "required": bool(decl and decl.required and decl.default is None),
            "allowed": decl.type.allowed if decl else (), "is_list": bool(decl and decl.type.is_list),
            "checked": {v.strip().casefold() for v in value.split(",")},
            "describe": decl.type.describe() if decl else "",
        })
    return shown


def _current_values(s, form: FormDef, revision: Revision) -> tuple[dict[str, str], str]:
    """The values of the template call on ``revision``, and the page text outside it."""
    template = s.titles.make(TEMPLATE, form.template)

    def is_template(name: str) -> bool:
        try:
            return s.titles.parse(name, default_namespace=TEMPLATE) == template
        except InvalidTitle:
            return False

    span = find_call(revision.text, is_template)
    if span is None:
        return {}, revision.text
    values = {key: unescape_value(value) for key, value in span.params if key is not None}
    return values, free_text_of(revision.text, span)


def _sign_in_prompt(message: str):
    """A refusal that tells a visitor to sign in, with a link back to where they were."""
    return render_template("fields/signin.html", page_title=gettext("Please sign in"), message=message,
                           returnto=request.full_path.rstrip("?")), 403


def _refusal(form: FormDef, who: Actor, target: Title | None):
    """Why ``who`` may not use ``form`` (on ``target``), as a page; ``None`` when allowed."""
    if target is not None and who.is_anonymous and form.allows(who):
        return _sign_in_prompt(gettext("Visitors cannot edit pages with a form. Sign in to edit %(title)s.",
                                       title=target.prefixed))
    if form.allows(who):
        return None
    if who.is_anonymous:
        return _sign_in_prompt(gettext("Form:%(form)s is for signed-in users (%(who)s). Sign in to use it.",
                                       form=form.name, who=form.who()))
    return error_page(403, gettext("Permission error"),
                      gettext("Form:%(form)s may be used by %(who)s only.", form=form.name, who=form.who()))


def _saved(s, who: Actor, result):
    """After a save: the page, or a confirmation when the submitter may not read it (a visitor's ticket)."""
    title = s.titles.make(result.page.namespace, result.page.title)
    if s.policy.allows(who, "read", title, result.page):
        return redirect(wiki_url(title), code=303)
    return render_template("fields/formsaved.html", page_title=gettext("Thank you"), saved=title)


def _form_page(s, name: str, target: Title | None):
    who = actor()
    session = db_session()
    try:
        form = load_form(s, session, name)
    except FormError as exc:
        return error_page(404, gettext("No such form"), str(exc))
    refusal_page = _refusal(form, who, target)
    if refusal_page is not None:
        return refusal_page
    base = None
    if target is not None:
        page = readable_page(s, target, who)
        if page is None:
            return error_page(404, gettext("No such page"), gettext("%(title)s does not exist.", title=target.prefixed))
        s.policy.check(who, "edit", target, page)
        base_id = request.values.get("base_revision_id", type=int) or page.latest_id
        try:
            base = readable_revision(s, session, who, target, page, base_id)
        except RevisionNotFound as exc:
            return error_page(400, gettext("Bad revision"), str(exc))
    context = {"form": form, "target": target, "base_revision_id": base.id if base else "",
               "summary": request.form.get("summary", ""), "errors": [], "honeypot": HONEYPOT,
               "page_title": gettext("Editing %(title)s", title=target.prefixed) if target else f"Form:{form.name}"}
    if request.method != "POST":
        if base is not None:
            values, free_text = _current_values(s, form, base)
        else:
            values, free_text = request.args.to_dict(), request.args.get("free_text", "")
        return render_template("fields/formedit.html", inputs=_inputs(s, form, values), free_text=free_text, **context)
    free_text = request.form.get("free_text") if form.free_text is not None else None
    decls = declared_fields(s, session, form)
    values = collect(form, decls, request.form.getlist)
    status, errors, refusal = 400, [], None
    if request.form.get(HONEYPOT):
        errors = [gettext("This submission looks automated (a field meant to stay empty was filled in); "
                          "nothing was saved.")]
    elif (refusal := rate_limited(who)) is not None:
        errors = [str(refusal)]
    else:
        uploads = {key: Upload(f.filename or "", f.read()) for key, f in request.files.items() if f and f.filename}
        submission = Submission(values=values, uploads=uploads, summary=request.form.get("summary", ""),
                                free_text=free_text)
        try:
            with s.db.write() as write:
                result = submit(s, write, form, submission, who, target=target,
                                base_revision_id=base.id if base else None)
            return _saved(s, who, result)
        except (FormError, UploadError) as exc:
            errors = [str(exc)]
        except PermissionDenied as exc:
            status, errors = 403, [str(exc)]
        except SaveError as exc:
            errors = exc.messages
        except EditConflict as exc:  # the next save starts from the current revision: the user's values win
            context["base_revision_id"] = exc.current_revision_id
            status, errors = 409, [gettext("%(title)s was changed by someone else in the same place while you were "
                                           "editing. Check your values below and save again to keep them, or open "
                                           "the page to see the other changes.", title=exc.title.prefixed)]
    chosen = sorted(key for key, f in request.files.items() if f and f.filename)
    if chosen:  # browsers never fill a file input again, so say so rather than lose the file quietly
        errors = [*errors, gettext("Files are not kept when a form is refused; choose %(fields)s again.",
                                   fields=", ".join(chosen))]
    page = render_template("fields/formedit.html", inputs=_inputs(s, form, values), free_text=free_text or "",
                           **{**context, "errors": errors})
    return too_many_requests(refusal, page) if refusal is not None else (page, status)
