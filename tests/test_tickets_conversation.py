"""The conversation on a ticket: signed replies mailed to the requester, canned replies, customers
replying and closing, internal notes on the talk page, and a probe of every read path that a
customer could use to see an internal note or another account's ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugins.tickets import conversation, triage
from plugins.tickets.opening import TicketError
from plugins.tickets.testing import api_key, get_ticket, make_desk, open_test_ticket
from plugins.tickets.ticket import load
from tests.support.wiki import csrf_token, current_text, login, save
from wiki.app import create_app
from wiki.collab.watch import is_watching
from wiki.models import OutgoingMail, User

SECRET = "Zanzibarquux"


@pytest.fixture
def mail_site(make_site, smtp_sink):
    return make_site(seed=True, config={"smtp_url": smtp_sink.url, "base_url": "http://desk.test"})


def _post(client, path, **data):
    token = csrf_token(client, "/portal/tickets/new")
    return client.post(path, data={"csrf_token": token, **data})


def test_staff_reply_is_signed_mailed_and_records_first_response(mail_site, smtp_sink):
    desk = make_desk(mail_site)
    open_test_ticket(mail_site, desk.alice)
    staff = create_app(site=mail_site).test_client()
    login(staff, "Agent")
    response = _post(staff, "/tickets/1001/reply", body="Please restart the printer.", canned="Thanks")
    assert response.status_code == 302
    text = current_text(mail_site, "Ticket:1001")
    assert "## Reply from Agent" in text and "Thank you for contacting us" in text
    assert "{{subst:" not in text and "[[User:Agent|Agent]]" in text
    item = get_ticket(mail_site, "Ticket:1001")
    assert item.get("First response") and item.status == "Open"
    messages = [m for m in smtp_sink.wait_for(1) if m.subject.startswith("[Ticket:1001]")]
    assert messages[0].rcpt_tos == ["alice@example.test"]
    assert "Please restart the printer." in messages[0].text()


def test_a_watching_requester_gets_the_ticket_mail_instead_of_the_watchlist_notice(mail_site):
    desk = make_desk(mail_site)
    open_test_ticket(mail_site, desk.alice)
    with mail_site.db.write() as session:
        alice = session.scalar(select(User).where(User.name == "Alice"))
        title = mail_site.titles.parse("Ticket:1001")
        assert is_watching(session, alice.id, title)  # she opened it, so she watches it
        before = session.scalar(select(func.max(OutgoingMail.id))) or 0
    staff = create_app(site=mail_site).test_client()
    login(staff, "Agent")
    assert _post(staff, "/tickets/1001/reply", body="Please restart the printer.").status_code == 302
    save(mail_site, "Ticket:1001", current_text(mail_site, "Ticket:1001") + "\nA staff edit.", desk.agent)
    with mail_site.db.read() as session:
        to_alice = session.scalars(select(OutgoingMail.category).where(
            OutgoingMail.id > before, OutgoingMail.to_address == "alice@example.test").order_by(OutgoingMail.id)).all()
    assert to_alice == ["tickets", "watchlist"]  # one mail for the reply, the notice for the plain edit


def test_customer_replies_reopen_waiting_tickets_and_close_them(mail_site, smtp_sink):
    desk = make_desk(mail_site)
    open_test_ticket(mail_site, desk.alice)
    with mail_site.db.write() as session:
        item = load(mail_site, session, mail_site.titles.parse("Ticket:1001"))
        conversation.reply(mail_site, session, desk.agent, item, "Which model is it?")
    with mail_site.db.write() as session:
        item = load(mail_site, session, mail_site.titles.parse("Ticket:1001"))
        triage.change(mail_site, session, desk.agent, item, {"Status": "Waiting on customer", "Assignee": "Agent"})
    customer = create_app(site=mail_site).test_client()
    login(customer, "Alice")
    page = customer.get("/wiki/Ticket:1001").get_data(as_text=True)
    assert "Which model is it?" in page and "Add reply" in page and "Internal note" not in page
    assert "paused while waiting on the customer" in page
    assert _post(customer, "/tickets/1001/reply", body="An HP 4000.").status_code == 302
    item = get_ticket(mail_site, "Ticket:1001")
    assert item.status == "Open" and "An HP 4000." in item.revision.text
    assert any(m.rcpt_tos == ["agent@example.test"] for m in smtp_sink.wait_for(2))
    _post(customer, "/tickets/1001/close")
    assert get_ticket(mail_site, "Ticket:1001").status == "Closed"
    _post(customer, "/tickets/1001/reopen")
    assert get_ticket(mail_site, "Ticket:1001").status == "Open"


def _close_then_reply(site, closer, customer, body: str) -> str:
    """Close Ticket:1001, let the customer reply; the status after the reply."""
    for act in (lambda session, item: conversation.close(site, session, closer, item),
                lambda session, item: conversation.reply(site, session, customer, item, body)):
        with site.db.write() as session:
            act(session, load(site, session, site.titles.parse("Ticket:1001")))
    item = get_ticket(site, "Ticket:1001")
    assert body in item.revision.text
    return item.status


def test_a_customer_reply_to_a_closed_ticket_reopens_it_if_the_workflow_allows(mail_site):
    desk = make_desk(mail_site)
    open_test_ticket(mail_site, desk.alice)
    assert _close_then_reply(mail_site, desk.alice, desk.alice, "It broke again.") == "Open"
    save(mail_site, "Project:Ticket workflow", "* New → Open, Closed\n* Open → Closed", desk.admin)
    assert _close_then_reply(mail_site, desk.agent, desk.alice, "Still broken.") == "Closed"


def test_reply_needs_text_and_known_canned_reply(mail_site):
    desk = make_desk(mail_site)
    open_test_ticket(mail_site, desk.alice)
    with mail_site.db.write() as session:
        item = load(mail_site, session, mail_site.titles.parse("Ticket:1001"))
        with pytest.raises(TicketError, match="write a message"):
            conversation.reply(mail_site, session, desk.agent, item, "  ")
        with pytest.raises(TicketError, match="no canned reply called 'Nope'"):
            conversation.reply(mail_site, session, desk.agent, item, "", canned="Nope")


def test_internal_notes_and_other_accounts_never_reach_a_customer(mail_site, smtp_sink):
    desk = make_desk(mail_site)
    open_test_ticket(mail_site, desk.alice, subject="Alice's printer")
    open_test_ticket(mail_site, desk.bob, subject="Globex billing", description=f"Globex code {SECRET}bob")
    staff = create_app(site=mail_site).test_client()
    login(staff, "Agent")
    assert _post(staff, "/tickets/1001/note", body=f"Customer is difficult {SECRET}").status_code == 302
    _post(staff, "/tickets/1001/reply", body="We are on it.")
    assert SECRET in current_text(mail_site, "Ticket talk:1001")

    found = staff.get("/api/v1/search?q=difficult").get_json()["results"]
    assert [r["title"] for r in found] == ["Ticket talk:1001"], "the index holds the note (control)"
    alice = create_app(site=mail_site).test_client()
    login(alice, "Alice")
    assert "We are on it." in alice.get("/wiki/Ticket:1001").get_data(as_text=True)
    headers = {"Authorization": f"Bearer {api_key(mail_site, 'Alice', scope='read')}"}
    talk = get_ticket_talk_revision(mail_site)
    paths = [
        "/wiki/Ticket_talk:1001", "/wiki/Ticket_talk:1001?action=raw", "/wiki/Ticket_talk:1001?action=history",
        f"/wiki/Ticket_talk:1001?oldid={talk}", f"/wiki/Ticket_talk:1001?diff={talk}",
        "/wiki/Ticket:1002", "/wiki/Ticket:1002?action=raw", "/wiki/Ticket:1002?action=history",
        "/wiki/Ticket_talk:1002", "/wiki/Special:RecentChanges", "/wiki/Special:RecentChanges?feed=atom",
        "/wiki/Special:Watchlist", "/wiki/Special:Search?search=difficult&fulltext=1", "/wiki/Special:Search?search=billing&fulltext=1",
        "/wiki/Special:AllPages?namespace=3001", "/wiki/Special:AllPages?namespace=3000", "/portal/tickets?show=all",
        "/wiki/Special:Ask?q=%5B%5BTicket%3A%2B%5D%5D&po=%3FSubject", "/wiki/Project:Ticket_reports",
    ]
    for path in paths:
        body = alice.get(path).get_data(as_text=True)
        assert SECRET not in body and "Globex billing" not in body, path
        assert "Customer is difficult" not in body, path
    api_paths = ["/api/v1/pages/Ticket_talk:1001", "/api/v1/pages/Ticket_talk:1001/revisions",
                 "/api/v1/pages/Ticket:1002", "/api/v1/pages/Ticket:1002/revisions", "/api/v1/search?q=difficult",
                 "/api/v1/search?q=billing", "/api/v1/ask?query=%5B%5BTicket%3A%2B%5D%5D%20%7C%3FSubject&format=json"]
    for path in api_paths:
        response = alice.get(path, headers=headers)
        assert SECRET not in response.get_data(as_text=True) and "Globex" not in response.get_data(as_text=True), path
    assert alice.get("/api/v1/pages/Ticket_talk:1001", headers=headers).status_code in (403, 404)
    assert alice.get("/api/v1/pages/Ticket:1002", headers=headers).status_code == 404
    # the watchlist mail of the note went to staff only; customers' mail never holds it
    for message in smtp_sink.wait_for(1):
        if message.rcpt_tos[0].startswith(("alice", "bob")):
            assert SECRET not in message.text() and "Ticket talk" not in message.subject
    assert alice.post("/tickets/1002/reply", data={"csrf_token": csrf_token(alice, "/portal/tickets/new"),
                                                    "body": "hi"}).status_code == 404
    assert _post(alice, "/tickets/1001/note", body="sneaky").status_code == 403
    assert "sneaky" not in (current_text(mail_site, "Ticket talk:1001") or "")


def get_ticket_talk_revision(site):
    with site.db.read() as session:
        return site.get_page(session, site.titles.parse("Ticket talk:1001")).latest_id


def test_customers_cannot_pull_notes_or_other_tickets_into_their_text(mail_site):
    desk = make_desk(mail_site)
    open_test_ticket(mail_site, desk.alice)
    open_test_ticket(mail_site, desk.bob, description=f"Globex {SECRET}")
    staff = create_app(site=mail_site).test_client()
    login(staff, "Agent")
    _post(staff, "/tickets/1001/note", body=f"note {SECRET}")
    alice = create_app(site=mail_site).test_client()
    login(alice, "Alice")
    _post(alice, "/tickets/1001/reply", body="{{subst:Ticket talk:1001}} {{Ticket talk:1001}} {{:Ticket:1002}}")
    assert SECRET not in current_text(mail_site, "Ticket:1001")
    assert SECRET not in alice.get("/wiki/Ticket:1001").get_data(as_text=True)
