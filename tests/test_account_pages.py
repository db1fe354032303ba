"""Customers read their own account's pages, except in namespaces marked for staff only
(``account_readable = false``, such as ``Ticket talk``), on every path."""

from sqlalchemy import select

from tests.support.wiki import add_user, login, save
from wiki.app import create_app
from wiki.models import Account, Page


def test_own_account_pages_in_a_staff_only_namespace_stay_hidden(site):
    carol = add_user(site, "Carol", role="customer", account="Acme")
    with site.db.read() as session:
        acme = session.scalar(select(Account.id).where(Account.name == "Acme"))
    save(site, "Ticket:5", "Our printer SHARED", account_id=acme)
    save(site, "Ticket talk:5", "Customer is difficult INTERNAL", account_id=acme)
    ticket, note = site.titles.parse("Ticket:5"), site.titles.parse("Ticket talk:5")
    with site.db.read() as session:
        assert site.policy.allows(carol, "read", ticket, site.get_page(session, ticket))
        assert not site.policy.allows(carol, "read", note, site.get_page(session, note))
        visible = set(session.execute(select(Page.namespace, Page.title)
                                      .where(site.policy.readable_filter(carol, Page))).all())
    assert (3000, "5") in visible and (3001, "5") not in visible
    client = create_app(site=site).test_client()
    login(client, "Carol")
    assert "SHARED" in client.get("/wiki/Ticket:5").get_data(as_text=True)
    for path in ("/wiki/Ticket_talk:5", "/wiki/Ticket_talk:5?action=raw", "/wiki/Ticket_talk:5?action=history",
                 "/api/v1/pages/Ticket_talk:5", "/api/v1/search?q=difficult", "/wiki/Special:Search?search=difficult"):
        assert "INTERNAL" not in client.get(path).get_data(as_text=True), path
    assert "Ticket:5" in client.get("/api/v1/search?q=SHARED").get_data(as_text=True)
