"""The web phone: registration, presence, queues, calls, contacts and chat (see ``hooks``)."""
