"""Field values of pages: extracting them from template calls, validating, and the derived tables.

``extract`` reads the values a page's template calls give to declared fields.  At save
time it refuses wrong values (``validate_page_save``); when deriving it skips them (a
template's declaration may change after a page was saved).  The template that makes a
namespace's records (``Namespace.record_template``: ``{{Ticket}}``) gives values only on
pages of that namespace, so a call written elsewhere never passes for a ticket in a query.
``derive`` replaces a page's rows in ``field_values`` and the snapshot of its current
revision in ``field_revisions``; ``record_changes`` writes old -> new rows for a new revision
(``page_saved``), and ``field_changes`` reads them back for history and recent changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from wiki.accounts import find_user
from wiki.fields.declare import EXTRA_KEY, FieldDecl, declarations, store_declarations
from wiki.fields.models import FieldChange, FieldDeclaration, FieldForm, FieldRevision, FieldValue
from wiki.fields.types import FieldValueError, TypeEnv
from wiki.markup import ParseOutput, render
from wiki.models import Page, Revision
from wiki.namespaces import FORM, TEMPLATE, Namespace
from wiki.titles import Title

FORM_KEY = "fields.form"


@dataclass
class PageFields:
    """The declared fields a page's template calls set: name -> (template, declaration, parsed values)."""

    values: dict[str, tuple[str, FieldDecl, list[Any]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def snapshot(self) -> dict[str, Any]:
        """Display strings: a list for list fields, one string otherwise; empty fields left out."""
        shown: dict[str, Any] = {}
        for name, (_template, decl, values) in self.values.items():
            texts = [decl.type.display(v) for v in values]
            if texts:
                shown[name] = texts if decl.type.is_list else texts[0]
        return shown


def type_env(site: Any, session: Session) -> TypeEnv:
    def user_name(name: str) -> str | None:
        user = find_user(session, name)
        return user.name if user is not None and not user.disabled else None

    return TypeEnv(titles=site.titles, user_name=user_name)


def foreign_record(site: Any, template: Title, namespace: int) -> Namespace | None:
    """The namespace whose records ``template`` makes, when that is not ``namespace`` (the
    namespace of the page that calls it); ``None`` when the call may give values there."""
    if template.ns != TEMPLATE:
        return None
    owner = site.namespaces.record_namespace(template.text)
    return owner if owner is not None and owner.number != namespace else None


def extract(site: Any, session: Session, output: ParseOutput, namespace: int) -> PageFields:
    """Values of declared fields from the template calls written on a page of ``namespace``
    (first call wins; calls of another namespace's record template are left out)."""
    result = PageFields()
    calls = [call for call in output.template_calls if foreign_record(site, call.title, namespace) is None]
    if not calls:
        return result
    declared = declarations(session, [c.title for c in calls])
    env = type_env(site, session)
    for call in calls:
        decls = declared.get(call.title.key)
        if not decls:
            continue
        params = {" ".join(k.replace("_", " ").split()).casefold(): v for k, v in call.params.items()}
        for decl in decls:
            if decl.name in result.values:
                continue
            raw = params.get(decl.name.casefold(), "")
            items = decl.type.split(raw)
            if not items and decl.default is not None:
                items = decl.type.split(decl.default)
            if not items and decl.required:
                result.errors.append(gettext("The field %(name)s of %(page)s is required (%(allowed)s).",
                                             name=decl.name, page=call.title.prefixed, allowed=decl.type.describe()))
                continue
            parsed: list[Any] = []
            for item in items:
                try:
                    value = decl.type.parse(item, env)
                    if all(decl.type.display(value) != decl.type.display(seen) for seen in parsed):
                        parsed.append(value)  # a list holds each value once
                except FieldValueError as exc:
                    result.errors.append(gettext("The field %(name)s of %(page)s: the value %(value)s %(problem)s.",
                                                 name=decl.name, page=call.title.prefixed, value=repr(item),
                                                 problem=exc))
            result.values[decl.name] = (call.title.text, decl, parsed)
    return result


def derive(site: Any, session: Session, page: Page, revision: Revision, output: ParseOutput) -> None:
    """Replace everything this package derives from ``page``'s current revision."""
    clear(session, page.id)
    if page.namespace == TEMPLATE:
        store_declarations(session, page, output.extra.get(EXTRA_KEY, []))
    if page.namespace == FORM and FORM_KEY in output.extra:
        session.execute(insert(FieldForm), [{"page_id": page.id, "template": output.extra[FORM_KEY].template}])
    fields = extract(site, session, output, page.namespace)
    rows = []
    for name, (template, decl, values) in fields.values.items():
        for position, value in enumerate(values):
            rows.append({"page_id": page.id, "template": template, "field": name, "position": position,
                         **decl.type.columns(value)})
    if rows:
        session.execute(insert(FieldValue), rows)
    _store_snapshot(session, page.id, revision.id, fields.snapshot())


def _store_snapshot(session: Session, page_id: int, revision_id: int, values: dict[str, Any]) -> None:
    """Replace a revision's snapshot; revisions without field values keep no row."""
    session.execute(delete(FieldRevision).where(FieldRevision.revision_id == revision_id))
    if values:
        session.execute(insert(FieldRevision), [{"revision_id": revision_id, "page_id": page_id, "values": values}])


def clear(session: Session, page_id: int) -> None:
    """Remove the page's current values, declaration and form (per-revision rows stay with the revisions)."""
    for model in (FieldValue, FieldDeclaration, FieldForm):
        session.execute(delete(model).where(model.page_id == page_id))


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    return ", ".join(value) if isinstance(value, list) else str(value)


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(name, _as_text(old.get(name)), _as_text(new.get(name)))
            for name in sorted(set(old) | set(new)) if old.get(name) != new.get(name)]


def revision_fields(session: Session, revision_id: int) -> dict[str, Any]:
    """The field values a revision set (as display strings; lists for list fields)."""
    row = session.get(FieldRevision, revision_id)
    return dict(row.values) if row is not None else {}


def record_changes(session: Session, page_id: int, revision_id: int, previous_revision_id: int | None) -> None:
    """Write the field changes of ``revision_id`` against its predecessor (inside the save)."""
    session.execute(delete(FieldChange).where(FieldChange.revision_id == revision_id))
    old = revision_fields(session, previous_revision_id) if previous_revision_id else {}
    changes = diff(old, revision_fields(session, revision_id))
    if changes:
        session.execute(insert(FieldChange), [
            {"revision_id": revision_id, "page_id": page_id, "field": name, "old_value": before, "new_value": after}
            for name, before, after in changes
        ])


def field_changes(session: Session, revision_ids: Iterable[int]) -> dict[int, list[tuple[str, str | None, str | None]]]:
    """For history and recent changes: revision id -> [(field, old, new)], by field name.

    Revisions without changes are absent.  ``None`` means the field had no value on that side.
    """
    ids = list(set(revision_ids))
    found: dict[int, list[tuple[str, str | None, str | None]]] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(FieldChange.revision_id, FieldChange.field, FieldChange.old_value, FieldChange.new_value)
            .where(FieldChange.revision_id.in_(ids[start : start + 500]))
            .order_by(FieldChange.revision_id, FieldChange.field)
        )
        for revision_id, name, old, new in rows:
            found.setdefault(revision_id, []).append((name, old, new))
    return found


