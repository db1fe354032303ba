"""``{{#declare: ...}}`` on a template page, and reading the declarations back.

Syntax (one field per argument)::

    {{#declare: Status = enum(New, Open, Resolved) required default=New
              | Priority = enum(P1, P2, P3) | Due = date | Tags = list(text) | Assignee = user }}

A field is ``Name = type [required] [default=VALUE]``.  ``#declare`` belongs on the
template's own page inside ``<noinclude>``; when the template page is saved the
declaration is stored in ``field_declarations`` (``store_declarations``), and every page
that calls the template is re-derived by the core.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from flask_babel import gettext, lazy_gettext
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from wiki.fields.models import FieldDeclaration
from wiki.fields.types import FieldType, FieldTypeError, FieldValueError, TypeEnv, parse_type, read_type
from wiki.markup import FunctionCall
from wiki.models import Page
from wiki.namespaces import TEMPLATE
from wiki.titles import Title

#: Names queries use for page properties; templates may not declare fields with these names.
RESERVED_NAMES = frozenset({"Title", "Created", "Modified", "Category", "Namespace"})
EXTRA_KEY = "fields.declaration"
ERRORS_KEY = "fields.declaration_errors"
_NAME = re.compile(r"^[^\W\d][\w \-]{0,99}$")
_DEFAULT = re.compile(r"^default\s*=\s*(.*?)(?:\s+required)?\s*$", re.S)


class DeclarationError(ValueError):
    """A ``#declare`` argument cannot be understood (the message is a lazy string, translated
    where it is shown; names and values in it stay as written)."""


@dataclass(frozen=True)
class FieldDecl:
    name: str
    type: FieldType
    required: bool = False
    default: str | None = None

    @property
    def spec(self) -> str:
        parts = [self.type.spec]
        if self.required:
            parts.append("required")
        if self.default is not None:
            parts.append(f"default={self.default}")
        return " ".join(parts)


def normalise_field_name(raw: str) -> str:
    """``status  code`` -> ``Status code``; raises ``DeclarationError`` for names that are not allowed."""
    name = " ".join(raw.replace("_", " ").split())
    if not _NAME.match(name):
        raise DeclarationError(lazy_gettext("%(name)s is not a field name: use letters, digits, spaces and - "
                                            "(starting with a letter, at most 100 characters)",
                                            name=repr(raw.strip())))
    return name[:1].upper() + name[1:]


def parse_declaration(text: str) -> FieldDecl:
    """One argument of ``#declare``: ``Name = type [required] [default=VALUE]``."""
    name_part, eq, rest = text.partition("=")
    if not eq:
        raise DeclarationError(lazy_gettext("%(text)s must look like 'Name = type', for example 'Due = date'",
                                            text=repr(text.strip())))
    name = normalise_field_name(name_part)
    if name in RESERVED_NAMES:
        raise DeclarationError(lazy_gettext("the field name %(name)s is reserved for page properties (%(reserved)s)",
                                            name=repr(name), reserved=", ".join(sorted(RESERVED_NAMES))))
    try:
        field_type, options = read_type(rest)
    except FieldTypeError as exc:
        raise DeclarationError(lazy_gettext("field %(name)s: %(problem)s", name=name, problem=exc)) from None
    required, default = False, None
    options = options.strip()
    while options:
        if re.match(r"required\b", options):
            required = True
            options = options[len("required"):].strip()
        elif found := _DEFAULT.match(options):
            default = found.group(1).strip()
            required = required or options.rstrip().endswith(" required")
            options = ""
        else:
            raise DeclarationError(lazy_gettext("field %(name)s: unknown option %(option)s (options are 'required' "
                                                "and 'default=VALUE')", name=name, option=repr(options.split()[0])))
    return FieldDecl(name, field_type, required, default)


def check_default(decl: FieldDecl, env: TypeEnv) -> None:
    if decl.default is None:
        return
    for value in decl.type.split(decl.default):
        try:
            decl.type.parse(value, env)
        except FieldValueError as exc:
            raise DeclarationError(lazy_gettext("field %(name)s: the default %(value)s %(problem)s", name=decl.name,
                                                value=repr(value), problem=exc)) from None


