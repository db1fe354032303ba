"""Everything that is plugged in: the built-in plugins, the entry points, and the plugin manager.

One plugin manager per site (no module globals), so two apps in one process never see
each other's plugins.  Order: hook specifications, the core's built-ins (always on), the
entry points of the group ``ticketwiki.plugins``, then plugins handed in explicitly;
``check_pending`` makes a misspelt hook fail loudly.  The shipped plugins (tickets,
billing, usage, webphone) are this distribution's own entry points, declared in
pyproject.toml and found exactly like a third party's.  Which of the entry-point plugins
are switched on is the site's business (``wiki.plugin_switches``).
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable
from enum import Enum
from importlib.metadata import Distribution, EntryPoint, entry_points
from typing import Any

import pluggy

from wiki import hookspecs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "ticketwiki.plugins"
#: The distribution whose entry points are the shipped plugins.
SHIPPED_DISTRIBUTION = "ticketwiki"

#: The core's own features, plugged in through the same hooks as everything else.
BUILTIN_PLUGINS = (
    "wiki.builtins.core_namespaces",
    "wiki.builtins.parser_functions",
    "wiki.builtins.linktables",
    "wiki.builtins.categories",
    "wiki.builtins.special_pages",
    "wiki.builtins.seed_pages",
    "wiki.builtins.db_upkeep",
    "wiki.security.hooks",
    "wiki.collab.hooks",
    "wiki.search.hooks",
    "wiki.fields.hooks",
)


class EntryPoints(Enum):
    """Which entry points of ``ticketwiki.plugins`` a plugin manager loads."""

    #: every installed one: what a real site runs
    ALL = "all"
    #: only the shipped plugins: what the tests run, whatever else the environment holds
    SHIPPED = "shipped"
    #: none: the core alone
    NONE = "none"


def _distribution_name(dist: Distribution | None) -> str:
    return re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower() if dist is not None else ""


def plugin_entry_points(which: EntryPoints = EntryPoints.ALL) -> list[EntryPoint]:
    """The entry points of the group, in the order of the path (``make_plugin_manager`` keeps
    the first of each name)."""
    if which is EntryPoints.NONE:
        return []
    found = list(entry_points(group=ENTRY_POINT_GROUP))
    shipped = [ep for ep in found if _distribution_name(ep.dist) == SHIPPED_DISTRIBUTION]
    if not shipped:
        message = (f"no {ENTRY_POINT_GROUP} entry points of the {SHIPPED_DISTRIBUTION} distribution: the shipped "
                   "plugins load only from an installed copy (pip install -e . in a checkout)")
        if which is EntryPoints.SHIPPED:
            raise RuntimeError(message)
        log.warning(message)
    return shipped if which is EntryPoints.SHIPPED else found


class PluginManager(pluggy.PluginManager):
    """pluggy's plugin manager, knowing where each plugin of an entry point came from."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        #: name -> distribution of every plugin loaded from an entry point (those admins may switch)
        self.distributions: dict[str, Distribution | None] = {}


def make_plugin_manager(plugins: Iterable[Any] = (), entry_points: EntryPoints = EntryPoints.ALL) -> PluginManager:
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    for entry_point in plugin_entry_points(entry_points):
        if pm.get_plugin(entry_point.name) is None:
            pm.register(entry_point.load(), name=entry_point.name)
            pm.distributions[entry_point.name] = entry_point.dist
    for plugin in plugins:
        if isinstance(plugin, str):
            plugin = importlib.import_module(plugin)
        if not pm.is_registered(plugin):
            pm.register(plugin)
    pm.check_pending()
    return pm


def gather(hook: Any, **kwargs: Any) -> list[Any]:
    """Flatten the lists that every plugin's ``register_*`` implementation returned."""
    items: list[Any] = []
    for result in hook(**kwargs):
        if result:
            items.extend(result)
    return items


def gather_by_plugin(hook: Any) -> list[tuple[str, Any]]:
    """``gather`` for a ``register_*`` hook without arguments, each item with the name of the
    plugin that returned it (in ``gather``'s order)."""
    items: list[tuple[str, Any]] = []
    for impl in reversed(hook.get_hookimpls()):
        items.extend((impl.plugin_name, item) for item in impl.function() or ())
    return items


def plugin_report(pm: PluginManager) -> list[dict[str, Any]]:
    """Name, module, version, distribution and implemented hooks of every plugin (for
    Special:Version and Special:Plugins); ``distribution`` is ``None`` for the core's built-ins."""
    dists = pm.distributions
    report = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(name)
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or ())
        report.append(
            {
                "name": name,
                "module": getattr(plugin, "__name__", type(plugin).__name__),
                "version": dist.version if dist else getattr(plugin, "__version__", None),
                "distribution": dist.metadata["Name"] if dist else None,
                "hooks": hooks,
            }
        )
    return report
