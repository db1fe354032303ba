"""``Form:`` pages: the ``{{#form: ...}}`` definition, and reading a form back.

    {{#form: template=Ticket | title=Ticket:{counter} | roles=customer, staff | summary=New ticket
     | Subject = text ; One line that says what is wrong
     | Description = textarea ; What happened, step by step
     | Priority = radio
     | Assignee = user
     | Screenshot = file ; PNG, JPEG, GIF, PDF or text, at most 5 MB }}

Lower-case keys are settings: ``template`` (required), ``title`` (the pattern for new
pages: ``{counter}`` is a gap-free number, ``{Field}`` a submitted value), ``roles`` (who may
use the form: ``admin``, ``staff``, ``analyst``, ``customer``, ``user`` for anyone signed in,
``*`` for visitors too; default ``admin, staff``), ``summary``, ``button`` and ``free text``
(a box for page text outside the template call, as Page Forms' "free text" input:
``free text = [label] [; help text]``).  Other arguments are inputs:
``Field = [input type] [; help text]``; the input type defaults to the one that suits the
field's declared type.

Visitors (``roles=*``) may only create pages, and only where the namespace lets them;
editing an existing page with a form needs a signed-in user who may edit it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote
from weakref import WeakKeyDictionary

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.fields.declare import DeclarationError, FieldDecl, declarations, normalise_field_name
from wiki.fields.models import FieldForm
from wiki.fields.store import FORM_KEY
from wiki.markup import FunctionCall, render
from wiki.models import Page, Revision, TemplateLink
from wiki.namespaces import FORM, TEMPLATE
from wiki.permissions import Actor, ROLES
from wiki.titles import InvalidTitle, Title

INPUT_TYPES = ("text", "textarea", "select", "radio", "checkbox", "date", "datetime", "number", "user", "file")
SETTINGS = ("template", "title", "roles", "summary", "button", "free text")
ERRORS_KEY = "fields.form_errors"
DEFAULT_INPUT = {"longtext": "textarea", "enum": "select", "boolean": "checkbox", "date": "date",
                 "datetime": "datetime", "integer": "number", "decimal": "number", "user": "user"}


class FormError(ValueError):
    """The form cannot be used as written, or was filled in wrongly (the message is translated
    where it is shown; names and values in it stay as written)."""


@dataclass(frozen=True)
class FormInput:
    field: str
    input: str = ""
    help: str = ""


@dataclass(frozen=True)
class FreeTextInput:
    """The form's box for the page text outside the template call."""

    #: Empty means the interface's own "Free text" label.
    label: str = ""
    help: str = ""


@dataclass(frozen=True)
class FormDef:
    name: str
    template: str
    title_pattern: str = ""
    roles: tuple[str, ...] = ("admin", "staff")
    summary: str = ""
    button: str = "Save"
    inputs: tuple[FormInput, ...] = ()
    free_text: FreeTextInput | None = None

    def allows(self, actor: Actor) -> bool:
        if actor.is_admin or "*" in self.roles:
            return True
        if actor.is_anonymous:
            return False
        return "user" in self.roles or actor.role in self.roles

    def allows_editing(self, actor: Actor) -> bool:
        """Whether ``actor`` may edit existing pages with the form (visitors only create)."""
        return not actor.is_anonymous and self.allows(actor)

    def who(self) -> str:
        names = {"*": gettext("everyone"), "user": gettext("signed-in users")}
        return ", ".join(names.get(r, r) for r in self.roles)


def parse_form(name: str, settings: dict[str, str], inputs: list[str]) -> FormDef:
    """Build a ``FormDef`` from ``#form``'s settings and input arguments; raises ``FormError``."""
    template = settings.get("template", "").strip()
    if not template:
        raise FormError(lazy_gettext("#form needs template=NAME (the template whose fields the form fills in)"))
    roles = tuple(r.strip().lower() for r in settings.get("roles", "admin, staff").split(",") if r.strip())
    unknown = [r for r in roles if r not in (*ROLES, "user", "*")]
    if unknown:
        raise FormError(lazy_gettext("#form: unknown role %(role)s; roles are %(roles)s, user and *",
                                     role=repr(unknown[0]), roles=", ".join(ROLES)))
    parsed = []
    for raw in inputs:
        spec, _, help_text = raw.partition(";")
        field_part, eq, kind = spec.partition("=")
        try:
            field_name = normalise_field_name(field_part)
        except DeclarationError as exc:
            raise FormError(lazy_gettext("#form: %(problem)s", problem=exc)) from None
        kind = kind.strip().lower()
        if kind and kind not in INPUT_TYPES:
            raise FormError(lazy_gettext("#form: the input type %(input)s of %(field)s is unknown; input types "
                                         "are %(inputs)s", input=repr(kind), field=field_name,
                                         inputs=", ".join(INPUT_TYPES)))
        if any(i.field == field_name for i in parsed):
            raise FormError(lazy_gettext("#form: the field %(field)s is listed twice", field=field_name))
        parsed.append(FormInput(field_name, kind, help_text.strip()))
    if not parsed:
        raise FormError(lazy_gettext("#form lists no fields; add arguments such as 'Subject = text'"))
    free_text = None
    if "free text" in settings:
        label, _, help_text = settings["free text"].partition(";")
        free_text = FreeTextInput(label.strip(), help_text.strip())
    return FormDef(name=name, template=template.removeprefix("Template:").strip(),
                   title_pattern=settings.get("title", "").strip(), roles=roles,
                   summary=settings.get("summary", "").strip(), button=settings.get("button", "").strip() or "Save",
                   inputs=tuple(parsed), free_text=free_text)


