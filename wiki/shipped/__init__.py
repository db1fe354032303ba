"""The wiki data the core ships, as package data: ``namespaces/`` (the core's namespace
definitions, one TOML file each) and ``templates/`` (the wiki templates ``ticketwiki init``
loads).

Both are symbolic links to the repository's top-level folders of those names, where the
design keeps them.  A checkout (and an editable install) reads the files through the links;
building a wheel copies the linked files into the package (``package-data`` in
pyproject.toml), so an installed copy finds them at the same place.  Code reads one path in
both cases and the build needs no step of its own.
"""
