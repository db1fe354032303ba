"""A separately built and installed package plugs in through the ``ticketwiki.plugins`` entry
point: a namespace, a parser function, a seed page, a route and a migration, no core change."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from tests.support.wiki import add_user, login, save
from wiki.app import create_app
from wiki.plugin_admin import switch_plugin
from wiki.plugins import EntryPoints

SAMPLE = Path(__file__).resolve().parent / "data" / "sample_plugin"


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory):
    """Build and install the sample package into a folder of its own (not the test's environment)."""
    target = tmp_path_factory.mktemp("site-packages")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(SAMPLE)],
        check=True, capture_output=True, text=True, cwd=build, timeout=300,
    )
    assert list(target.glob("tw_sample_plugin-1.2.3.dist-info"))
    return target


@pytest.fixture
def plugin_site(installed_plugin, make_site, monkeypatch):
    monkeypatch.syspath_prepend(str(installed_plugin))
    importlib.invalidate_caches()
    yield make_site(entry_points=EntryPoints.ALL, seed=True)
    sys.modules.pop("tw_sample_plugin", None)


def test_plugin_adds_namespace_function_seed_page_route_and_table(plugin_site):
    site = plugin_site
    assert site.namespaces.get(3100).name == "Recipe"
    assert site.titles.parse("rcp:Waffles").prefixed == "Recipe:Waffles"
    client = create_app(site=site).test_client()
    seeded = client.get("/wiki/Recipe:Pancakes").get_data(as_text=True)
    assert "FLIP THEM!" in seeded and "Breakfast" in seeded
    assert client.get("/sample/hello").get_json() == {"hello": "from a plugin"}
    assert "sample_notes" in inspect(site.db.engine).get_table_names()
    version = client.get("/wiki/Special:Version").get_data(as_text=True)
    assert "tw-sample-plugin" in version and "1.2.3" in version and "register_parser_functions" in version


def test_plugin_namespace_is_editable_like_any_other(plugin_site):
    add_user(plugin_site, "Sam")
    save(plugin_site, "Recipe talk:Pancakes", "More {{#shout:syrup}}")
    client = create_app(site=plugin_site).test_client()
    login(client, "Sam")
    assert "SYRUP!" in client.get("/wiki/Recipe_talk:Pancakes").get_data(as_text=True)


def test_an_admin_switches_the_plugin_off_and_on_and_cached_renderings_follow(plugin_site):
    site = plugin_site
    admin = add_user(site, "Ada", "admin")
    client = create_app(site=site).test_client()
    login(client, "Ada")
    assert "FLIP THEM!" in client.get("/wiki/Recipe:Pancakes").get_data(as_text=True)  # rendered and cached
    assert switch_plugin(site, admin, "sample", False)
    assert client.get("/sample/hello").status_code == 404
    page = client.get("/wiki/Recipe:Pancakes").get_data(as_text=True)
    assert "FLIP THEM!" not in page and "shout" in page  # its page stays; its parser function is gone
    assert switch_plugin(site, admin, "sample", True)
    assert client.get("/sample/hello").get_json() == {"hello": "from a plugin"}
    assert "FLIP THEM!" in client.get("/wiki/Recipe:Pancakes").get_data(as_text=True)


def test_sites_without_the_entry_point_do_not_see_it(plugin_site, make_site):
    other = make_site()
    assert 3100 not in other.namespaces
    assert "shout" not in other.parser_functions


def test_plugin_adds_a_command_line_command(installed_plugin, tmp_path):
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(installed_plugin)]),
           "TICKETWIKI_INSTANCE": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "wiki", "sample-hello"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "hello from the sample plugin's command" in result.stdout
