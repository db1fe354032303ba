"""Customers read their own account's pages, except in namespaces marked for staff only
(``account_readable = false``, such as ``Ticket talk``), on every path.  Staff remove
contacts and sites and change the primary contact; a business account's primary contact
removes the contacts they added; a removed contact loses access to the account's pages at once."""

import pytest
from sqlalchemy import select

from plugins.tickets.testing import open_test_ticket
from tests.support.wiki import PASSWORD, add_user, login, save
from wiki.accounts import AccountError, actor_for, find_user, hash_password
from wiki.app import create_app
from wiki.models import Account, Page
from wiki.permissions import PermissionDenied
from wiki.portal import customers
from wiki.security import audit
from wiki.security.models import AccountSite
from wiki.security.testing import post_form


def test_own_account_pages_in_a_staff_only_namespace_stay_hidden(make_site):
    site = make_site(seed=True)
    carol = add_user(site, "Carol", role="customer", account="Acme")
    with site.db.read() as session:
        acme = session.scalar(select(Account.id).where(Account.name == "Acme"))
    ticket = open_test_ticket(site, carol, subject="Printer", description="Our printer SHARED").title
    save(site, "Ticket talk:1001", "Customer is difficult INTERNAL", account_id=acme)
    note = site.titles.parse("Ticket talk:1001")
    with site.db.read() as session:
        assert site.policy.allows(carol, "read", ticket, site.get_page(session, ticket))
        assert not site.policy.allows(carol, "read", note, site.get_page(session, note))
        visible = set(session.execute(select(Page.namespace, Page.title)
                                      .where(site.policy.readable_filter(carol, Page))).all())
    assert (3000, "1001") in visible and (3001, "1001") not in visible
    client = create_app(site=site).test_client()
    login(client, "Carol")
    assert "SHARED" in client.get("/wiki/Ticket:1001").get_data(as_text=True)
    for path in ("/wiki/Ticket_talk:1001", "/wiki/Ticket_talk:1001?action=raw", "/wiki/Ticket_talk:1001?action=history",
                 "/api/v1/pages/Ticket_talk:1001", "/api/v1/search?q=difficult",
                 "/wiki/Special:Search?search=difficult"):
        assert "INTERNAL" not in client.get(path).get_data(as_text=True), path
    assert "Ticket:1001" in client.get("/api/v1/search?q=SHARED").get_data(as_text=True)



def _actor(site, name):
    with site.db.read() as session:
        return actor_for(find_user(session, name), session=session)


def _business(site):
    """Globex (business): primary contact Pia, who added Quin; staff member Sue added Ray.
    Everyone can sign in with the test password."""
    sue = add_user(site, "Sue", "staff")
    with site.db.write() as session:
        account_id = customers.create_account(site, session, sue, "Globex", "business", "Pia", "pia@globex.test").id
        find_user(session, "Pia").password_hash = hash_password(PASSWORD)
    pia = _actor(site, "Pia")
    with site.db.write() as session:
        customers.add_contact(site, session, pia, account_id, "Quin", "quin@globex.test")
        customers.add_contact(site, session, sue, account_id, "Ray", "ray@globex.test")
    with site.db.write() as session:
        for name in ("Quin", "Ray"):
            find_user(session, name).password_hash = hash_password(PASSWORD)
    return sue, pia, account_id


