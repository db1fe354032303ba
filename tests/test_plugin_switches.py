"""Switching plugins off and on: ``[plugins] disabled`` in config.toml, and admins on
Special:Plugins (stored, logged, applied by every process of the site).  A switched-off
plugin's routes, special pages, menu items, parser functions, jobs and hooks go; its pages
and tables stay."""

from __future__ import annotations

import dataclasses
import re
import time

import pytest
from sqlalchemy import func, inspect, select

from plugins.tickets.testing import PASSWORD, api_key, make_desk, open_test_ticket
from tests.support.wiki import csrf_token, login, save
from wiki.app import create_app
from wiki.config import ConfigError, load_settings
from wiki.install import load_seed_pages
from wiki.jobs import registered_jobs, run_jobs
from wiki.models import LogEntry, PluginState, RenderCache
from wiki.pages import SaveError
from wiki.permissions import PermissionDenied
from wiki.plugin_admin import switch_plugin
from wiki.plugin_switches import CHECK_EVERY
from wiki.plugins import EntryPoints
from wiki.security import audit
from wiki.site import create_site

WORKFLOW_JUNK = "* this line is not a workflow rule"


@pytest.fixture
def desk_site(make_site):
    """A help desk with the tickets plugin on: seeded, its people, and Ticket:1001."""
    site = make_site(seed=True)
    site.desk = make_desk(site)
    open_test_ticket(site, site.desk.alice, subject="Printer is on fire")
    return site


@pytest.fixture
def same_database(desk_site):
    """``same_database(config)``: another site on the desk's database, as another process would be."""
    built = []

    def factory(config: dict | None = None):
        settings = dataclasses.replace(desk_site.settings, plugins=config or {})
        built.append(create_site(settings, entry_points=EntryPoints.SHIPPED))
        return built[-1]

    yield factory
    for site in built:
        site.close()


def signed_in(app, name: str):
    client = app.test_client()
    login(client, name, PASSWORD)
    return client


def switch(client, plugin: str, to: str, reason: str = ""):
    return client.post("/wiki/Special:Plugins", data={"plugin": plugin, "switch": to, "reason": reason,
                                                     "csrf_token": csrf_token(client, "/wiki/Special:Plugins")})


def tickets_are_served(client, token: str) -> dict[str, int]:
    """The status of each kind of thing the tickets plugin serves."""
    return {
        "form": client.get("/portal/tickets/new").status_code,
        "bulk": client.post("/tickets/bulk", data={"csrf_token": csrf_token(client)}).status_code,
        "api": client.post("/api/v1/tickets", json={"subject": "Hi", "description": "There"},
                           headers={"Authorization": f"Bearer {token}"}).status_code,
        "queue": client.get("/wiki/Special:TicketQueue").status_code,
    }


def test_tickets_off_in_config_take_routes_specials_menus_functions_jobs_and_hooks_but_not_pages(
        desk_site, same_database):
    on = desk_site
    off = same_database({"disabled": ["tickets"]})
    token = api_key(on, "Agent")
    assert off.plugins.switched_off == {"tickets"} and on.plugins.switched_off == frozenset()

    with_tickets = signed_in(create_app(site=on), "Agent")
    without = signed_in(create_app(site=off), "Agent")
    assert set(tickets_are_served(with_tickets, token).values()) < {200, 201, 302, 400}
    served = tickets_are_served(without, token)
    assert served == {"form": 404, "bulk": 404, "api": 404, "queue": 404}, served
    assert "does not exist" in without.get("/wiki/Special:TicketQueue").get_data(as_text=True)
    assert "TicketQueue" not in without.get("/wiki/Special:SpecialPages").get_data(as_text=True)
    assert "Ticket queue" in with_tickets.get("/wiki/Main_Page").get_data(as_text=True)
    assert "Ticket queue" not in without.get("/wiki/Main_Page").get_data(as_text=True)

    # its pages stay readable (its namespace stays), without its panel (a hook)
    page = without.get("/wiki/Ticket:1001")
    assert page.status_code == 200 and "Printer is on fire" in page.get_data(as_text=True)
    assert "ticket-panel" not in page.get_data(as_text=True)
    assert "ticket-panel" in with_tickets.get("/wiki/Ticket:1001").get_data(as_text=True)
    assert "Printer is on fire" in without.get("/api/v1/pages/Ticket:1001",
                                               headers={"Authorization": f"Bearer {token}"}).get_json()["text"]

    assert "ticketstats" in on.parser_functions and "ticketstats" not in off.parser_functions
    assert "tickets.reminders" in registered_jobs(on) and "tickets.reminders" not in registered_jobs(off)
    with pytest.raises(KeyError, match="no such job: tickets.reminders"):
        run_jobs(off, ["tickets.reminders"])
    # its save check (validate_page_save) is gone with it
    with pytest.raises(SaveError, match="Ticket workflow, line 1"):
        save(on, "Project:Ticket workflow", WORKFLOW_JUNK)
    assert save(off, "Project:Ticket workflow", WORKFLOW_JUNK).revision is not None
    # its data stay: its namespace, its tables, and its migrations keep being applied
    assert off.namespaces.get(3000).name == "Ticket"
    assert "ticket_counter" in inspect(off.db.engine).get_table_names()
    assert any("tickets" in location for location in off.migration_locations)


