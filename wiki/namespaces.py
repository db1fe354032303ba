"""Namespace definitions: numbers, names, aliases, default content and rights.

The core's namespaces come from ``namespaces/*.toml`` at the top of the project (shipped in
the package as ``wiki/shipped/namespaces``); plugins ship their own TOML files and hand them
in through ``register_namespaces``.  One file defines a subject namespace and, in its
``[talk]`` table, the talk namespace beside it.  Numbers follow MediaWiki (see DESIGN.md).

Besides numbers, names and rights, a definition may say that a plugin's service alone makes
its pages (``created_by``: tickets are numbered by the tickets plugin, invoices written by
billing), which the permission policy enforces on every path, and which template makes a
page one of its records (``record_template``): the fields engine takes that template's values
only from pages of the namespace, so a call elsewhere cannot pass for a record.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SPECIAL = -1
MAIN = 0
TALK = 1
USER = 2
USER_TALK = 3
PROJECT = 4
PROJECT_TALK = 5
FILE = 6
FILE_TALK = 7
TEMPLATE = 10
TEMPLATE_TALK = 11
HELP = 12
HELP_TALK = 13
CATEGORY = 14
CATEGORY_TALK = 15
FORM = 106
FORM_TALK = 107

#: The rights a namespace definition may name, and who has them when a file is silent.
ACTIONS = ("read", "create", "edit", "move", "delete", "protect")
DEFAULT_RIGHTS: dict[str, tuple[str, ...]] = {
    "read": ("*",),
    "create": ("staff", "admin"),
    "edit": ("staff", "admin"),
    "move": ("staff", "admin"),
    "delete": ("admin",),
    "protect": ("admin",),
}

#: Where the core's namespace files live: the top-level ``namespaces/``, through the package's
#: ``shipped`` folder so that an installed wheel has them too (see ``wiki.shipped``).
CORE_NAMESPACE_DIR = Path(__file__).resolve().parent / "shipped" / "namespaces"


class NamespaceError(ValueError):
    """A namespace definition is malformed or clashes with another."""


@dataclass(frozen=True)
class Namespace:
    """One namespace.  ``rights`` maps an action to the roles (or ``*``) allowed it."""

    number: int
    name: str
    aliases: tuple[str, ...] = ()
    default_content: str = ""
    rights: tuple[tuple[str, tuple[str, ...]], ...] = ()
    capitalize: bool = True
    language: str | None = None
    source: str = "core"
    #: Whether customers read the pages of their own account here even when the namespace's
    #: rights do not name them (false for staff-only notes such as ``Ticket talk``).
    account_readable: bool = True
    #: The service that alone creates pages here (and moves nothing in or out), as named by
    #: ``Actor.service``; ``None`` when pages are created like any other.
    created_by: str | None = None
    #: The template (its title without ``Template:``) whose calls make a page a record of this
    #: namespace; its field values count only on pages here.
    record_template: str | None = None

    @property
    def is_talk(self) -> bool:
        return self.number > 0 and self.number % 2 == 1

    @property
    def subject_number(self) -> int:
        return self.number - 1 if self.is_talk else self.number

    @property
    def talk_number(self) -> int | None:
        if self.number < 0:
            return None
        return self.number if self.is_talk else self.number + 1

    @property
    def prefix(self) -> str:
        """The title prefix, ``"Help:"``, or ``""`` for the main namespace."""
        return f"{self.name}:" if self.name else ""

    @property
    def display_name(self) -> str:
        return self.name or "(Main)"

    def roles_for(self, action: str) -> tuple[str, ...]:
        for name, roles in self.rights:
            if name == action:
                return roles
        return DEFAULT_RIGHTS.get(action, ())


def _rights(table: dict, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    merged = dict(DEFAULT_RIGHTS)
    for action, roles in table.items():
        if action not in ACTIONS:
            raise NamespaceError(f"{where}: unknown right {action!r}; known: {', '.join(ACTIONS)}")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise NamespaceError(f"{where}: right {action!r} must be a list of role names")
        merged[action] = tuple(roles)
    return tuple(merged.items())


def _optional_name(data: dict, key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise NamespaceError(f"{where}: {key!r} must be a non-empty string")
    return value


def _template_name(name: str) -> str:
    """``ticket_form`` -> ``Ticket form``: a template's title text, as the title rules write it."""
    name = " ".join(name.replace("_", " ").split())
    return name[:1].upper() + name[1:]


