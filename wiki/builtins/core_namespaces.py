"""The core's namespaces, read from ``namespaces/*.toml``."""

from wiki.hookspecs import hookimpl
from wiki.namespaces import CORE_NAMESPACE_DIR, load_namespace_dir


@hookimpl
def register_namespaces():
    return load_namespace_dir(CORE_NAMESPACE_DIR)
