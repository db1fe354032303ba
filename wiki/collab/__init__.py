"""Collaborative editing: history, diffs, undo and rollback, talk pages, watchlists, recent
changes and feeds, moves, deletion and protection.

Modules: ``models`` (watchlist, restrictions, archived revisions), ``diff`` (line and word
diffs), ``history`` (revision look-ups, undo, rollback), ``watch`` (watchlist and mail),
``recent`` (recent changes), ``feeds`` (Atom), ``logs`` (the action log), ``moves``
(move, delete, undelete), ``protection`` (page restrictions), ``actions`` and ``specials``
(the web views) and ``hooks`` (the built-in plugin that plugs it all in).
"""
