"""Everything that is plugged in: the built-in plugins, the shipped ones, and the plugin manager.

One plugin manager per site (no module globals), so two apps in one process never see
each other's plugins.  Order: hook specifications, the core's built-ins, the shipped
plugins, entry points of the group ``ticketwiki.plugins``, then plugins handed in
explicitly; ``check_pending`` makes a misspelt hook fail loudly.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import pluggy

from wiki import hookspecs

ENTRY_POINT_GROUP = "ticketwiki.plugins"

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

#: The plugins shipped in this distribution.
SHIPPED_PLUGINS = (
    "plugins.tickets.hooks",
    "plugins.billing.hooks",
    "plugins.usage.hooks",
    "plugins.webphone.hooks",
)


def make_plugin_manager(
    plugins: Iterable[Any] = (),
    load_entry_points: bool = True,
    shipped: Iterable[str] = SHIPPED_PLUGINS,
) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in (*BUILTIN_PLUGINS, *shipped):
        pm.register(importlib.import_module(name), name=name)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
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


def plugin_report(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    """Name, version and implemented hooks of every plugin (for Special:Version)."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    report = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or ())
        report.append(
            {
                "name": name,
                "version": dist.version if dist else getattr(plugin, "__version__", None),
                "distribution": dist.project_name if dist else None,
                "hooks": hooks,
            }
        )
    return report
