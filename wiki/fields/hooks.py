"""The fields plugin: ``#declare``, ``#ask`` and ``#form``, validation at save, derived field
tables, field changes per revision, Special:Ask and Special:FormEdit, the API, the command."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext, lazy_gettext

from wiki.fields import cli, store, views
from wiki.fields.api import api
from wiki.fields.declare import ERRORS_KEY, EXTRA_KEY, DeclarationError, check_default, conflicts, declare_function
from wiki.fields.forms.definition import ERRORS_KEY as FORM_ERRORS_KEY
from wiki.fields.forms.definition import check_form, editing_form, form_function
from wiki.fields.query import ask_function
from wiki.hooktypes import PageAction, PageTab, SeedPage, SpecialPage
from wiki.hookspecs import hookimpl
from wiki.markup import ParserFunction
from wiki.namespaces import FORM, TEMPLATE

HELP_PAGE = Path(__file__).resolve().parent / "help" / "Fields.md"


@hookimpl
def register_parser_functions():
    return [ParserFunction("declare", declare_function), ParserFunction("ask", ask_function),
            ParserFunction("form", form_function)]


@hookimpl
def validate_page_save(site, session, title, text, output, actor):
    errors: list[str] = []
    if title.ns == TEMPLATE:
        errors += output.extra.get(ERRORS_KEY, [])
        decls = output.extra.get(EXTRA_KEY, [])
        if decls:
            page = site.get_page(session, title)
            errors += conflicts(session, page.id if page else None, decls)
            env = store.type_env(site, session)
            for decl in decls:
                try:
                    check_default(decl, env)
                except DeclarationError as exc:
                    errors.append(f"#declare: {exc}.")
    if title.ns == FORM:
        errors += output.extra.get(FORM_ERRORS_KEY, [])
        if store.FORM_KEY in output.extra:
            errors += check_form(site, session, output.extra[store.FORM_KEY])
    errors += store.extract(site, session, output, title.ns).errors
    errors += _misplaced_records(site, title, output)
    return errors


def _misplaced_records(site, title, output) -> list[str]:
    """A call of another namespace's record template (``{{Ticket}}`` on a user page) would look
    like a record of it without being one: refused for everyone, with the way to show it."""
    owners = {}
    for call in output.template_calls:
        owner = store.foreign_record(site, call.title, title.ns)
        if owner is not None:
            owners[call.title.text] = owner
    return [gettext("{{%(template)s}} makes a page a record of the %(namespace)s namespace and works only on "
                    "pages there; to show the call here, put it inside <nowiki>...</nowiki> or a code block.",
                    template=template, namespace=owner.display_name) for template, owner in owners.items()]


@hookimpl
def update_derived_data(site, session, page, revision, output):
    store.derive(site, session, page, revision, output)


@hookimpl
def clear_derived_data(site, session, page):
    store.clear(session, page.id)


@hookimpl
def page_saved(site, session, change):
    store.record_changes(session, change.page.id, change.revision.id, change.previous_revision_id)


@hookimpl
def register_special_pages():
    return [
        SpecialPage("Ask", views.special_ask,
                    lazy_gettext("Query pages by category and field values; export CSV and JSON"),
                    heading=lazy_gettext("Ask: query pages")),
        SpecialPage("FormEdit", views.special_form_edit, lazy_gettext("Create or edit a page with a form"),
                    heading=lazy_gettext("Edit with a form")),
    ]


@hookimpl
def register_page_actions():
    return [PageAction("formedit", views.form_edit_action)]


@hookimpl
def register_blueprints():
    return [api]


@hookimpl
def register_cli_commands():
    return [cli.fields]


@hookimpl
def register_seed_pages():
    return [SeedPage("Help:Fields", HELP_PAGE.read_text(encoding="utf-8"), summary="Help on fields, forms and queries")]


@hookimpl
def search_fields(site, session, page, revision, output):
    """Field values of the revision as ``name:value`` search filters (``status:open``)."""
    found = {}
    for name, value in store.revision_fields(session, revision.id).items():
        found[name.replace(" ", "_").replace("-", "_")] = value if isinstance(value, list) else [value]
    return found


@hookimpl
def page_action_tabs(site, session, title, page, actor):
    """An "Edit with form" tab on pages that a form edits, for those who may edit the page and use the form."""
    if page is None or title.ns == FORM or actor.is_anonymous or not site.policy.allows(actor, "edit", title, page):
        return []
    if editing_form(site, session, page.id, actor) is None:
        return []
    return [PageTab(gettext("Edit with form"), f"{title.url_path}?action=formedit", action="formedit", order=10)]


@hookimpl
def describe_revision_changes(site, session, pairs):
    return store.describe_pairs(session, pairs)
