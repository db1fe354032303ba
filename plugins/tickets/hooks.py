"""Hook implementations of the tickets plugin (thin: the logic lives in the plugin's services)."""

from pathlib import Path

from wiki.hookspecs import hookimpl
from wiki.namespaces import load_namespace_dir

HERE = Path(__file__).resolve().parent


@hookimpl
def register_namespaces():
    return load_namespace_dir(HERE / "namespaces", source="tickets")