def test_config_wins_over_the_admin_page(desk_site, same_database):
    off = same_database({"disabled": ["tickets"]})
    admin = signed_in(create_app(site=off), "Boss")
    page = admin.get("/wiki/Special:Plugins").get_data(as_text=True)
    row = page.split('data-plugin="tickets"')[1].split("</tr>")[0]
    assert "only the configuration file can switch it on" in row and "Switch on" not in row
    refused = switch(admin, "tickets", "on")
    assert refused.status_code == 409 and "config.toml" in refused.get_data(as_text=True)
    with off.db.read() as session:
        assert session.scalar(select(func.count()).select_from(PluginState)) == 0


def test_config_file_lists_plugins_to_switch_off(tmp_path):
    (tmp_path / "config.toml").write_text('secret_key = "k"\n[plugins]\ndisabled = ["billing", "usage"]\n')
    assert load_settings(tmp_path).disabled_plugins == {"billing", "usage"}
    (tmp_path / "config.toml").write_text('secret_key = "k"\n[plugins]\ndisabled = "billing"\n')
    with pytest.raises(ConfigError, match="plugins.disabled must be a list of plugin names"):
        load_settings(tmp_path)


def test_an_admin_switches_tickets_off_and_on_in_every_process(desk_site, same_database):
    site, token = desk_site, api_key(desk_site, "Agent")
    app, other_app = create_app(site=site), create_app(site=same_database())
    admin, agent, other_agent = signed_in(app, "Boss"), signed_in(app, "Agent"), signed_in(other_app, "Agent")
    assert other_agent.get("/portal/tickets/new").status_code == 200

    page = admin.get("/wiki/Special:Plugins").get_data(as_text=True)
    row = page.split('data-plugin="tickets"')[1].split("</tr>")[0]
    assert "ticketwiki" in row and "register_blueprints" in row and "Switch off" in row
    assert "Always on" in page.split('data-plugin="wiki.collab.hooks"')[1].split("</tr>")[0]
    response = switch(admin, "tickets", "off", reason="moving desks")
    assert response.status_code == 302
    assert "tickets is switched off." in admin.get("/wiki/Special:Plugins").get_data(as_text=True)

    assert tickets_are_served(agent, token) == {"form": 404, "bulk": 404, "api": 404, "queue": 404}
    refused = agent.post("/api/v1/tickets", json={}, headers={"Authorization": f"Bearer {token}"})
    assert refused.get_json()["error"]["code"] == "not_found"  # the API's JSON errors, as for any API route
    assert agent.get("/wiki/Ticket:1001").status_code == 200
    # the other process reads the switch within CHECK_EVERY, at one of its next requests
    deadline = time.monotonic() + CHECK_EVERY + 5
    while other_agent.get("/portal/tickets/new").status_code != 404:
        assert time.monotonic() < deadline, "the other process never applied the switch"
        time.sleep(0.1)

    log = admin.get("/wiki/Special:Log?type=rights").get_data(as_text=True)
    assert "tickets switched off (moving desks)" in log and "Special:Plugins" in log
    with site.db.read() as session:
        [event] = audit.search(session, event="rights.plugin_off")
        assert event.params == {"plugin": "tickets"} and event.actor_id == site.desk.admin.user_id
        assert session.get(PluginState, "tickets").enabled is False
    assert "Plugin switched off" in admin.get("/wiki/Special:AuditLog").get_data(as_text=True)
    version = admin.get("/wiki/Special:Version").get_data(as_text=True)
    assert re.search(r"<td>tickets<br><code>plugins.tickets.hooks</code></td>(<td>[^<]*</td>){3}<td>no</td>", version)

    assert switch(admin, "tickets", "on").status_code == 302
    assert agent.get("/portal/tickets/new").status_code == 200
    assert agent.get("/wiki/Special:TicketQueue").status_code == 200
    with site.db.read() as session:
        assert len(audit.search(session, event="rights.plugin_on")) == 1


