"""The one permission policy: who may do what to which page.

Every read and write path (page views, raw text, history, diffs, search, queries, feeds,
exports and the API) asks ``Policy``.  List queries use ``Policy.readable_filter`` so that
the database itself leaves out what the actor may not read.

Rules, in order: an API key with read scope may only read; in a namespace whose pages a
service creates (``Namespace.created_by``), only an actor acting through that service
(``Actor.via_service``) creates pages and nobody moves pages in or out, admins included;
admins may do everything else; a page
that belongs to an account is open only to staff-side roles and that account's users; the
namespace's rights name the roles allowed each action (``*`` is everyone, ``user`` any
signed-in user); in the User namespaces a customer edits only their own pages.

Reasons are lazy strings: the policy never needs a request (the command line and jobs use
it too), and a reason is translated where it is shown, into the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import ColumnElement, and_, false, or_, true

from wiki.namespaces import ACTIONS, USER, NamespaceRegistry
from wiki.titles import Title

ROLES = ("admin", "staff", "analyst", "customer")
#: Roles that work for the company and may read every account's pages.
STAFF_SIDE = frozenset({"admin", "staff", "analyst"})
#: The roles of signed-in users who are not admins (``reader_kinds``).
SIGNED_IN = frozenset({"staff", "analyst", "customer"})
#: How a refusal names each action ("Only signed-in users may <edit> pages ...").
ACTION_WORDS = {
    "read": lazy_gettext("read"),
    "create": lazy_gettext("create"),
    "edit": lazy_gettext("edit"),
    "move": lazy_gettext("move"),
    "delete": lazy_gettext("delete"),
    "protect": lazy_gettext("protect"),
}


class PermissionDenied(Exception):
    """The actor may not do this; the message says what and why."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, an API key's user, or an anonymous visitor."""

    user_id: int | None
    name: str
    role: str = "anonymous"
    account_id: int | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    #: ``"read"`` or ``"write"`` when the actor came through an API key.
    api_scope: str | None = None
    #: Set while a staff member is signed in as this customer ("Sign in as customer"):
    #: the policy sees the customer, the records name both.
    impersonator_id: int | None = None
    impersonator_name: str | None = None
    #: The plugin service this actor is acting through (``via_service``); code sets it, never
    #: a request, so only the service's own path may create pages in its namespace.
    service: str | None = None

    def via_service(self, service: str) -> Actor:
        """The same actor acting through ``service`` (for example the tickets plugin opening a
        ticket for a customer): records still name the actor, and the namespace rights still apply."""
        return replace(self, service=service)

    @property
    def attribution(self) -> str:
        """How records name the actor: ``"Staff (for Customer)"`` while impersonating."""
        return f"{self.impersonator_name} (for {self.name})" if self.impersonator_name else self.name

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


ANONYMOUS = Actor(user_id=None, name="Anonymous")
#: The actor for work the system does itself (seed pages, migrations, jobs).
SYSTEM = Actor(user_id=None, name="Ticketwiki", role="admin")


@dataclass(frozen=True)
class ReadScope:
    """``readable_filter`` as data, for stores the database cannot filter (the search index).

    A page is readable when ``everything`` is true; or when it belongs to no account (or
    ``any_account`` is true) and its namespace is in ``namespaces``; or when it belongs to
    ``account_id`` and its namespace is in ``account_namespaces``.  Rules that plugins add to
    the policy are not expressed here, so such stores must still ask ``Policy.allows`` for
    each page they show.
    """

    everything: bool
    namespaces: frozenset[int] = frozenset()
    any_account: bool = False
    account_id: int | None = None
    account_namespaces: frozenset[int] = frozenset()


