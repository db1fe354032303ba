"""The core runs with no plugin at all: no entry point is loaded, not even the shipped tickets
plugin, and init, page views, search, ``#ask`` and the API all work on a database that no
plugin's migration ever touched."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import inspect, text

from tests.support.postgres import create_database, drop_database, require_postgres
from tests.support.wiki import add_user, login, make_settings, save
from wiki.accounts import create_api_key, find_user
from wiki.app import create_app
from wiki.install import initialize
from wiki.plugins import BUILTIN_PLUGINS, EntryPoints
from wiki.site import create_site


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bare(request, tmp_path):
    """A fresh site of the core alone, after ``initialize`` (what ``ticketwiki init`` runs)."""
    pg_url = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ticketwiki.sqlite'}"
    else:
        url = pg_url = create_database(require_postgres())
    site = create_site(make_settings(tmp_path, url), entry_points=EntryPoints.NONE)
    site.init_report = initialize(site)
    yield site
    site.close()
    if pg_url:
        drop_database(pg_url)


def test_init_sets_up_the_core_and_nothing_of_any_plugin(bare):
    assert {name for name, _ in bare.pm.list_name_plugin()} == set(BUILTIN_PLUGINS)
    assert bare.plugins.installed == {}
    seeded = bare.init_report.seeded
    assert {"Main Page", "Template:Note", "Help:Fields"} <= set(seeded)
    assert not [title for title in seeded if "Ticket" in title]
    assert 3000 not in bare.namespaces and bare.init_report.admin_name == "Admin"
    tables = inspect(bare.db.engine).get_table_names()
    assert "pages" in tables and "plugin_states" in tables and "ticket_counter" not in tables
    with bare.db.read() as session:
        assert [row[0] for row in session.execute(text("SELECT version_num FROM alembic_version"))] == [
            "0013_signin_failures"]


def test_pages_search_ask_and_the_api_work_without_plugins(bare):
    add_user(bare, "Sam", "staff")
    save(bare, "Printer setup", "Connect the zebrafish printer. [[Category:Hardware]]")
    save(bare, "Template:Device", "<noinclude>{{#declare: Kind = text}}</noinclude>A {{{Kind}}}.")
    save(bare, "Label maker", "{{Device|Kind=printer}} [[Category:Hardware]]")
    save(bare, "Inventory", "{{#ask: [[Category:Hardware]] |?Kind |format=table}}")
    client = create_app(site=bare).test_client()
    login(client, "Sam")

    assert "Welcome to ticketwiki" in client.get("/wiki/Main_Page").get_data(as_text=True)
    assert "A printer." in client.get("/wiki/Label_maker").get_data(as_text=True)
    results = client.get("/wiki/Special:Search?search=zebrafish&fulltext=1").get_data(as_text=True)
    assert "/wiki/Printer_setup" in results
    inventory = client.get("/wiki/Inventory").get_data(as_text=True)
    assert "Printer setup" in inventory and "Label maker" in inventory and "printer" in inventory
    assert "Ticket queue" not in inventory and "Open a ticket" not in inventory  # no plugin's menu items

    with bare.db.write() as session:
        token = create_api_key(session, find_user(session, "Sam"), scope="write")[1]
    api = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/pages/Printer_setup", headers=api).get_json()["categories"] == ["Hardware"]
    saved = client.put("/api/v1/pages/Via_the_API", json={"text": "zebrafish again", "summary": "API"}, headers=api)
    assert saved.status_code in (200, 201), saved.get_data(as_text=True)
    found = client.get("/api/v1/search?q=zebrafish", headers=api).get_json()
    assert {r["title"] for r in found["results"]} == {"Printer setup", "Via the API"}
    asked = client.get(f"/api/v1/ask?query={quote('[[Category:Hardware]] |?Kind')}&format=json", headers=api)
    assert asked.status_code == 200 and "Label maker" in asked.get_data(as_text=True)

    assert client.get("/portal/tickets/new").status_code == 404
    assert client.get("/wiki/Special:TicketQueue").status_code == 404
    version = client.get("/wiki/Special:Version").get_data(as_text=True)
    assert "wiki.builtins.categories" in version and "plugins.tickets.hooks" not in version
