"""The help desk over real HTTP: two staff changing one ticket at the same time lose nothing,
and the whole story in headless Chromium (a customer opens a ticket with the form, staff
assign and reply and add an internal note, the customer sees the reply but not the note,
staff resolve it)."""

from __future__ import annotations

import html as html_lib
import re
import threading

import pytest
import requests

from plugins.tickets.testing import PASSWORD, get_ticket, make_desk, open_test_ticket
from tests.support.live_server import LiveServer
from tests.support.wiki import sign_in_browser
from wiki.app import create_app

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_BASE = re.compile(r'name="base_revision_id" value="(\d+)"')


def _session(base: str, name: str) -> requests.Session:
    http = requests.Session()
    token = _CSRF.search(http.get(base + "/wiki/Special:UserLogin").text).group(1)
    response = http.post(base + "/wiki/Special:UserLogin", data={"username": name, "password": PASSWORD,
                                                                "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302
    return http


def _form(http: requests.Session, url: str) -> tuple[str, str]:
    html = http.get(url).text
    return _CSRF.search(html).group(1), _BASE.search(html).group(1)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_concurrent_field_and_text_changes_over_http_lose_nothing(make_site, backend):
    site = make_site(backend, seed=True)
    desk = make_desk(site)
    open_test_ticket(site, desk.alice, description="First line of the description")
    with LiveServer(create_app(site=site)) as server:
        agent, lead = _session(server.url, "Agent"), _session(server.url, "Lead")
        ticket_url = server.url + "/wiki/Ticket:1001"
        token_a, base_a = _form(agent, ticket_url)
        token_b, base_b = _form(lead, ticket_url)
        assert base_a == base_b
        edit = lead.get(ticket_url + "?action=edit").text
        text = re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', edit, re.S).group(1)
        text = html_lib.unescape(text) + "\n\nA paragraph the lead added."
        results: dict[str, int] = {}

        def assign():
            results["assign"] = agent.post(server.url + "/tickets/1001/update", data={
                "csrf_token": token_a, "base_revision_id": base_a, "assign_me": "1", "priority": "P1"},
                allow_redirects=False).status_code

        def edit_text():
            results["edit"] = lead.post(ticket_url, data={
                "action": "submit", "csrf_token": token_b, "base_revision_id": base_b, "text": text,
                "summary": "more detail"}, allow_redirects=False).status_code

        threads = [threading.Thread(target=fn) for fn in (assign, edit_text)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == {"assign": 302, "edit": 302}
        # a reply sent from the page as it was before both changes still lands on top of them
        assert agent.post(server.url + "/tickets/1001/reply", data={
            "csrf_token": token_a, "base_revision_id": base_a, "body": "On our way."}).status_code == 200
    item = get_ticket(site, "Ticket:1001")
    assert item.get("Assignee") == "Agent" and item.priority == "P1" and item.status == "Open"
    assert "On our way." in item.revision.text and "A paragraph the lead added." in item.revision.text
    assert item.get("First response")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_text_edit_saved_after_a_reply_keeps_both(make_site, backend):
    """The lead opens the edit form, a reply is posted, then the lead saves a paragraph added at
    the end: both appended at the same place, so both are kept, the reply (saved first) first."""
    site = make_site(backend, seed=True)
    open_test_ticket(site, make_desk(site).alice, description="Smoke from the printer")
    with LiveServer(create_app(site=site)) as server:
        agent, lead = _session(server.url, "Agent"), _session(server.url, "Lead")
        ticket_url = server.url + "/wiki/Ticket:1001"
        edit = lead.get(ticket_url + "?action=edit").text
        text = html_lib.unescape(re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', edit, re.S).group(1))
        token, base = _CSRF.search(edit).group(1), _BASE.search(edit).group(1)
        reply_token, _ = _form(agent, ticket_url)
        assert agent.post(server.url + "/tickets/1001/reply", data={
            "csrf_token": reply_token, "body": "On our way."}, allow_redirects=False).status_code == 302
        saved = lead.post(ticket_url, data={
            "action": "submit", "csrf_token": token, "base_revision_id": base,
            "text": text.rstrip("\n") + "\n\n== Site visit ==\nThe printer is in room 4.", "summary": "visit"},
            allow_redirects=False)
        assert saved.status_code == 302, "no edit conflict"
    final = get_ticket(site, "Ticket:1001").revision.text
    assert final.index("On our way.") < final.index("== Site visit ==") < final.index("The printer is in room 4.")
    item = get_ticket(site, "Ticket:1001")
    assert item.get("Description") == "Smoke from the printer" and item.get("First response") and item.status == "Open"
    assert item.revision.summary == "visit"


@pytest.mark.browser
def test_customer_and_staff_work_a_ticket_in_the_browser(make_site, chromium):
    site = make_site(seed=True)
    make_desk(site)
    with LiveServer(create_app(site=site)) as server:
        customer = chromium.new_context().new_page()
        staff = chromium.new_context().new_page()
        try:
            sign_in_browser(customer, server.url, "Alice")
            _follow(customer, "nav.sidebar a:has-text('Open a ticket')")
            customer.fill("input[name=subject]", "Printer prints blank pages")
            customer.fill("textarea[name=description]", "Since this morning every page is blank.")
            customer.select_option("select[name=category]", "Technical")
            customer.check("input[name=priority][value=P2]")
            customer.click("button:has-text('Open ticket')")
            customer.wait_for_url("**/wiki/Ticket:1001")
            assert "Your ticket Ticket:1001 was opened." in customer.content()

            sign_in_browser(staff, server.url, "Agent")
            staff.goto(server.url + "/wiki/Special:TicketQueue")
            assert "Printer prints blank pages" in staff.content()
            _follow(staff, "a:has-text('1001')")
            _follow(staff, "button:has-text('Assign to me')")
            staff.fill("textarea[name=body][aria-label=Reply]", "Please check the toner.")
            _follow(staff, "button:has-text('Send reply')")
            staff.fill("textarea[aria-label='Internal note']", "Customer has an old model, replace it.")
            _follow(staff, "button:has-text('Add internal note')")
            assert get_ticket(site, "Ticket:1001").get("Assignee") == "Agent"

            customer.goto(server.url + "/portal/tickets")
            _follow(customer, "a:has-text('1001')")
            body = customer.content()
            assert "Please check the toner." in body
            assert "replace it" not in body and "Internal note" not in body
            customer.goto(server.url + "/wiki/Ticket_talk:1001")
            assert "replace it" not in customer.content()

            staff.goto(server.url + "/wiki/Ticket:1001")
            staff.select_option("select[name=status]", "Resolved")
            _follow(staff, "form.ticket-fields button:has-text('Save')")
            customer.goto(server.url + "/portal/tickets?show=all")
            assert "Resolved" in customer.inner_text("table.ticket-list")
        finally:
            customer.context.close()
            staff.context.close()
    assert get_ticket(site, "Ticket:1001").status == "Resolved"


def _follow(page, selector: str) -> None:
    """Click a link or submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