def describe_pairs(session: Session, pairs: list[tuple[int | None, int]]) -> dict[tuple[int | None, int], list[str]]:
    """``format_changes`` for revision pairs: stored changes for consecutive ones (one query),
    a comparison of stored values for any other pair."""
    parents = dict(session.execute(select(Revision.id, Revision.parent_id)
                                   .where(Revision.id.in_({new for _, new in pairs}))).all())
    consecutive = field_changes(session, [new for old, new in pairs if parents.get(new) == old])
    notes: dict[tuple[int | None, int], list[str]] = {}
    for old, new in pairs:
        if parents.get(new) == old:
            changes = consecutive.get(new, [])
        else:
            before = revision_fields(session, old) if old else {}
            changes = diff(before, revision_fields(session, new))
        if changes:
            notes[(old, new)] = [format_changes(changes)]
    return notes


def format_changes(changes: list[tuple[str, str | None, str | None]]) -> str:
    """``Status: Open → Resolved; Due: (none) → 2026-12-01`` for summaries."""
    return "; ".join(f"{name}: {old or '(none)'} → {new or '(none)'}" for name, old, new in changes)


def _render(site: Any, session: Session, page: Page, revision: Revision) -> ParseOutput:
    title = site.titles.make(page.namespace, page.title)
    return render(revision.text, site.render_context(session, title, revision_id=revision.id))


def rebuild(site: Any, history: bool = False, progress: Callable[[int], None] | None = None,
            batch: int = 200) -> int:
    """Re-derive the field tables of every page from its revisions; returns the number of pages.

    Templates go first so that their declarations are current when the pages using them
    are read.  With ``history`` the per-revision values and changes of old revisions are
    recomputed too (each revision rendered with today's templates).
    """
    with site.db.read() as session:
        ids = list(session.scalars(
            select(Page.id).where(Page.deleted.is_(False), Page.latest_id.is_not(None))
            .order_by((Page.namespace != TEMPLATE), Page.id)
        ))
    for start in range(0, len(ids), batch):
        with site.db.write() as session:
            for page in session.scalars(select(Page).where(Page.id.in_(ids[start : start + batch]))
                                       .order_by((Page.namespace != TEMPLATE), Page.id)):
                if history:
                    _rebuild_history(site, session, page)
                latest = session.get(Revision, page.latest_id)
                derive(site, session, page, latest, _render(site, session, page, latest))
        if progress:
            progress(min(batch, len(ids) - start))
    return len(ids)


def _rebuild_history(site: Any, session: Session, page: Page) -> None:
    previous: int | None = None
    for revision in session.scalars(select(Revision).where(Revision.page_id == page.id).order_by(Revision.id)):
        values = extract(site, session, _render(site, session, page, revision), page.namespace).snapshot()
        _store_snapshot(session, page.id, revision.id, values)
        record_changes(session, page.id, revision.id, previous)
        previous = revision.id
