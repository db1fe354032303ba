"""``python -m wiki`` runs the ``ticketwiki`` command line."""

from wiki.cli import main

main()
