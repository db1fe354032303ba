"""Forms: ``definition`` (``Form:`` pages and ``#form``), ``wikitext`` (the template call a form
edits), ``submit`` (saving a filled-in form), and ``uploads`` (files)."""
