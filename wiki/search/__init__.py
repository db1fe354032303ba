"""Full-text search: a backend interface, the Whoosh index, the outbox indexer and the views.

Modules: ``backend`` (the interface), ``whoosh_backend`` (the embedded engine), ``analysis``
(multilingual text analysis), ``documents`` (what is indexed about a page), ``models`` and
``indexer`` (outbox, catch-up, rebuild, check), ``query`` (filters in the user's query),
``service`` (searching as an actor), ``views``, ``cli`` and ``hooks`` (the built-in plugin).
"""
