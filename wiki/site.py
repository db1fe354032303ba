"""The site: one wiki's settings, database, plugins and registries, built once.

The web app, the command line and the tests all work on a ``Site``; page services take it
as their first argument.  Building a site reads plugins' registrations and which plugins
admins switched off, but never writes to the database (``ticketwiki init`` does that).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from wiki.config import Settings, load_settings
from wiki.db import Database
from wiki.hooktypes import SpecialPage
from wiki.markup import MagicWord, ParserFunction, RenderContext
from wiki.models import Page, Revision
from wiki.namespaces import NamespaceRegistry
from wiki.permissions import ANONYMOUS, Actor, Policy
from wiki.plugin_switches import PluginSwitches
from wiki.plugins import EntryPoints, PluginManager, gather, make_plugin_manager
from wiki.titles import Title, TitleParser

_LOOK_UP = object()


@dataclass(frozen=True)
class _Owner:
    """The account a page belongs to, as the policy reads it from a page (for pages not loaded whole)."""

    account_id: int | None
    deleted: bool = False


class Site:
    def __init__(self, settings: Settings, pm: PluginManager):
        self.settings = settings
        self.pm = pm
        self.db = Database(settings.database_url)
        self.namespaces = NamespaceRegistry()
        # every plugin's namespaces, switched on or off: a switched-off plugin's pages stay readable
        for ns in gather(pm.hook.register_namespaces):
            self.namespaces.add(ns)
        self.titles = TitleParser(self.namespaces)
        self.policy = Policy(self.namespaces)
        #: which plugins are on; their hooks and registries (``wiki.plugin_switches``)
        self.plugins = PluginSwitches(self.db, pm, settings.disabled_plugins)
        self.plugins.refresh(force=True)
        pm.hook.site_started(site=self)

    @property
    def hook(self) -> Any:
        """The hooks of the plugins that are on."""
        return self.plugins.view.hook

    @property
    def parser_functions(self) -> dict[str, ParserFunction]:
        return self.plugins.view.parser_functions

    @property
    def magic_words(self) -> dict[str, MagicWord]:
        return self.plugins.view.magic_words

    @property
    def special_pages(self) -> dict[str, SpecialPage]:
        return self.plugins.view.special_pages

    @property
    def page_actions(self) -> dict[str, Any]:
        return self.plugins.view.page_actions

    @property
    def migration_locations(self) -> list[str]:
        """Every plugin's, switched on or off: a switched-off plugin's tables keep being upgraded."""
        return [str(p) for p in gather(self.pm.hook.register_migrations)]

    # --- page look-ups used by rendering ------------------------------------------------

    def get_page(self, session: Session, title: Title) -> Page | None:
        return session.scalar(select(Page).where(Page.namespace == title.ns, Page.title == title.text))

    def current_text(self, session: Session, title: Title) -> str | None:
        row = session.execute(
            select(Revision.text)
            .join(Page, Page.latest_id == Revision.id)
            .where(Page.namespace == title.ns, Page.title == title.text, Page.deleted.is_(False))
        ).first()
        return row[0] if row else None

    def _shown_text(self, session: Session, target: Title, shown: Callable[[Title, Any], bool]) -> str | None:
        """The current text of ``target``, or ``None`` (missing) unless ``shown(target, page)``."""
        page = self.get_page(session, target)
        return self.current_text(session, target) if shown(target, page) else None

    def _existing(self, session: Session, titles: Iterable[Title],
                  shown: Callable[[Title, Any], bool]) -> set[tuple[int, str]]:
        """``Title.key`` of those ``titles`` that are pages which ``shown(title, page)`` accepts."""
        wanted = {t.key: t for t in titles}
        keys = list(wanted)
        found: set[tuple[int, str]] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = session.execute(
                select(Page.namespace, Page.title, Page.account_id).where(
                    tuple_(Page.namespace, Page.title).in_(chunk), Page.deleted.is_(False)
                )
            )
            found.update((ns, text) for ns, text, account_id in rows
                         if shown(wanted[ns, text], _Owner(account_id)))
        return found

    def existing(self, session: Session, titles: Iterable[Title], actor: Actor) -> set[tuple[int, str]]:
        """Which of ``titles`` exist as pages ``actor`` may read (as ``Title.key``): a page the
        actor may not read is reported as missing, like one never created."""
        return self._existing(session, titles, lambda title, page: self.policy.allows(actor, "read", title, page))

    def render_context(
        self,
        session: Session,
        title: Title,
        actor: Actor | None = None,
        revision_id: int | None = None,
        now: datetime | None = None,
        account_id: int | None | object = _LOOK_UP,
        reader: Actor | None = None,
    ) -> RenderContext:
        """What rendering ``title`` may ask of the site.  ``account_id`` is the account the page
        belongs to (looked up when not given; a page being created passes its future account).

        Transcluded text, links' colours and ``#ifexist`` show a page only if every reader of
        ``title`` may read it (``Policy.may_embed``), whoever renders it: renderings are cached
        and shown to all readers, and re-rendered without a viewer.  ``reader`` is the one user
        a rendering is shown to when it is not kept (a preview): pages that reader may not read
        are missing too, whatever title the text is rendered on.
        """
        embeddable: Callable[[Title, Any], bool] | None = None

        def shown(target: Title, target_page: Any) -> bool:
            nonlocal embeddable
            if embeddable is None:
                host = _Owner(self._account_of(session, title)) if account_id is _LOOK_UP else _Owner(account_id)
                embeddable = self.policy.embeddable_into(title, host)
            return embeddable(target, target_page) and (
                reader is None or self.policy.allows(reader, "read", target, target_page))

        return RenderContext(
            title=title,
            titles=self.titles,
            fetch_text=lambda target: self._shown_text(session, target, shown),
            existing=lambda targets: self._existing(session, targets, shown),
            parser_functions=self.parser_functions,
            magic_words=self.magic_words,
            now=now or datetime.now(timezone.utc),
            user_name=None if actor is None or actor == ANONYMOUS else actor.name,
            revision_id=revision_id,
            services=SiteServices(self, session, actor),
        )

    def _account_of(self, session: Session, title: Title) -> int | None:
        page = self.get_page(session, title)
        return page.account_id if page is not None else None

    def close(self) -> None:
        self.pm.hook.site_stopping(site=self)
        self.db.dispose()


class SiteServices:
    """What plugins' parser functions reach through ``RenderContext.services``."""

    def __init__(self, site: Site, session: Session, actor: Actor | None):
        self.site = site
        self.session = session
        self.actor = actor


def create_site(
    settings: Settings | None = None,
    plugins: Iterable[Any] = (),
    entry_points: EntryPoints = EntryPoints.ALL,
) -> Site:
    settings = settings or load_settings()
    return Site(settings, make_plugin_manager(plugins, entry_points=entry_points))

