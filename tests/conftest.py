"""Fixtures that build real sites and apps: a SQLite file per test, or a PostgreSQL database.

Both kinds start as copies of a database migrated once per test session, so a test pays
for a file copy (SQLite) or a ``CREATE DATABASE ... TEMPLATE`` (PostgreSQL), not for the
migrations.  ``make_site`` builds as many sites as a test wants; each has its own plugin
manager, so no test sees another's plugins.  A module or test marked
``pytest.mark.site_plugins(plugin, ...)`` gets those plugins in every site it builds.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.support.browser import browser_page, chromium  # noqa: F401  (fixtures)
from tests.support.postgres import create_database, database_name, drop_database, require_postgres
from tests.support.smtp import smtp_sink  # noqa: F401  (fixture)
from tests.support.wiki import make_settings
from wiki.app import create_app
from wiki.install import load_seed_pages, upgrade_database
from wiki.plugins import EntryPoints
from wiki.site import Site, create_site


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "ticketwiki.sqlite"
    site = create_site(make_settings(path.parent, f"sqlite:///{path}"), entry_points=EntryPoints.SHIPPED)
    upgrade_database(site)
    site.close()
    return str(path)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    admin = require_postgres()
    url = create_database(admin)
    site = create_site(make_settings(None, url), entry_points=EntryPoints.SHIPPED)
    upgrade_database(site)
    site.close()
    yield database_name(url)
    drop_database(url, admin)


@pytest.fixture
def make_site(request, tmp_path) -> Iterator:
    """``make_site(backend="sqlite"|"postgres", plugins=(), config={}, seed=False, entry_points=SHIPPED)``.

    Sites load the shipped plugins from their entry points, as a real site does; third-party
    plugins installed in the environment stay out unless a test asks for ``EntryPoints.ALL``."""
    built: list[tuple[Site, str | None]] = []
    marked = request.node.get_closest_marker("site_plugins")
    marked_plugins = tuple(marked.args) if marked else ()

    def factory(backend: str = "sqlite", plugins=(), config: dict | None = None, seed: bool = False,
                entry_points: EntryPoints = EntryPoints.SHIPPED) -> Site:
        instance = tmp_path / f"instance{len(built)}"
        instance.mkdir()
        pg_url = None
        if backend == "sqlite":
            path = instance / "ticketwiki.sqlite"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            url = f"sqlite:///{path}"
        elif backend == "postgres":
            template = request.getfixturevalue("postgres_template")
            url = pg_url = create_database(require_postgres(), template=template)
        else:
            raise ValueError(f"unknown backend {backend!r}")
        site = create_site(make_settings(instance, url, config), plugins=(*marked_plugins, *plugins),
                           entry_points=entry_points)
        built.append((site, pg_url))
        upgrade_database(site)
        if seed:
            load_seed_pages(site)
        return site

    yield factory
    for site, pg_url in built:
        site.close()
        if pg_url:
            drop_database(pg_url)


@pytest.fixture
def site(make_site) -> Site:
    return make_site()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_site(request, make_site) -> Site:
    """The same test on a SQLite file and on PostgreSQL."""
    return make_site(request.param)


@pytest.fixture
def app(site):
    return create_app(site=site)


@pytest.fixture
def client(app):
    return app.test_client()