def form_function(call: FunctionCall) -> str:
    """The ``#form`` handler: stashes the definition for the save and shows what the form asks."""
    if call.title.ns != FORM:
        return call.error("#form belongs on a Form: page.")
    settings: dict[str, str] = {}
    inputs: list[str] = []
    for i in range(call.count):
        text = call.arg(i)
        key = text.partition("=")[0].strip()
        if key in SETTINGS:
            settings[key] = text.partition("=")[2].strip()
        elif text:
            inputs.append(text)
    try:
        form = parse_form(call.title.text, settings, inputs)
    except FormError as exc:
        call.extra.setdefault(ERRORS_KEY, []).append(str(exc))
        return call.error(str(exc))
    call.extra[FORM_KEY] = form
    items = "".join(f"<li><b>{escape(i.field)}</b>" + (f" ({escape(i.input)})" if i.input else "")
                    + (f" — {escape(i.help)}" if i.help else "") + "</li>" for i in form.inputs)
    if form.free_text is not None:
        items += (f"<li><b>{escape(form.free_text.label or 'Free text')}</b> (free text)"
                  + (f" — {escape(form.free_text.help)}" if form.free_text.help else "") + "</li>")
    href = "/wiki/Special:FormEdit/" + quote(form.name.replace(" ", "_"))
    return call.html(
        f'<div class="form-definition"><p>This form fills in <a href="/wiki/Template:'
        f'{quote(form.template.replace(" ", "_"))}">Template:{escape(form.template)}</a> for: '
        f"{escape(form.who())}.</p><ul>{items}</ul>"
        f'<p><a class="button" href="{escape(href)}">Create a page with this form</a></p></div>'
    )


def check_form(site, session: Session, form: FormDef) -> list[str]:
    """Problems with a form against its template's declaration (for saving the Form page)."""
    decls = declared_fields(site, session, form)
    if not decls:
        return [gettext("#form: %(template)s declares no fields (add {{#declare: ...}} to it first).",
                        template=f"Template:{form.template}")]
    errors = []
    for item in form.inputs:
        decl = decls.get(item.field)
        if decl is None:
            errors.append(gettext("#form: %(template)s declares no field %(field)s.",
                                  template=f"Template:{form.template}", field=item.field))
        elif input_type(item, decl) in ("select", "radio") and decl.type.name != "enum":
            errors.append(gettext("#form: %(field)s is %(type)s; select and radio need an enum field.",
                                  field=item.field, type=decl.type.spec))
        elif item.input == "checkbox" and decl.type.name not in ("boolean", "enum"):
            errors.append(gettext("#form: %(field)s is %(type)s; checkbox needs a boolean or list(enum) field.",
                                  field=item.field, type=decl.type.spec))
    return errors


def declared_fields(site, session: Session, form: FormDef) -> dict[str, FieldDecl]:
    """The fields the form's template declares, by name."""
    found = declarations(session, [site.titles.make(TEMPLATE, form.template)])
    return {d.name: d for d in next(iter(found.values()), [])}


def input_type(item: FormInput, decl: FieldDecl) -> str:
    if item.input:
        return item.input
    if decl.type.is_list:
        return "checkbox" if decl.type.name == "enum" else "text"
    return DEFAULT_INPUT.get(decl.type.name, "text")


#: Forms already read, per site and ``Form:`` page, with the revision and ``touched`` time they
#: were read from: the tab bar asks on every page view, and a form is parsed again only when
#: its page changes.  Keyed weakly by site, so sites in one process never share entries.
_PARSED: WeakKeyDictionary[Any, dict[int, tuple[int, datetime, FormDef | None]]] = WeakKeyDictionary()


def _parsed(site, session: Session, page: Page, title: Title) -> FormDef:
    """The form on ``page`` (``title``), read through ``_PARSED``; raises ``FormError``."""
    known = _PARSED.setdefault(site, {}).get(page.id)
    if known is not None and known[:2] == (page.latest_id, page.touched):
        form = known[2]
    else:
        text = session.get(Revision, page.latest_id).text
        form = render(text, site.render_context(session, title)).extra.get(FORM_KEY)
        _PARSED[site][page.id] = (page.latest_id, page.touched, form)
    if form is None:
        raise FormError(lazy_gettext("%(title)s does not define a form ({{#form: template=... | ...}}).",
                                     title=title.prefixed))
    return form


def load_form(site, session: Session, name: str) -> FormDef:
    """The form defined on ``Form:name``; raises ``FormError`` when there is none."""
    try:
        title = site.titles.make(FORM, name.removeprefix("Form:"))
    except InvalidTitle as exc:
        raise FormError(str(exc)) from None
    page = site.get_page(session, title)
    if page is None or page.deleted or page.latest_id is None:
        raise FormError(lazy_gettext("There is no form called %(title)s.", title=title.prefixed))
    return _parsed(site, session, page, title)


def _form_pages(session: Session, page_id: int) -> list[Page]:
    return list(session.scalars(
        select(Page).join(FieldForm, FieldForm.page_id == Page.id)
        .join(TemplateLink, (TemplateLink.namespace == TEMPLATE) & (TemplateLink.title == FieldForm.template))
        .where(TemplateLink.from_id == page_id, Page.deleted.is_(False)).order_by(Page.id)
    ))


def forms_for_page(session: Session, page_id: int) -> list[str]:
    """The names of the forms that edit one of the templates page ``page_id`` uses, oldest first."""
    return [page.title for page in _form_pages(session, page_id)]


def editing_form(site, session: Session, page_id: int, actor: Actor) -> FormDef | None:
    """The first form that edits page ``page_id`` and that ``actor`` may edit pages with."""
    for page in _form_pages(session, page_id):
        try:
            form = _parsed(site, session, page, site.titles.make(FORM, page.title))
        except FormError:
            continue  # a form page broken since it was saved offers no form
        if form.allows_editing(actor):
            return form
    return None
