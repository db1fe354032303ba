"""Opening tickets: Template:Ticket and its fields, gap-free numbers under concurrency, the
portal form, staff opening for an account, and POST /api/v1/tickets with external_id."""

from __future__ import annotations

import threading

import pytest

from plugins.tickets import triage
from plugins.tickets.opening import TicketError
from plugins.tickets.ticket import SERVICE, load
from plugins.tickets.testing import api_key, get_ticket, make_desk, open_test_ticket
from tests.support.wiki import csrf_token, login, save
from wiki.app import create_app
from wiki.pages import SaveError
from wiki.permissions import PermissionDenied


@pytest.fixture
def desk_site(make_site):
    return make_site(seed=True)


def test_ticket_has_typed_fields_category_and_account(desk_site):
    desk = make_desk(desk_site)
    opened = open_test_ticket(desk_site, desk.alice, category="Technical", priority="P2", department="Billing")
    item = get_ticket(desk_site, opened.title)
    assert opened.title.prefixed == "Ticket:1001"
    assert item.get("Requester") == "Alice" and item.get("Account") == "Acme"
    assert item.priority == "P2" and item.status == "New" and item.get("Department") == "Billing"
    assert item.moment("Response due") > item.moment("Opened")
    assert item.page.account_id is not None
    app = create_app(site=desk_site)
    client = app.test_client()
    login(client, "Agent")
    html = client.get("/wiki/Ticket:1001").get_data(as_text=True)
    assert "Printer is on fire" in html and "Category:Technical" in html and "Service level" in html
    api = client.get("/api/v1/pages/Ticket:1001").get_json()
    assert api["fields"]["Status"] == "New" and api["fields"]["Priority"] == "P2"
    assert {"Tickets", "Technical"} <= set(api["categories"])


def test_bad_ticket_requests_name_every_field(desk_site):
    desk = make_desk(desk_site)
    with pytest.raises(TicketError) as caught:
        open_test_ticket(desk_site, desk.alice, subject="", description=" ", priority="P9", category="Gardening",
                         department="Nowhere", account="Globex")
    text = " ".join(caught.value.messages)
    for name in ("subject", "description", "priority", "category", "department", "account"):
        assert f"{name}:" in text
    assert open_test_ticket(desk_site, desk.alice).title.text == "1001", "refused requests take no number"


def test_pages_cannot_be_made_tickets_by_hand(desk_site):
    """Only the ticket service creates pages in the namespace (the policy), and what it saves
    must be a ticket under a number it handed out (the plugin's save check)."""
    desk = make_desk(desk_site)
    pages = (("Ticket:5000", "{{Ticket|Number=5000|Subject=x}}"), ("Ticket:Hello", "{{Ticket|Number=Hello|Subject=x}}"),
             ("Ticket:Notes", "An ordinary page of the namespace"))
    for title, text in pages:
        for who in (desk.agent, desk.admin):
            with pytest.raises(PermissionDenied, match="created only by the tickets service"):
                save(desk_site, title, text, who)
        with pytest.raises(SaveError, match="not a number the help desk handed out"):
            save(desk_site, title, text, desk.agent.via_service(SERVICE))
    open_test_ticket(desk_site, desk.alice)
    with pytest.raises(SaveError, match="must keep its"):
        save(desk_site, "Ticket:1001", "just text now", desk.agent)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_numbers_have_no_gaps_or_duplicates_under_concurrency(make_site, backend):
    site = make_site(backend, seed=True)
    desk = make_desk(site)
    numbers, errors = [], []

    def opener(i: int) -> None:
        try:
            for j in range(4):
                numbers.append(int(open_test_ticket(site, desk.agent, subject=f"t{i}-{j}").title.text))
        except Exception as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=opener, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1001, 1025))


