"""Namespace definitions: numbers, names, aliases, default content and rights.

The core's namespaces come from ``namespaces/*.toml`` at the top of the project (shipped in
the package as ``wiki/shipped/namespaces``); plugins ship their own TOML files and hand them
in through ``register_namespaces``.  One file defines a subject namespace and, in its
``[talk]`` table, the talk namespace beside it.  Numbers follow MediaWiki (see DESIGN.md).
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


def _one(data: dict, where: str, source: str) -> Namespace:
    try:
        number = int(data["number"])
        name = str(data["name"])
    except (KeyError, TypeError, ValueError) as exc:
        raise NamespaceError(f"{where}: 'number' and 'name' are required ({exc})") from None
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
        self.by_number[ns.number] = ns

    def get(self, number: int) -> Namespace:
        try:
            return self.by_number[number]
        except KeyError:
            raise NamespaceError(f"no namespace numbered {number}") from None

    def lookup(self, name: str) -> Namespace | None:
        """The namespace named ``name`` (or one of its aliases), if any."""
        return self.by_name.get(_key(name))

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
