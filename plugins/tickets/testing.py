"""Helpers for tests that need a help desk: users of two customer accounts and staff, and
tickets opened through the plugin's own service (other packages' tests may use them too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from plugins.tickets.opening import Opened, TicketRequest, open_ticket
from plugins.tickets.ticket import Ticket, load
from wiki.accounts import actor_for, create_api_key, create_user, find_user
from wiki.permissions import Actor

PASSWORD = "Correct-Horse-9!"


@dataclass
class Desk:
    """The people of a test help desk: ``agent`` and ``lead`` (staff), ``admin``, ``analyst``,
    ``alice`` and ``amy`` (account Acme) and ``bob`` (account Globex)."""

    agent: Actor
    lead: Actor
    admin: Actor
    analyst: Actor
    alice: Actor
    amy: Actor
    bob: Actor


def make_desk(site) -> Desk:
    people = {}
    with site.db.write() as session:
        for name, role, account in (("Agent", "staff", None), ("Lead", "staff", None), ("Boss", "admin", None),
                                    ("Analyst", "analyst", None), ("Alice", "customer", "Acme"),
                                    ("Amy", "customer", "Acme"), ("Bob", "customer", "Globex")):
            user = create_user(session, name, role, email=f"{name.lower()}@example.test", password=PASSWORD,
                               account=account)
            people[name] = actor_for(user)
    return Desk(people["Agent"], people["Lead"], people["Boss"], people["Analyst"], people["Alice"],
                people["Amy"], people["Bob"])


def open_test_ticket(site, actor: Actor, subject: str = "Printer is on fire", description: str = "Smoke everywhere.",
                     now: datetime | None = None, **fields: str) -> Opened:
    with site.db.write() as session:
        return open_ticket(site, session, actor, TicketRequest(subject=subject, description=description, **fields),
                           now=now)


def get_ticket(site, title) -> Ticket | None:
    with site.db.read() as session:
        return load(site, session, site.titles.parse(title) if isinstance(title, str) else title)


def api_key(site, name: str, scope: str = "write") -> str:
    """A new API key of the user ``name`` (the token, for ``Authorization: Bearer``)."""
    with site.db.write() as session:
        return create_api_key(session, find_user(session, name), scope=scope)[1]