def test_staff_remove_contacts_and_sites_and_change_the_primary_contact(site):
    sue, _, account_id = _business(site)
    save(site, "Globex plan", "GLOBEXSECRET", account_id=account_id)
    ray = create_app(site=site).test_client()
    login(ray, "Ray")
    assert "GLOBEXSECRET" in ray.get("/wiki/Globex_plan").get_data(as_text=True)
    with site.db.write() as session:
        customers.add_site(session, sue, account_id, "Head office", "1 Main Street")
    staff = create_app(site=site).test_client()
    login(staff, "Sue")
    page = f"/wiki/Special:Accounts/{account_id}"
    html = staff.get(page).get_data(as_text=True)
    assert html.count("Remove contact") == 2 and html.count("Make primary contact") == 2 and "Remove site" in html
    with site.db.read() as session:
        ray_id, pia_id = find_user(session, "Ray").id, find_user(session, "Pia").id
        site_id = session.scalar(select(AccountSite.id))
    # the primary contact cannot be removed until another contact is primary
    refused = post_form(staff, f"/portal/accounts/{account_id}/contacts/{pia_id}/remove", {}, page=page)
    assert "make another contact primary first" in staff.get(refused.headers["Location"]).get_data(as_text=True)
    assert post_form(staff, f"/portal/accounts/{account_id}/contacts/{ray_id}/primary", {}, page=page).status_code == 302
    with site.db.read() as session:
        kinds = {c.user.name: c.kind for c in customers.contacts(session, account_id)}
        assert kinds == {"Ray": "primary", "Pia": "authorised", "Quin": "authorised"}
    assert post_form(staff, f"/portal/accounts/{account_id}/contacts/{pia_id}/remove", {}, page=page).status_code == 302
    assert post_form(staff, f"/portal/accounts/{account_id}/sites/{site_id}/remove", {}, page=page).status_code == 302
    with site.db.read() as session:
        assert {c.user.name for c in customers.contacts(session, account_id)} == {"Ray", "Quin"}
        assert find_user(session, "Pia").account_id is None
        assert customers.sites(session, account_id) == []
        events = [e.event for e in audit.search(session, account_id=account_id)]
        assert {"account.primary_changed", "account.contact_removed", "account.site_removed"} <= set(events)
    # the removed contact loses access with their next request
    pia = create_app(site=site).test_client()
    login(pia, "Pia")
    assert "GLOBEXSECRET" not in pia.get("/wiki/Globex_plan").get_data(as_text=True)
    assert pia.get("/portal/account").status_code == 403


def test_removed_contact_loses_access_at_once(site):
    sue, _, account_id = _business(site)
    save(site, "Globex plan", "GLOBEXSECRET", account_id=account_id)
    quin = create_app(site=site).test_client()
    login(quin, "Quin")
    assert "GLOBEXSECRET" in quin.get("/wiki/Globex_plan").get_data(as_text=True)
    with site.db.write() as session:
        customers.remove_contact(session, sue, account_id, find_user(session, "Quin").id)
    assert quin.get("/wiki/Globex_plan").status_code == 404
    assert quin.get("/api/v1/pages/Globex_plan").status_code == 404


def test_business_primary_contact_removes_only_the_contacts_they_added(site):
    _, pia, account_id = _business(site)
    client = create_app(site=site).test_client()
    login(client, "Pia")
    html = client.get("/portal/account").get_data(as_text=True)
    assert html.count("Remove contact") == 1 and "Make primary contact" not in html
    with site.db.read() as session:
        quin_id, ray_id = find_user(session, "Quin").id, find_user(session, "Ray").id
    refused = post_form(client, f"/portal/accounts/{account_id}/contacts/{ray_id}/remove", {}, page="/portal/account")
    assert refused.status_code == 403
    with site.db.write() as session, pytest.raises(PermissionDenied):
        customers.set_primary(session, pia, account_id, quin_id)
    with site.db.write() as session, pytest.raises(PermissionDenied):
        customers.remove_site(session, pia, account_id, 1)
    removed = post_form(client, f"/portal/accounts/{account_id}/contacts/{quin_id}/remove", {}, page="/portal/account")
    assert removed.status_code == 302
    assert "Quin is no longer a contact" in client.get("/portal/account").get_data(as_text=True)
    # an authorised contact removes nobody; nor does anyone remove a user of another account
    ray = _actor(site, "Ray")
    with site.db.write() as session, pytest.raises(PermissionDenied):
        customers.remove_contact(session, ray, account_id, find_user(session, "Pia").id)
    add_user(site, "Out", "customer", account="Other Co")
    with site.db.write() as session, pytest.raises(AccountError, match="not a contact"):
        customers.remove_contact(session, pia, account_id, find_user(session, "Out").id)