def test_switching_needs_an_admin_a_token_and_a_plugin_that_can_be_switched(desk_site):
    app = create_app(site=desk_site)
    staff, admin = signed_in(app, "Agent"), signed_in(app, "Boss")
    assert 'href="/wiki/Special:Plugins"' in admin.get("/wiki/Main_Page").get_data(as_text=True)  # admin menu
    assert "Switch plugins off and on</a>" in admin.get("/wiki/Special:Version").get_data(as_text=True)
    assert "Special:Plugins" not in staff.get("/wiki/Special:Version").get_data(as_text=True)
    assert staff.get("/wiki/Special:Plugins").status_code == 403
    assert switch(staff, "tickets", "off").status_code == 403
    with pytest.raises(PermissionDenied):
        switch_plugin(desk_site, desk_site.desk.agent, "tickets", False)
    assert admin.post("/wiki/Special:Plugins", data={"plugin": "tickets", "switch": "off"}).status_code == 400
    wrong = switch(admin, "tickets", "sideways")
    assert wrong.status_code == 400 and "switch=on or switch=off, not &#39;sideways&#39;" in wrong.get_data(as_text=True)
    builtin = switch(admin, "wiki.collab.hooks", "off")
    assert builtin.status_code == 400 and "built-in plugins are always on" in builtin.get_data(as_text=True)
    assert "no plugin named &#39;nothing&#39;" in switch(admin, "nothing", "off").get_data(as_text=True)
    with desk_site.db.read() as session:
        assert session.scalar(select(func.count()).select_from(PluginState)) == 0
        assert session.scalar(select(func.count()).select_from(LogEntry).where(LogEntry.action == "plugin")) == 0
    assert staff.get("/portal/tickets/new").status_code == 200
    assert switch(admin, "billing", "on").status_code == 302
    assert "billing was already on." in admin.get("/wiki/Special:Plugins").get_data(as_text=True)


def test_a_plugin_off_at_init_gets_its_seed_pages_when_switched_on(make_site):
    site = make_site()
    make_desk(site)
    admin = signed_in(create_app(site=site), "Boss")
    assert switch(admin, "tickets", "off").status_code == 302
    created = load_seed_pages(site)
    assert "Template:Note" in created and "Template:Ticket" not in created
    assert admin.get("/wiki/Template:Ticket").status_code == 404
    assert switch(admin, "tickets", "on").status_code == 302
    for title in ("Template:Ticket", "Project:Ticket_workflow", "Category:Ticket_categories"):
        assert admin.get(f"/wiki/{title}").status_code == 200, title


def test_switching_a_plugin_that_adds_parser_functions_empties_the_render_cache(desk_site):
    site = desk_site
    save(site, "Plain", "Nothing plugged in here.")
    admin = signed_in(create_app(site=site), "Boss")
    admin.get("/wiki/Plain")
    with site.db.read() as session:
        cached = session.scalar(select(func.count()).select_from(RenderCache))
    assert cached >= 1
    switch(admin, "billing", "off")  # adds no parser function: the renderings stay valid
    with site.db.read() as session:
        assert session.scalar(select(func.count()).select_from(RenderCache)) == cached
    switch(admin, "tickets", "off")  # #ticketstats goes: renderings may hold its output
    with site.db.read() as session:
        assert session.scalar(select(func.count()).select_from(RenderCache)) == 0