def _one(data: dict, where: str, source: str) -> Namespace:
    try:
        number = int(data["number"])
        name = str(data["name"])
    except (KeyError, TypeError, ValueError) as exc:
        raise NamespaceError(f"{where}: 'number' and 'name' are required ({exc})") from None
    template = _optional_name(data, "record_template", where)
    return Namespace(
        number=number,
        name=name,
        aliases=tuple(data.get("aliases", ())),
        default_content=str(data.get("default_content", "")),
        rights=_rights(data.get("rights", {}), where),
        capitalize=bool(data.get("capitalize", True)),
        language=data.get("language"),
        source=source,
        account_readable=bool(data.get("account_readable", True)),
        created_by=_optional_name(data, "created_by", where),
        record_template=_template_name(template) if template else None,
    )


def load_namespace_file(path: Path, source: str = "core") -> list[Namespace]:
    """Read one TOML file: the subject namespace and, if given, its ``[talk]`` namespace."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    subject = _one(data, str(path), source)
    found = [subject]
    if "talk" in data:
        talk = dict(data["talk"])
        talk.setdefault("number", subject.number + 1)
        found.append(_one(talk, f"{path} [talk]", source))
        if found[1].number != subject.number + 1:
            raise NamespaceError(f"{path}: a talk namespace takes the next odd number")
    return found


def load_namespace_dir(folder: Path, source: str = "core") -> list[Namespace]:
    spaces: list[Namespace] = []
    for path in sorted(folder.glob("*.toml")):
        spaces.extend(load_namespace_file(path, source))
    return spaces


def _key(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).casefold()


@dataclass
class NamespaceRegistry:
    """All namespaces of one site, looked up by number or by (case-insensitive) name."""

    by_number: dict[int, Namespace] = field(default_factory=dict)
    by_name: dict[str, Namespace] = field(default_factory=dict)
    #: Namespaces by the template that makes their records (``record_template``).
    by_record_template: dict[str, Namespace] = field(default_factory=dict)

    def add(self, ns: Namespace) -> None:
        if ns.number in self.by_number:
            other = self.by_number[ns.number]
            raise NamespaceError(
                f"namespace {ns.number} ({ns.name!r} from {ns.source}) clashes with "
                f"{other.name!r} from {other.source}"
            )
        for name in (ns.name, *ns.aliases):
            if not name and ns.number != MAIN:
                raise NamespaceError(f"namespace {ns.number} needs a name")
            key = _key(name)
            if key in self.by_name and self.by_name[key].number != ns.number:
                raise NamespaceError(f"namespace name {name!r} is taken by {self.by_name[key].number}")
            self.by_name[key] = ns
        if ns.record_template is not None:
            owner = self.by_record_template.get(ns.record_template)
            if owner is not None:
                raise NamespaceError(f"Template:{ns.record_template} already makes the records of {owner.name!r}; "
                                     f"{ns.name!r} from {ns.source} needs a template of its own")
            self.by_record_template[ns.record_template] = ns
        self.by_number[ns.number] = ns

    def get(self, number: int) -> Namespace:
        try:
            return self.by_number[number]
        except KeyError:
            raise NamespaceError(f"no namespace numbered {number}") from None

    def lookup(self, name: str) -> Namespace | None:
        """The namespace named ``name`` (or one of its aliases), if any."""
        return self.by_name.get(_key(name))

    def record_namespace(self, template: str) -> Namespace | None:
        """The namespace whose records ``Template:<template>`` makes, if any (``template`` is the
        title text, as in ``Title.text``)."""
        return self.by_record_template.get(template)

    def __iter__(self):
        return iter(sorted(self.by_number.values(), key=lambda ns: ns.number))

    def __contains__(self, number: int) -> bool:
        return number in self.by_number

    def subject_of(self, ns: Namespace) -> Namespace:
        return self.get(ns.subject_number)

    def talk_of(self, ns: Namespace) -> Namespace | None:
        number = ns.talk_number
        return self.by_number.get(number) if number is not None else None


SPECIAL_NAMESPACE = Namespace(
    number=SPECIAL,
    name="Special",
    rights=(("read", ("*",)),) + tuple((a, ()) for a in ACTIONS if a != "read"),
)
