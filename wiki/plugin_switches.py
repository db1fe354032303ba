"""Which plugins are switched on: the site's switched-off set, and the hooks and registries of the rest.

A plugin found through an entry point is switched off either in ``config.toml``
(``[plugins] disabled = [...]``, fixed for the life of a process, and winning) or by an admin
on Special:Plugins (rows of ``plugin_states``, shared by every process of the site).  The
core's built-ins are always on.  A switched-off plugin stays loaded, and keeps its data:
its namespaces and migrations are still read (its pages stay readable, its tables keep
being upgraded) and ``site_started``/``site_stopping`` still run for it (they set up the
process, whose policy must be the same whichever plugins are on).  None of its other hooks
is called: no routes, menu items, special pages, parser functions, page actions, jobs, seed
pages or page hooks.

Each process keeps the switched-off set it last read and reads it again at a request or a
job run once ``CHECK_EVERY`` seconds have passed.  So a switch applies at once in the process
that made it and within a second in every other (gunicorn workers, other hosts on the same
PostgreSQL), with no restart, no signal between processes and no query per request.
Applying a set builds new registries from the hooks of the plugins that are on and swaps
them in whole; the routes of every plugin not switched off in config.toml are registered
once, and the app answers 404 for those of a switched-off one.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from wiki.db import Database
from wiki.hooktypes import MenuItem, SpecialPage
from wiki.markup import MagicWord, ParserFunction
from wiki.models import PluginState
from wiki.plugins import PluginManager, gather, gather_by_plugin

log = logging.getLogger(__name__)

#: Seconds a process goes on with the switched-off set it read before reading it again.
CHECK_EVERY = 1.0


class _HooksWithout:
    """``pm.hook`` without the implementations of some plugins (pluggy's subset hook callers,
    which still see plugins registered later)."""

    def __init__(self, pm: PluginManager, plugins: list[Any]):
        self._pm = pm
        self._plugins = plugins

    def __getattr__(self, name: str) -> Any:
        caller = self._pm.subset_hook_caller(name, self._plugins)
        setattr(self, name, caller)
        return caller


@dataclass(frozen=True)
class PluginView:
    """The hooks and registries of the plugins that are on, for one switched-off set."""

    switched_off: frozenset[str]
    hook: Any
    parser_functions: dict[str, ParserFunction]
    magic_words: dict[str, MagicWord]
    special_pages: dict[str, SpecialPage]
    page_actions: dict[str, Any]
    menu_items: list[MenuItem]


def _by_name(items: list[ParserFunction]) -> dict[str, ParserFunction]:
    found: dict[str, ParserFunction] = {}
    for item in items:
        key = item.name.lower()
        if key in found:
            log.info("parser function #%s replaced by a later plugin", key)
        found[key] = item
    return found


def _special_pages(hook: Any) -> dict[str, SpecialPage]:
    pages: dict[str, SpecialPage] = {}
    for special in gather(hook.register_special_pages):
        for name in (special.name, *special.aliases):
            key = name.casefold()
            if key in pages:
                raise ValueError(f"Special:{name} is registered twice")
            pages[key] = special
    return pages


def _page_actions(hook: Any) -> dict[str, Any]:
    actions: dict[str, Any] = {}
    for action in gather(hook.register_page_actions):
        if action.name in actions:
            raise ValueError(f"page action {action.name!r} is registered twice")
        actions[action.name] = action.view
    return actions


def build_view(pm: PluginManager, switched_off: frozenset[str]) -> PluginView:
    """The registries of every plugin but ``switched_off``; a clash of names raises ``ValueError``."""
    off = [pm.get_plugin(name) for name in sorted(switched_off)]
    hook = _HooksWithout(pm, off) if off else pm.hook
    return PluginView(
        switched_off=switched_off,
        hook=hook,
        parser_functions=_by_name(gather(hook.register_parser_functions)),
        magic_words={w.name.upper(): w for w in gather(hook.register_magic_words)},
        special_pages=_special_pages(hook),
        page_actions=_page_actions(hook),
        menu_items=sorted(gather(hook.register_menu_items), key=lambda m: (m.section, m.order)),
    )


def stored_switched_off(db: Database) -> frozenset[str]:
    """The plugins admins switched off; none while the database has no table for them yet
    (``ticketwiki init`` builds its site before it migrates)."""
    try:
        with db.read() as session:
            return frozenset(session.scalars(select(PluginState.name).where(PluginState.enabled.is_(False))))
    except (OperationalError, ProgrammingError):
        if inspect(db.engine).has_table(PluginState.__tablename__):
            raise
        return frozenset()


class PluginSwitches:
    """A site's switchable plugins (those of entry points) and the view of those that are on."""

    def __init__(self, db: Database, pm: PluginManager, config_off: Iterable[str]):
        self._db = db
        self._pm = pm
        #: name -> distribution of every plugin an admin may switch
        self.installed = dict(pm.distributions)
        config_off = frozenset(config_off)
        for name in sorted(config_off - set(self.installed)):
            log.warning("config.toml switches off %r, which is not an installed plugin", name)
        #: switched off in config.toml: off for the life of the process, whatever the database says
        self.config_off = config_off & set(self.installed)
        self.view = build_view(pm, self.config_off)
        self._checked_at = -math.inf

    @property
    def switched_off(self) -> frozenset[str]:
        return self.view.switched_off

    def would_be(self, stored_off: Iterable[str]) -> PluginView:
        """The view with these plugins switched off by admins (and those of config.toml)."""
        return build_view(self._pm, self.config_off | (frozenset(stored_off) & set(self.installed)))

    def refresh(self, force: bool = False) -> PluginView:
        """Read the admins' switches again when ``CHECK_EVERY`` has passed (or ``force``), and
        apply them when they changed."""
        now = time.monotonic()
        if force or now - self._checked_at >= CHECK_EVERY:
            self._checked_at = now
            stored = stored_switched_off(self._db)
            if self.config_off | (stored & set(self.installed)) != self.view.switched_off:
                self.view = self.would_be(stored)
        return self.view

    def blueprints(self) -> list[tuple[str, Any]]:
        """``(plugin name, blueprint)`` of every plugin not switched off in config.toml."""
        return [(owner, blueprint) for owner, blueprint in gather_by_plugin(self._pm.hook.register_blueprints)
                if owner not in self.config_off]
