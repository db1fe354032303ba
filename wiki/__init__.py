"""ticketwiki: a help desk that is a wiki.

The engine lives in this package; the shipped plugins live in ``plugins``.  Layers, from
the bottom up: shared types and database (``models``, ``db``), markup, namespaces and
hook specifications, then titles, permissions and the plugin manager, then fields and
accounts, then page services (``pages``), then web views and plugins, then the app factory
(``app``) and the command line (``cli``).
"""

__version__ = "0.1.0"