def declare_function(call: FunctionCall) -> str:
    """The ``#declare`` handler: parses the fields, stashes them for the save, shows a summary table.

    The table and its errors are in the reader's language, so the output is never cached
    (``volatile``): template pages are read rarely, and the render cache has one entry per revision.
    """
    call.flag("volatile")
    if call.title.ns != TEMPLATE:
        return call.error(gettext("#declare belongs on a Template: page, inside <noinclude>."))
    decls: list[FieldDecl] = []
    errors: list[str] = []
    for i in range(call.count):
        text = call.arg(i)
        if not text:
            continue
        try:
            decl = parse_declaration(text)
        except DeclarationError as exc:
            errors.append(gettext("#declare: %(problem)s.", problem=exc))
            continue
        if any(d.name == decl.name for d in decls):
            errors.append(gettext("#declare: the field %(name)s is declared twice.", name=decl.name))
            continue
        decls.append(decl)
    call.extra[EXTRA_KEY] = decls
    call.extra.setdefault(ERRORS_KEY, []).extend(errors)
    yes = escape(gettext("yes"))
    rows = "".join(
        f"<tr><td>{escape(d.name)}</td><td><code>{escape(d.type.spec)}</code></td>"
        f"<td>{yes if d.required else ''}</td><td>{escape(d.default or '')}</td></tr>"
        for d in decls
    )
    problems = "".join(call.error(message) for message in errors)
    head = "".join(f"<th>{escape(label)}</th>"
                   for label in (gettext("Field"), gettext("Type"), gettext("Required"), gettext("Default")))
    caption = escape(gettext("Fields of this template"))
    return problems + call.html(
        f'<table class="wikitable field-declaration"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _decl_from_row(row: FieldDeclaration) -> FieldDecl:
    return FieldDecl(row.name, parse_type(row.spec), row.required, row.default_value)


def declarations(session: Session, templates: Iterable[Title]) -> dict[tuple[int, str], list[FieldDecl]]:
    """The declared fields of each of ``templates`` that has any, keyed by ``Title.key``."""
    names = {t.text for t in templates if t.ns == TEMPLATE}
    if not names:
        return {}
    rows = session.execute(
        select(Page.title, FieldDeclaration)
        .join(FieldDeclaration, FieldDeclaration.page_id == Page.id)
        .where(Page.namespace == TEMPLATE, Page.title.in_(names), Page.deleted.is_(False))
        .order_by(Page.title, FieldDeclaration.position)
    )
    found: dict[tuple[int, str], list[FieldDecl]] = {}
    for template, row in rows:
        found.setdefault((TEMPLATE, template), []).append(_decl_from_row(row))
    return found


def field_types(session: Session, names: Iterable[str]) -> dict[str, FieldType]:
    """The declared type of each named field (the first declaration wins; kinds agree by construction)."""
    wanted = set(names)
    if not wanted:
        return {}
    rows = session.execute(
        select(FieldDeclaration.name, FieldDeclaration.spec)
        .join(Page, Page.id == FieldDeclaration.page_id)
        .where(FieldDeclaration.name.in_(wanted), Page.deleted.is_(False))
        .order_by(FieldDeclaration.page_id)
    )
    found: dict[str, FieldType] = {}
    for name, spec in rows:
        found.setdefault(name, parse_type(spec))
    return found


def conflicts(session: Session, page_id: int | None, decls: list[FieldDecl]) -> list[str]:
    """Fields declared here with a kind of value that another template's same-named field does not store."""
    others = session.execute(
        select(FieldDeclaration.name, FieldDeclaration.spec, Page.title)
        .join(Page, Page.id == FieldDeclaration.page_id)
        .where(FieldDeclaration.name.in_([d.name for d in decls]), Page.deleted.is_(False),
               FieldDeclaration.page_id != (page_id or -1))
    )
    mine = {d.name: d for d in decls}
    errors = []
    for name, spec, template in others:
        other = parse_type(spec)
        if other.column != mine[name].type.column:
            errors.append(gettext("#declare: the field %(name)s is %(here)s here but %(there)s in %(template)s; one "
                                  "field name must hold one kind of value everywhere.", name=name,
                                  here=mine[name].type.spec, there=other.spec, template=f"Template:{template}"))
    return errors


def store_declarations(session: Session, page: Page, decls: list[FieldDecl]) -> None:
    """Replace the stored declaration of a template page."""
    session.execute(delete(FieldDeclaration).where(FieldDeclaration.page_id == page.id))
    if decls:
        session.execute(insert(FieldDeclaration), [
            {"page_id": page.id, "name": d.name, "position": i, "spec": d.type.spec, "required": d.required,
             "default_value": d.default}
            for i, d in enumerate(decls)
        ])
