"""The help desk: tickets as pages of the ``Ticket:`` namespace (see ``hooks`` for what it plugs in)."""
