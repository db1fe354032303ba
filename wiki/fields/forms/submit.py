"""Saving a filled-in form: a new page from the title pattern, or an edit of one template call.

Runs inside the caller's write transaction with the acting user; the page is saved with
``save_page``, so field validation, permissions and merging are exactly those of any edit.
``{counter}`` numbers come from ``field_counters`` in the same transaction, so a refused
or failed save gives its number back (no gaps), and concurrent saves queue on the row.

A form with a free-text box puts that text after the template call of a new page.  When
editing, the free text is written back only if it changed; otherwise only the call is
rewritten, so the edit still merges with concurrent edits of the rest of the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext
from sqlalchemy.orm import Session

from wiki.counters import next_value
from wiki.fields.declare import FieldDecl
from wiki.fields.forms.definition import FormDef, FormError, declared_fields
from wiki.fields.forms.uploads import Upload, store
from wiki.fields.forms.wikitext import (
    CallSpan,
    build_call,
    escape_value,
    find_call,
    free_text_of,
    normalise_free_text,
    rewrite_call,
    rewritten_call,
    with_free_text,
)
from wiki.fields.models import FieldCounter
from wiki.namespaces import TEMPLATE
from wiki.pages import SaveResult, save_page
from wiki.permissions import Actor, PermissionDenied
from wiki.revisions import RevisionNotFound, readable_revision
from wiki.titles import InvalidTitle, Title

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
MAX_COUNTER_TRIES = 1000


@dataclass
class Submission:
    """What was filled in: field -> text (lists already joined with commas), uploaded files,
    and the free text (``None`` when the form has no free-text box or it was not sent)."""

    values: dict[str, str] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    summary: str = ""
    free_text: str | None = None


def collect(form: FormDef, decls: Mapping[str, FieldDecl], get_list) -> dict[str, str]:
    """Field values from a request's form data (``get_list(name)`` -> list of strings)."""
    values: dict[str, str] = {}
    for item in form.inputs:
        decl = decls.get(item.field)
        submitted = [v.strip() for v in get_list(item.field) if v.strip()]
        if decl is not None and decl.type.name == "boolean" and not decl.type.is_list:
            values[item.field] = "yes" if submitted and submitted[-1] not in ("no", "0") else "no"
        else:
            values[item.field] = ", ".join(submitted)
    return values


def next_counter(session: Session, name: str) -> int:
    """The next number of counter ``name`` (1 for a new counter), inside the transaction."""
    return next_value(session, FieldCounter, name)


def _fill(pattern: str, values: Mapping[str, str], counter: int | None) -> str:
    def value(found: re.Match) -> str:
        key = found.group(1).strip()
        if key == "counter":
            return str(counter)
        for name, text in values.items():
            if name.casefold() == key.casefold():
                if not text.strip():
                    raise FormError(lazy_gettext("The page title is made from %(field)s; please fill it in.", field=key))
                return " ".join(text.split())
        raise FormError(lazy_gettext("The title pattern %(pattern)s names %(name)s, which is not a field of the form.",
                                     pattern=repr(pattern), name=f"{{{key}}}"))

    return _PLACEHOLDER.sub(value, pattern)


def new_title(site, session: Session, form: FormDef, values: Mapping[str, str]) -> Title:
    """The title of a new page from the form's pattern; ``{counter}`` skips titles already taken."""
    if not form.title_pattern:
        raise FormError(lazy_gettext("%(form)s has no title pattern (title=...), so it can only edit pages.",
                                     form=f"Form:{form.name}"))
    for _ in range(MAX_COUNTER_TRIES):
        counter = next_counter(session, form.title_pattern) if "{counter}" in form.title_pattern else None
        try:
            title = site.titles.parse(_fill(form.title_pattern, values, counter))
        except InvalidTitle as exc:
            raise FormError(lazy_gettext("The new page's title is not valid: %(problem)s", problem=exc)) from None
        if site.get_page(session, title) is None:
            return title
        if counter is None:
            raise FormError(lazy_gettext("A page called %(title)s already exists; change the fields its title is "
                                         "made of.", title=title.prefixed))
    raise FormError(lazy_gettext("No free title found for %(pattern)s after %(tries)s tries.",
                                 pattern=repr(form.title_pattern), tries=MAX_COUNTER_TRIES))


def submit(site, session: Session, form: FormDef, submission: Submission, actor: Actor,
           target: Title | None = None, base_revision_id: int | None = None,
           now: datetime | None = None) -> SaveResult:
    """Create a page (``target`` is ``None``) or edit ``target``'s template call; raises
    ``FormError``, ``PermissionDenied``, ``SaveError``, ``EditConflict`` or ``UploadError``."""
    if not form.allows(actor):
        raise PermissionDenied(lazy_gettext("%(form)s may be used by %(who)s only.", form=f"Form:{form.name}",
                                            who=form.who()))
    if target is not None and not form.allows_editing(actor):
        raise PermissionDenied(lazy_gettext("Sign in to edit pages with a form; visitors may only create pages "
                                            "with it."))
    decls = declared_fields(site, session, form)
    files = {item.field for item in form.inputs if item.input == "file"}
    values = {item.field: submission.values.get(item.field, "") for item in form.inputs if item.field not in files}
    for name, upload in submission.uploads.items():
        if name in files and upload.data:
            values[name] = store(site, session, actor, name, upload, now=now).prefixed
    summary = submission.summary or form.summary or f"Saved with Form:{form.name}"
    free_text = submission.free_text if form.free_text is not None else None
    if target is None:
        title = new_title(site, session, form, values)
        params = [(name, escape_value(value)) for name, value in values.items() if value or name in decls]
        text = "\n\n".join(part for part in (build_call(form.template, params),
                                              normalise_free_text(free_text or "")) if part)
        return save_page(site, session, title, text, actor, summary=summary, account_id=actor.account_id, now=now)
    page = site.get_page(session, target)
    if page is None or page.deleted:
        raise FormError(lazy_gettext("%(title)s does not exist.", title=target.prefixed))
    try:
        base = readable_revision(site, session, actor, target, page, base_revision_id or page.latest_id)
    except RevisionNotFound as exc:
        raise FormError(str(exc)) from None
    template = site.titles.make(TEMPLATE, form.template)

    def is_template(name: str) -> bool:
        try:
            return site.titles.parse(name, default_namespace=TEMPLATE) == template
        except InvalidTitle:
            return False

    span = find_call(base.text, is_template)
    if span is None:
        raise FormError(lazy_gettext("%(title)s does not call %(template)s, so %(form)s cannot edit it.",
                                     title=target.prefixed, template=f"{{{{{form.template}}}}}",
                                     form=f"Form:{form.name}"))
    text = edited_text(base.text, span, values, free_text)
    return save_page(site, session, target, text, actor, summary=summary, base_revision_id=base.id, now=now)


def edited_text(text: str, span: CallSpan, values: Mapping[str, str], free_text: str | None) -> str:
    """``text`` after a form edit: the call rewritten, and the free text replaced if it changed."""
    if free_text is None or normalise_free_text(free_text) == free_text_of(text, span):
        return rewrite_call(text, span, dict(values))
    return with_free_text(text, span, rewritten_call(span, dict(values)), free_text)