def test_portal_form_opens_ticket_for_customers_account(desk_site):
    make_desk(desk_site)
    client = create_app(site=desk_site).test_client()
    login(client, "Alice")
    form = client.get("/portal/tickets/new").get_data(as_text=True)
    assert "Technical" in form and "Critical: the service is down" in form
    token = csrf_token(client, "/portal/tickets/new")
    bad = client.post("/portal/tickets/new", data={"csrf_token": token, "subject": "", "description": "x"})
    assert bad.status_code == 400 and "subject: a ticket needs a subject" in bad.get_data(as_text=True)
    response = client.post("/portal/tickets/new", data={
        "csrf_token": token, "subject": "VPN down", "description": "Since 9:00", "priority": "P2",
        "category": "Technical", "department": "Support"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/wiki/Ticket:1001")
    mine = client.get("/portal/tickets").get_data(as_text=True)
    assert "VPN down" in mine and "New" in mine


def test_staff_open_a_ticket_on_behalf_of_an_account(desk_site):
    make_desk(desk_site)
    client = create_app(site=desk_site).test_client()
    login(client, "Agent")
    token = csrf_token(client, "/portal/tickets/new")
    response = client.post("/portal/tickets/new", data={
        "csrf_token": token, "subject": "Invoice wrong", "description": "Called in", "account": "Globex",
        "requester": "Bob", "category": "Payments", "department": "Billing"})
    assert response.status_code == 302
    item = get_ticket(desk_site, "Ticket:1001")
    assert item.get("Requester") == "Bob" and item.get("Account") == "Globex"
    bob = create_app(site=desk_site).test_client()
    login(bob, "Bob")
    assert "Invoice wrong" in bob.get("/portal/tickets").get_data(as_text=True)
    alice = create_app(site=desk_site).test_client()
    login(alice, "Alice")
    hidden, missing = alice.get("/wiki/Ticket:1001"), alice.get("/wiki/Ticket:1999")
    assert hidden.status_code == missing.status_code == 403  # another account's ticket looks like no ticket


def test_api_opens_tickets_and_folds_repeated_alerts(desk_site):
    make_desk(desk_site)
    token = api_key(desk_site, "Agent")
    client = create_app(site=desk_site).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    alert = {"subject": "Disk full on db1", "description": "98% used", "priority": "P2", "category": "Technical",
             "department": "Operations", "account": "Acme", "external_id": "nagios-db1-disk"}
    first = client.post("/api/v1/tickets", json=alert, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["title"] == "Ticket:1001" and first.get_json()["created"] is True
    again = client.post("/api/v1/tickets", json={**alert, "description": "99% used"}, headers=headers)
    assert again.status_code == 200 and again.get_json() == {
        "title": "Ticket:1001", "revision_id": again.get_json()["revision_id"], "created": False}
    text = client.get("/api/v1/pages/Ticket:1001", headers=headers).get_json()["text"]
    assert "Alert repeated" in text and "99% used" in text
    other = client.post("/api/v1/tickets", json={**alert, "external_id": "nagios-db2"}, headers=headers)
    assert other.get_json()["title"] == "Ticket:1002"
    bad = client.post("/api/v1/tickets", json={"subject": "x", "description": "y", "priority": "urgent"},
                      headers=headers)
    assert bad.status_code == 400 and "priority" in bad.get_json()["error"]["details"]["messages"][0]
    assert client.post("/api/v1/tickets", json=alert).status_code in (400, 401)
    read_only = api_key(desk_site, "Agent", scope="read")
    denied = client.post("/api/v1/tickets", json=alert, headers={"Authorization": f"Bearer {read_only}"})
    assert denied.status_code == 403


def test_alert_after_the_ticket_closed_opens_a_new_one(desk_site):
    desk = make_desk(desk_site)
    client = create_app(site=desk_site).test_client()
    headers = {"Authorization": f"Bearer {api_key(desk_site, 'Agent')}"}
    alert = {"subject": "Ping lost", "description": "host down", "external_id": "ping-1"}
    assert client.post("/api/v1/tickets", json=alert, headers=headers).get_json()["created"]
    with desk_site.db.write() as session:
        item = load(desk_site, session, desk_site.titles.parse("Ticket:1001"))
        triage.change(desk_site, session, desk.agent, item, {"Status": "Resolved"})
    second = client.post("/api/v1/tickets", json=alert, headers=headers).get_json()
    assert second["created"] and second["title"] == "Ticket:1002"


def test_customer_api_key_opens_for_own_account_only(desk_site):
    make_desk(desk_site)
    client = create_app(site=desk_site).test_client()
    headers = {"Authorization": f"Bearer {api_key(desk_site, 'Bob')}"}
    ok = client.post("/api/v1/tickets", json={"subject": "Help", "description": "please"}, headers=headers)
    assert ok.status_code == 201
    assert get_ticket(desk_site, "Ticket:1001").get("Account") == "Globex"
    bad = client.post("/api/v1/tickets", json={"subject": "Help", "description": "x", "account": "Acme"},
                      headers=headers)
    assert bad.status_code == 400 and "own account" in str(bad.get_json())
