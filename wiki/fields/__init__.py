"""Structured fields: typed template fields, forms and queries (the Semantic MediaWiki layer).

Modules: ``types`` (field types), ``declare`` (``#declare`` and reading declarations),
``models`` (the field tables), ``store`` (deriving, rebuilding and field changes),
``query`` (``#ask``: parse, compile to SQL, output formats), ``forms`` (``Form:`` pages),
``views`` (Special:Ask, form edit, the API), ``cli`` and ``hooks`` (the built-in plugin).
"""
