"""The search feature as a built-in plugin: queue index updates with every page change,
and register ``Special:Search``, the search API, the ``search`` commands and the jobs.

Saves and re-derivations (a used template changed, a move, an undeletion) both reach
``update_derived_data``, which queues the page with the output just rendered."""

from __future__ import annotations

from flask_babel import lazy_gettext

from wiki.hooktypes import Job, SpecialPage
from wiki.hookspecs import hookimpl
from wiki.search import cli, views
from wiki.search.indexer import catch_up, maintain, schedule
from wiki.search.whoosh_backend import WhooshBackend


@hookimpl
def site_started(site):
    site.search_backend = WhooshBackend(site.settings.search_path)


@hookimpl
def site_stopping(site):
    site.search_backend.close()


@hookimpl
def update_derived_data(site, session, page, revision, output):
    schedule(site, session, page.id, "derived", output=(revision.id, output))


@hookimpl
def page_deleted(site, session, page, title, actor, reason):
    schedule(site, session, page.id, "deleted")


@hookimpl
def page_undeleted(site, session, page, title, actor):
    schedule(site, session, page.id, "undeleted")


@hookimpl
def page_moved(site, session, page, old_title, new_title, actor):
    schedule(site, session, page.id, "moved")


@hookimpl
def page_access_changed(site, session, page, title):
    schedule(site, session, page.id, "access")


@hookimpl
def register_special_pages():
    return [SpecialPage("Search", views.special_search, lazy_gettext("Search the text of pages"),
                        heading=lazy_gettext("Search"))]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_cli_commands():
    return [cli.search]


@hookimpl
def register_jobs():
    return [Job("search.outbox", catch_up, every_seconds=60), Job("search.merge", maintain, every_seconds=600)]
