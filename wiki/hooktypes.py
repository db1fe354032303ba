"""Small typed objects that ``register_*`` hooks return.

Kept apart from ``hookspecs`` so that plugins can import them without pulling in pluggy
markers, and so that the hook specifications read as a contract only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SeedPage:
    """A page that ``ticketwiki init`` creates when it does not exist yet.

    ``title`` is the prefixed title; existing pages are never overwritten, so an admin's
    edits survive an upgrade.
    """

    title: str
    text: str
    summary: str = "Seed page"


@dataclass(frozen=True)
class SpecialPage:
    """``Special:<name>``.  ``view`` is called with the request's ``SpecialRequest``
    and returns a Flask response (or a ``(template, context)`` pair rendered in the skin)."""

    name: str
    view: Callable[..., Any]
    description: str = ""
    listed: bool = True
    #: Roles that may open the page; empty means everyone.
    roles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    #: The page's heading and window title in the reader's language, such as
    #: ``lazy_gettext("Recent changes")`` (MediaWiki's localised special page names);
    #: ``Special:<name>`` when empty.  Links to the page from Special:SpecialPages show it too.
    heading: str = ""

    @property
    def display_name(self) -> str:
        return str(self.heading) if self.heading else f"Special:{self.name}"


@dataclass(frozen=True)
class PageAction:
    """``/wiki/<title>?action=<name>``: ``view(site, title)`` returns a Flask response."""

    name: str
    view: Callable[..., Any]


@dataclass(frozen=True)
class PageTab:
    """A tab a plugin adds beside a page's Edit tab (``Edit with form`` ...).

    ``label`` is already translated; ``action`` is the ``?action=`` word the tab opens, so
    the tab bar can mark it as the current one.
    """

    label: str
    href: str
    action: str = ""
    order: int = 100


@dataclass(frozen=True)
class MenuItem:
    """A link in the skin's side menu."""

    label: str
    href: str
    section: str = "navigation"
    roles: tuple[str, ...] = ()
    order: int = 100


@dataclass(frozen=True)
class PageSection:
    """A block of HTML shown below a page's text (for example a category's member list)."""

    html: str
    order: int = 100


@dataclass(frozen=True)
class Job:
    """A scheduled job: ``run(site)`` is called every ``every_seconds``; it must be safe to run twice."""

    name: str
    run: Callable[[Any], Any]
    every_seconds: int = 60


@dataclass
class PageChange:
    """What one save did, handed to ``page_saved`` and ``page_committed``.

    ``output`` is the ``ParseOutput`` of the new text; ``previous_text`` is ``None`` for
    a page that did not exist.
    """

    page: Any
    revision: Any
    previous_revision_id: int | None
    previous_text: str | None
    output: Any
    actor: Any
    created: bool
    extra: dict[str, Any] = field(default_factory=dict)
