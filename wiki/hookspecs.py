"""The whole plugin contract of ticketwiki, grouped by life cycle.

Every feature (the core's own categories, link tables and parser functions as much as the
tickets, billing, usage and telephony plugins) plugs in through these hooks.  Conventions:

* ``register_*`` hooks take no arguments (or the site) and return a list of small typed
  objects (``wiki.hooktypes``, ``wiki.namespaces.Namespace``, ``wiki.markup.ParserFunction``);
  pluggy gathers one list per plugin.  They must not touch the database.
* past-tense hooks (``page_saved``, ``page_committed``) notify; their results are ignored.
* ``validate_*`` hooks return a list of error messages; ``[]`` means OK.  They must have no
  side effects: they also run for previews.
* ``firstresult=True`` only where one plugin owns the answer.

Plugins, the shipped ones as much as a third party's, are found through the entry-point group
``ticketwiki.plugins``.  Admins may switch such a plugin off (``wiki.plugin_switches``): then
only its ``register_namespaces``, ``register_migrations``, ``site_started`` and
``site_stopping`` are still called (its pages and tables stay), and ``register_cli_commands``
(the command line loads before it knows the instance).  The core's built-ins are always on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from flask import Blueprint
    from sqlalchemy.orm import Session

    from wiki.hooktypes import Job, MenuItem, PageAction, PageChange, PageSection, PageTab, SeedPage, SpecialPage
    from wiki.markup import MagicWord, ParserFunction
    from wiki.namespaces import Namespace
    from wiki.permissions import Actor
    from wiki.site import Site
    from wiki.titles import Title

PROJECT = "ticketwiki"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- start-up ----------------------------------------------------------------------------

@hookspec
def register_namespaces() -> list[Namespace]:
    """Namespaces this plugin adds.

    :returns: ``Namespace`` objects (usually read from the plugin's own TOML files with
        ``wiki.namespaces.load_namespace_dir``).  Plugins take even numbers from 3000, with
        the next odd number as talk.  A clash of number or name stops start-up with an error.
        A namespace whose pages only the plugin's own code may make (numbered tickets,
        invoices) says ``created_by = "<service>"``: the policy then refuses every ``create``
        and ``move`` there, admins' and seed pages' included, except by an actor the service
        made with ``Actor.via_service("<service>")``.  ``record_template = "<Name>"`` makes
        ``{{Name|...}}`` count (as field values) only on pages of the namespace; a call of it
        elsewhere is refused at save and left out of the field tables.
    """


@hookspec
def register_migrations() -> list[str]:
    """Folders of Alembic revision files this plugin owns.

    :returns: paths of version folders.  A plugin's first revision sets ``branch_labels``
        to the plugin's name and ``depends_on = "0001_core"``; ``ticketwiki db upgrade``
        applies every branch to its head.
    """


@hookspec
def site_started(site: Site) -> None:
    """Called once the site (database, namespaces, registries) is built.

    Called for a switched-off plugin too, since an admin may switch it on while the site
    runs: set up what the hooks need, start nothing that works on its own.

    :param site: the new site.  Use it to keep references; do not write to the database here
        (the database may not be migrated yet when the command line builds a site).
    """


@hookspec
def site_stopping(site: Site) -> None:
    """Called once when the site is closed (end of a command, a test or a server process).

    :param site: the site being closed.  Release what ``site_started`` opened (index handles,
        threads); the database is disposed after this hook.  Must not raise.
    """


# --- registration ------------------------------------------------------------------------

@hookspec
def register_parser_functions() -> list[ParserFunction]:
    """Parser functions (``{{#name: ...}}``) this plugin provides.

    :returns: ``ParserFunction`` objects.  A later plugin's function of the same name
        replaces an earlier one's; the replaced one is logged.
    """


@hookspec
def register_magic_words() -> list[MagicWord]:
    """Magic words (``{{PAGENAME}}``-style variables) this plugin provides.

    :returns: ``MagicWord`` objects, named in upper case.
    """


@hookspec
def register_seed_pages() -> list[SeedPage]:
    """Pages ``ticketwiki init`` creates when they are missing (templates, forms, help).

    :returns: ``SeedPage`` objects.  Existing pages are left alone.
    """


@hookspec
def register_special_pages() -> list[SpecialPage]:
    """``Special:`` pages this plugin serves.

    :returns: ``SpecialPage`` objects; names are unique across plugins.  Give each a
        translated ``heading`` (``lazy_gettext("Ticket queue")``): it is the page's heading,
        window title and name on Special:SpecialPages in the reader's language.
    """


@hookspec
def register_blueprints() -> list[Blueprint]:
    """Flask blueprints with this plugin's own routes (for example ``/portal/...``).

    :returns: blueprints, registered on the app in plugin order.  Views must ask
        ``site.policy`` before reading or writing anything.
    """


@hookspec
def register_menu_items() -> list[MenuItem]:
    """Links for the skin's side menu.

    :returns: ``MenuItem`` objects; items with ``roles`` are shown only to those roles.
    """


@hookspec
def register_jobs() -> list[Job]:
    """Scheduled jobs, run in-process by ``ticketwiki serve`` and by ``ticketwiki jobs run``.

    :returns: ``Job`` objects.  A job must be safe to run twice at once or in a row.
    """


@hookspec
def register_cli_commands() -> list[Any]:
    """Extra ``ticketwiki`` sub-commands.

    :returns: ``click.Command`` or ``click.Group`` objects, added to the top-level group.
    """


# --- page life cycle ---------------------------------------------------------------------

@hookspec
def validate_page_save(site: Site, session: Session, title: Title, text: str, output: Any, actor: Actor) -> list[str]:
    """Check a page's new text before it is saved.

    :param output: the ``ParseOutput`` of ``text``.
    :returns: error messages that name what is wrong (``[]`` when the text is fine).  Must not
        change anything: it also runs for previews.
    """


@hookspec
def update_derived_data(site: Site, session: Session, page: Any, revision: Any, output: Any) -> None:
    """Rewrite the tables this plugin derives from a page's current revision.

    Runs inside the transaction that saved ``revision``, and again when derived data are
    rebuilt or a used template changes.  It must replace (not append to) what it wrote for
    the page before, so that running it twice gives the same rows.

    :param output: the ``ParseOutput`` of the revision's text.
    """


@hookspec
def clear_derived_data(site: Site, session: Session, page: Any) -> None:
    """Remove what this plugin derived from a page (the page was deleted).  Inside the transaction."""


@hookspec
def page_saved(site: Site, session: Session, change: PageChange) -> None:
    """A new revision was written; still inside the save's transaction.

    Use it for records that belong to the revision itself (field changes, notifications to
    queue).  Raising aborts the save.
    """


@hookspec
def page_committed(site: Site, change: PageChange) -> None:
    """A save has been committed.  For work outside the database (search index, caches).

    Must not raise for ordinary failures: log them; the data are already saved and a
    catch-up (for example ``ticketwiki search rebuild``) must be able to repair.
    """


@hookspec
def describe_revision_changes(
    site: Site, session: Session, pairs: list[tuple[int | None, int]]
) -> dict[tuple[int | None, int], list[str]]:
    """Notes on what changed between revisions beyond their text, for history, recent
    changes, watchlists and diffs (for example ``"Status: Open → Resolved"``).

    :param pairs: ``(old_revision_id, new_revision_id)``; ``old`` is ``None`` for a page's
        first revision.  Consecutive pairs (old is new's parent) are the common case and should
        be answered in one query for all of them.
    :returns: notes per pair, plain text (the caller escapes them); pairs with nothing to say
        may be left out.  Read only; the caller has already checked the viewer may read them.
    """


# --- rendering ---------------------------------------------------------------------------

@hookspec
def page_view_sections(
    site: Site, session: Session, title: Title, page: Any, actor: Actor, args: dict[str, str]
) -> list[PageSection]:
    """Blocks shown below the text of a page view (category listings, ticket panels ...).

    :param page: the ``Page`` row, or ``None`` when the page does not exist.
    :param args: the request's query parameters (for paging); the hook must not read the
        request itself.
    :returns: ``PageSection`` objects with already escaped, safe HTML.
    """


@hookspec
def page_action_tabs(site: Site, session: Session, title: Title, page: Any, actor: Actor) -> list[PageTab]:
    """Tabs shown beside Edit in a page's tab bar, on the page and on its action views.

    Called for every page view, so answer from a query or two.  Offer only what ``actor``
    may actually do (ask ``site.policy``); the action's view must check again.

    :param page: the ``Page`` row, or ``None`` when the page does not exist; deleted pages
        come as ``None`` too.
    :returns: ``PageTab`` objects with translated labels, sorted by ``order`` by the caller.
        Read only; the hook must not read the request.
    """


@hookspec
def register_page_actions() -> list[PageAction]:
    """Actions on ``/wiki/<title>?action=<name>`` (``history``, ``delete``, ``protect`` ...).

    :returns: ``PageAction`` objects; the view is called with the site and the ``Title`` and
        must ask ``site.policy`` itself.  ``view``, ``edit``, ``submit`` and ``raw`` are the core's.
    """


# --- page state changes other than saves --------------------------------------------------

@hookspec
def page_deleted(site: Site, session: Session, page: Any, title: Title, actor: Actor, reason: str) -> None:
    """A page was deleted (its revisions are hidden, not destroyed); inside the transaction.

    Derived data have already been cleared through ``clear_derived_data``.  Use
    ``wiki.pages.after_commit`` for work outside the database (the search index).
    """


@hookspec
def page_undeleted(site: Site, session: Session, page: Any, title: Title, actor: Actor) -> None:
    """A deleted page was restored with all its revisions; inside the transaction.

    Derived data have already been rebuilt through ``update_derived_data``.
    """


@hookspec
def page_moved(site: Site, session: Session, page: Any, old_title: Title, new_title: Title, actor: Actor) -> None:
    """A page was renamed (a redirect may now stand at ``old_title``); inside the transaction."""


@hookspec
def page_access_changed(site: Site, session: Session, page: Any, title: Title) -> None:
    """Who may read a page changed (its account, or its namespace's rights); inside the transaction.

    Plugins that keep copies of page data outside the policy's reach (the search index)
    must refresh them after the commit.
    """


# --- search ------------------------------------------------------------------------------

@hookspec
def search_fields(site: Site, session: Session, page: Any, revision: Any, output: Any) -> dict[str, list[str]]:
    """Field values a plugin wants searchable as ``name:value`` (``status:open priority:P1``).

    Called when the search index takes in a page's current revision (after a save, and for
    every page by ``ticketwiki search rebuild``), outside the save's transaction.

    :param output: the ``ParseOutput`` of ``revision``'s text (its template calls hold the
        values).
    :returns: ``{field name: values}``; names are letters, digits and underscores, matched
        case-insensitively, as are values, which match whole.  ``{}`` when the page has none.
        Must not write to the database.
    """
