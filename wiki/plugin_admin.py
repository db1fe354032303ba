"""Admins switch plugins off and on (Special:Plugins): what each plugin is, and the switch.

A switch is stored in ``plugin_states`` in one transaction with its entry in the rights log
and the audit log, and, when the plugin adds parser functions or magic words, with the
render cache emptied (renderings hold their output).  The process that made the switch
applies it at once, every other within a second (``wiki.plugin_switches``).  Switching a
plugin on creates its missing seed pages, as ``ticketwiki init`` does for the plugins that
are on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import gettext
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wiki.install import load_seed_pages
from wiki.models import LogEntry, PluginState, RenderCache, User
from wiki.namespaces import SPECIAL
from wiki.permissions import Actor, PermissionDenied
from wiki.plugins import plugin_report
from wiki.security import audit
from wiki.site import Site

#: Hooks whose output a rendering keeps: switching their plugin empties the render cache.
RENDERING_HOOKS = frozenset({"register_parser_functions", "register_magic_words"})


class PluginSwitchError(ValueError):
    """A switch that cannot be made; the message says why, ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PluginRow:
    """One line of Special:Plugins."""

    name: str
    module: str
    version: str | None
    distribution: str | None
    hooks: list[str]
    #: as stored, for every process (this one may apply it up to a second later)
    on: bool
    #: an entry point's plugin; the core's built-ins (and plugins handed in by code) are always on
    switchable: bool
    #: switched off in config.toml, which an admin's switch cannot undo
    config_off: bool
    changed_by: str | None = None
    changed_at: datetime | None = None


def plugin_rows(site: Site, session: Session) -> list[PluginRow]:
    states = {state.name: (state, user) for state, user in
              session.execute(select(PluginState, User.name).outerjoin(User, User.id == PluginState.changed_by))}
    rows = []
    for entry in plugin_report(site.pm):
        name = entry["name"]
        state, changed_by = states.get(name, (None, None))
        switchable, config_off = name in site.plugins.installed, name in site.plugins.config_off
        on = not switchable or (not config_off and (state is None or state.enabled))
        rows.append(PluginRow(name, entry["module"], entry["version"], entry["distribution"], entry["hooks"], on,
                              switchable, config_off, changed_by if switchable else None,
                              state.changed_at if switchable and state is not None else None))
    return rows


def _check_switchable(site: Site, actor: Actor, name: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(gettext("Only admins switch plugins off and on."))
    if name not in site.plugins.installed:
        raise PluginSwitchError(gettext("There is no plugin named '%(name)s' to switch; the core's built-in plugins "
                                        "are always on.", name=name))
    if name in site.plugins.config_off:
        raise PluginSwitchError(gettext("%(name)s is switched off in config.toml ([plugins] disabled), which wins: "
                                        "only the configuration file can switch it on.", name=name), status=409)


def switch_plugin(site: Site, actor: Actor, name: str, on: bool, reason: str = "", ip: str = "") -> bool:
    """Switch the plugin ``name`` on or off for every process of the site; False when it
    already was.  Raises ``PluginSwitchError`` naming why a switch cannot be made."""
    _check_switchable(site, actor, name)
    try:
        with site.db.write() as session:
            row = session.get(PluginState, name, with_for_update=True)
            if (row is None or row.enabled) == on:
                return False
            stored_off = set(session.scalars(select(PluginState.name).where(PluginState.enabled.is_(False))))
            try:
                site.plugins.would_be(stored_off - {name} if on else stored_off | {name})
            except ValueError as exc:  # its special pages or page actions clash with another plugin's
                raise PluginSwitchError(gettext("%(name)s cannot be switched on: %(reason)s", name=name, reason=exc),
                                        status=409) from exc
            if row is None:
                row = PluginState(name=name)
                session.add(row)
            row.enabled, row.changed_at, row.changed_by = on, datetime.now(timezone.utc), actor.user_id
            comment = f"{name} switched {'on' if on else 'off'}" + (f" ({reason})" if reason else "")
            session.add(LogEntry(type="rights", action="plugin", user_id=actor.user_id, user_text=actor.attribution,
                                 namespace=SPECIAL, title="Plugins", comment=comment[:500],
                                 params={"plugin": name, "enabled": on}))
            audit.record(session, "rights.plugin_on" if on else "rights.plugin_off", actor=actor, ip=ip,
                         detail=comment, plugin=name)
            hooks = {caller.name for caller in site.pm.get_hookcallers(site.pm.get_plugin(name)) or ()}
            if hooks & RENDERING_HOOKS:
                session.execute(delete(RenderCache))
    except IntegrityError as exc:  # PostgreSQL: another admin stored the first switch of it at the same moment
        raise PluginSwitchError(gettext("%(name)s was switched by someone else at the same moment; look at the list "
                                        "again.", name=name), status=409) from exc
    site.plugins.refresh(force=True)
    if on:
        load_seed_pages(site, plugin=name)
    return True
