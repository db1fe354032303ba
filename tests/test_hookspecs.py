"""The plugin contract documents itself and is exercised (after datasette's meta-tests)."""

import inspect
from pathlib import Path

import pytest
from pluggy import PluginValidationError

from wiki import hookspecs
from wiki.hookspecs import hookimpl
from wiki.plugins import BUILTIN_PLUGINS, EntryPoints, make_plugin_manager

TESTS = Path(__file__).resolve().parent
HOOKS = sorted(name for name, fn in vars(hookspecs).items()
               if inspect.isfunction(fn) and hasattr(fn, "ticketwiki_spec"))


def test_there_are_hooks():
    assert {"register_namespaces", "update_derived_data", "page_saved", "register_page_actions"} <= set(HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_docstring(name):
    doc = inspect.getdoc(getattr(hookspecs, name))
    assert doc and len(doc) > 40, f"hook {name} needs a docstring saying what it gets, returns and must not do"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_used_by_a_test(name):
    """Each hook name must appear in a test other than this one (datasette's rule)."""
    sources = [p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py") if p.name != "test_hookspecs.py"]
    assert any(name in text for text in sources), f"no test mentions the hook {name}"


def test_builtins_are_plugins_registered_like_any_other():
    pm = make_plugin_manager(entry_points=EntryPoints.SHIPPED)
    names = {name for name, _ in pm.list_name_plugin()}
    assert set(BUILTIN_PLUGINS) <= names


def test_a_misspelt_hook_fails_loudly():
    class Misspelt:
        @hookimpl
        def register_namespace(self):
            return []

    with pytest.raises(PluginValidationError, match="register_namespace"):
        make_plugin_manager([Misspelt()], entry_points=EntryPoints.SHIPPED)