class Policy:
    def __init__(self, namespaces: NamespaceRegistry):
        self.namespaces = namespaces
        #: Admins' overrides of namespace rights, ``{(namespace, action): roles}``; kept in the
        #: database and loaded by ``wiki.security.rights`` (the TOML rights apply otherwise).
        self.overrides: dict[tuple[int, str], tuple[str, ...]] = {}
        #: Extra rules added by plugins when the site starts (page protection, for example):
        #: ``rule(actor, action, title, page)`` returns why the action is refused, or ``None``.
        #: They run for everyone but admins, after the namespace rights.
        self.rules: list[Callable[[Actor, str, Title, Any], str | None]] = []

    def roles_for(self, namespace: Any, action: str) -> tuple[str, ...]:
        """The roles and groups allowed ``action`` in ``namespace``: an override, else its definition."""
        override = self.overrides.get((namespace.number, action))
        return override if override is not None else namespace.roles_for(action)

    def _role_allowed(self, actor: Actor, roles: tuple[str, ...]) -> bool:
        if "*" in roles:
            return True
        if actor.is_anonymous:
            return False
        return "user" in roles or actor.role in roles or bool(actor.groups.intersection(roles))

    def reason(self, actor: Actor, action: str, title: Title, page: Any = None) -> Any:
        """Why ``actor`` may not do ``action`` on ``title`` (a lazy string, or what a plugin's rule
        returned); ``None`` when allowed."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if title.is_special:
            return None if action == "read" else lazy_gettext("Special pages cannot be changed.")
        if actor.api_scope == "read" and action != "read":
            return lazy_gettext("This API key may only read; create a key with write scope.")
        service = title.namespace.created_by
        if service is not None and action in ("create", "move") and actor.service != service:
            # before the admins' pass: such pages (numbered tickets, invoices) are only right
            # when the service makes them, and a move would carry a page in or out unchecked
            return lazy_gettext("Pages in the %(namespace)s namespace are created only by the %(service)s service; "
                                "nobody creates or moves them by hand.", namespace=title.namespace.display_name,
                                service=service)
        if actor.is_admin:
            return None
        account_id = getattr(page, "account_id", None)
        if account_id is not None and actor.role not in STAFF_SIDE and actor.account_id != account_id:
            # refused in the words a page that is not there gets, so that no answer tells the
            # actor that another account has a page at this title
            return (self.reason(actor, "create" if action == "edit" else action, title)
                    or lazy_gettext("%(title)s does not exist.", title=title.prefixed))
        if action == "read" and account_id is not None and actor.role not in STAFF_SIDE:
            if title.namespace.account_readable:
                return None
            return lazy_gettext("Pages in the %(namespace)s namespace are for staff only.",
                                namespace=title.namespace.display_name)
        if not self._role_allowed(actor, self.roles_for(title.namespace, action)):
            names = {"action": ACTION_WORDS[action], "namespace": title.namespace.display_name}
            if actor.is_anonymous:
                return lazy_gettext("Only signed-in users may %(action)s pages in the %(namespace)s namespace.",
                                    **names)
            return lazy_gettext("Only signed-in users with more rights may %(action)s pages in the %(namespace)s "
                                "namespace.", **names)
        if (
            title.ns == USER
            and action in ("create", "edit", "move")
            and not actor.is_staff
            and title.root_text != actor.name
        ):
            return lazy_gettext("You may only edit your own user pages.")
        for rule in self.rules:
            why = rule(actor, action, title, page)
            if why is not None:
                return why
        return None

    def allows(self, actor: Actor, action: str, title: Title, page: Any = None) -> bool:
        return self.reason(actor, action, title, page) is None

    def check(self, actor: Actor, action: str, title: Title, page: Any = None) -> None:
        why = self.reason(actor, action, title, page)
        if why is not None:
            raise PermissionDenied(why)

    def reader_kinds(self, title: Title, page: Any) -> frozenset[str]:
        """Who may read ``page`` at ``title`` (admins left out: they read everything), as kinds of
        reader: the roles ``anonymous``, ``staff``, ``analyst`` and ``customer`` (customers of
        every account), ``account:N`` (the customers of account N), ``group:G`` (anyone in the
        group G) and ``staff-group:G`` (the staff-side members of G).  It follows ``reason``: a
        page of an account is read by the staff-side roles its namespace names and, where the
        namespace is ``account_readable``, by that account's customers."""
        kinds: set[str] = set()
        for name in self.roles_for(title.namespace, "read"):
            if name == "*":
                kinds |= {"anonymous", *SIGNED_IN}
            elif name == "user":
                kinds |= SIGNED_IN
            elif name in ROLES:
                kinds.add(name)
            else:
                kinds.add(f"group:{name}")
        kinds.discard("admin")
        account_id = getattr(page, "account_id", None)
        if account_id is None:
            return frozenset(kinds)
        staff_side = {kind for kind in kinds if kind in STAFF_SIDE}
        groups = {f"staff-{kind}" for kind in kinds if kind.startswith("group:")}
        customers = {f"account:{account_id}"} if title.namespace.account_readable else set()
        return frozenset(staff_side | groups | customers)

    def embeddable_into(self, host: Title, host_page: Any) -> Callable[[Title, Any], bool]:
        """``may_embed`` for one host, which is worked out once (a render asks about many targets)."""
        host_kinds = self.reader_kinds(host, host_page)

        def may_embed(target: Title, target_page: Any) -> bool:
            if target_page is None or getattr(target_page, "deleted", False):
                return False
            target_kinds = self.reader_kinds(target, target_page)
            return all(_covered(kind, target_kinds) for kind in host_kinds)

        return may_embed

    def may_embed(self, host: Title, host_page: Any, target: Title, target_page: Any) -> bool:
        """Whether ``target`` may be shown in ``host`` (transcluded, or reported as existing by a
        link or ``#ifexist``): only when everyone who can read the host can read the target, so
        that a rendering (which is cached and shown to every reader) never carries what some
        reader may not know.  ``host_page`` is ``None`` for a page not created yet."""
        return self.embeddable_into(host, host_page)(target, target_page)

    def readable_namespaces(self, actor: Actor) -> list[int]:
        if actor.is_admin:
            return [ns.number for ns in self.namespaces]
        return [ns.number for ns in self.namespaces if self._role_allowed(actor, self.roles_for(ns, "read"))]

    def readable_filter(self, actor: Actor, page_table: Any) -> ColumnElement[bool]:
        """A SQL condition on a ``pages`` table (or alias) that keeps the pages ``actor`` may read."""
        scope = self.read_scope(actor)
        if scope.everything:
            return true()
        in_spaces = page_table.namespace.in_(sorted(scope.namespaces)) if scope.namespaces else false()
        if scope.any_account:
            return in_spaces
        own_account = (
            and_(page_table.account_id == scope.account_id, page_table.namespace.in_(sorted(scope.account_namespaces)))
            if scope.account_id is not None and scope.account_namespaces else false()
        )
        return or_(and_(page_table.account_id.is_(None), in_spaces), own_account)

    def read_scope(self, actor: Actor) -> ReadScope:
        """Which pages ``actor`` may read, by namespace and account (see ``ReadScope``)."""
        if actor.is_admin:
            return ReadScope(everything=True)
        spaces = frozenset(self.readable_namespaces(actor))
        if actor.role in STAFF_SIDE:
            return ReadScope(everything=False, namespaces=spaces, any_account=True)
        return ReadScope(everything=False, namespaces=spaces, account_id=actor.account_id,
                         account_namespaces=frozenset(ns.number for ns in self.namespaces if ns.account_readable))


def _covered(kind: str, readers: frozenset[str]) -> bool:
    """Whether every reader of ``kind`` (see ``Policy.reader_kinds``) is among ``readers``."""
    if kind in readers:
        return True
    name = kind.partition(":")[2]
    if kind.startswith("account:"):
        return "customer" in readers
    if kind.startswith("staff-group:"):
        return f"group:{name}" in readers or {"staff", "analyst"} <= readers
    if kind.startswith("group:"):
        return SIGNED_IN <= readers  # a member of a group is some signed-in user
    return False
