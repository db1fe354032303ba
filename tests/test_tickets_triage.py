"""Staff triage: queues, assign to me, assignment by user and department, My tickets, bulk
actions as proper revisions, and the status workflow that admins edit on a wiki page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from plugins.tickets import settings, triage
from plugins.tickets.opening import TicketError
from plugins.tickets.settings import DepartmentsError, parse_departments
from plugins.tickets.testing import get_ticket, make_desk, open_test_ticket
from plugins.tickets.ticket import load
from plugins.tickets.workflow import DEFAULT_WORKFLOW, WorkflowError, parse_workflow
from tests.support.wiki import csrf_token, current_text, login, save
from wiki.app import create_app
from wiki.install import load_seed_pages
from wiki.models import Revision
from wiki.pages import SaveError
from wiki.permissions import PermissionDenied


@pytest.fixture
def desk_site(make_site):
    return make_site(seed=True)


def change(site, actor, number, **values):
    with site.db.write() as session:
        item = load(site, session, site.titles.parse(f"Ticket:{number}"), lock=True)
        return triage.change(site, session, actor, item, values)


def history_summaries(site, number):
    with site.db.read() as session:
        page = site.get_page(session, site.titles.parse(f"Ticket:{number}"))
        return list(session.scalars(select(Revision.summary).where(Revision.page_id == page.id).order_by(Revision.id)))


def test_status_change_is_a_revision_with_summary_and_follows_the_workflow(any_site):
    load_seed_pages(any_site)
    desk = make_desk(any_site)
    open_test_ticket(any_site, desk.alice)
    change(any_site, desk.agent, 1001, Status="Open")
    change(any_site, desk.agent, 1001, Status="Resolved")
    assert history_summaries(any_site, 1001)[-1] == "Status: Open → Resolved; Resolved: (none) → " + \
        get_ticket(any_site, "Ticket:1001").get("Resolved")
    with pytest.raises(SaveError) as refused:
        change(any_site, desk.agent, 1001, Status="Testing")
    assert "from Resolved it may change to: Open, Closed" in refused.value.messages[0]


def test_workflow_page_is_validated_and_followed(desk_site):
    desk = make_desk(desk_site)
    with pytest.raises(SaveError, match="unknown status 'Frozen'"):
        save(desk_site, "Project:Ticket workflow", "* New → Frozen", desk.admin)
    save(desk_site, "Project:Ticket workflow", "* New → Closed\n* Closed → New", desk.admin)
    open_test_ticket(desk_site, desk.alice)
    with pytest.raises(SaveError, match="may change to: Closed"):
        change(desk_site, desk.agent, 1001, Status="Open")
    change(desk_site, desk.agent, 1001, Status="Closed")
    # the rule holds for edits of the page text too
    text = current_text(desk_site, "Ticket:1001").replace("|Status=Closed", "|Status=Resolved")
    with pytest.raises(SaveError, match="from Closed it may change to: New"):
        save(desk_site, "Ticket:1001", text, desk.agent)


def test_bad_values_are_named(desk_site):
    desk = make_desk(desk_site)
    open_test_ticket(desk_site, desk.alice)
    with pytest.raises(TicketError) as bad:
        change(desk_site, desk.agent, 1001, Priority="P7", Assignee="Alice", Category="Nope", Department="Mars")
    text = " ".join(bad.value.messages)
    assert "priority:" in text and "assignee: 'Alice' is not a staff member" in text
    assert "category:" in text and "department:" in text


def test_customers_may_only_close_and_reopen(desk_site):
    desk = make_desk(desk_site)
    open_test_ticket(desk_site, desk.alice)
    with pytest.raises(PermissionDenied):
        change(desk_site, desk.alice, 1001, Priority="P1")
    text = current_text(desk_site, "Ticket:1001").replace("|Priority=P3", "|Priority=P1")
    with pytest.raises(SaveError, match="Customers cannot change the ticket's priority"):
        save(desk_site, "Ticket:1001", text, desk.alice)
    change(desk_site, desk.alice, 1001, Status="Closed")
    assert get_ticket(desk_site, "Ticket:1001").status == "Closed"
    with pytest.raises(PermissionDenied):
        change(desk_site, desk.bob, 1001, Status="Open")


def test_queue_assign_to_me_and_my_tickets(desk_site):
    desk = make_desk(desk_site)
    open_test_ticket(desk_site, desk.alice, subject="Low thing", priority="P4")
    open_test_ticket(desk_site, desk.bob, subject="Urgent thing", priority="P1", department="Operations")
    client = create_app(site=desk_site).test_client()
    login(client, "Agent")
    queue = client.get("/wiki/Special:TicketQueue").get_data(as_text=True)
    assert "Operations · P1" in queue and "Support · P4" in queue
    filtered = client.get("/wiki/Special:TicketQueue?priority=P1").get_data(as_text=True)
    assert "Urgent thing" in filtered and "Low thing" not in filtered
    item = get_ticket(desk_site, "Ticket:1002")
    token = csrf_token(client, "/wiki/Ticket:1002")
    response = client.post("/tickets/1002/update", data={"csrf_token": token, "assign_me": "1",
                                                         "base_revision_id": item.revision.id})
    assert response.status_code == 302
    item = get_ticket(desk_site, "Ticket:1002")
    assert item.get("Assignee") == "Agent" and item.status == "Open"
    assert "Urgent thing" in client.get("/wiki/Special:MyTickets").get_data(as_text=True)
    assert "Urgent thing" not in client.get("/wiki/Special:TicketQueue").get_data(as_text=True)
    customer = create_app(site=desk_site).test_client()
    login(customer, "Alice")
    assert customer.get("/wiki/Special:TicketQueue").status_code == 403


def test_bulk_actions_make_one_revision_per_ticket(desk_site):
    desk = make_desk(desk_site)
    for _ in range(3):
        open_test_ticket(desk_site, desk.alice)
    client = create_app(site=desk_site).test_client()
    login(client, "Agent")
    token = csrf_token(client, "/wiki/Special:TicketQueue")
    for action, value in (("assign", "Lead"), ("priority", "P2"), ("category", "Payments"), ("status", "Testing")):
        response = client.post("/tickets/bulk", data={"csrf_token": token, "ticket": ["1001", "1003"],
                                                      "action": action, "value": value})
        assert response.status_code == 302
    for number in (1001, 1003):
        item = get_ticket(desk_site, f"Ticket:{number}")
        assert (item.get("Assignee"), item.priority, item.get("Category"), item.status) == \
            ("Lead", "P2", "Payments", "Testing")
        summaries = history_summaries(desk_site, number)
        assert "Bulk change; Priority: P3 → P2" in summaries
        assert any(s.startswith("Bulk change; Status: Open → Testing") for s in summaries)
    assert get_ticket(desk_site, "Ticket:1002").get("Assignee") == ""
    page = client.get("/wiki/Special:TicketQueue").get_data(as_text=True)
    assert len(re.findall(r'name="ticket" value="1002"', page)) == 1
    refused = client.post("/tickets/bulk", data={"csrf_token": token, "ticket": ["1002"], "action": "status",
                                                 "value": "Closed"}, follow_redirects=True)
    assert "Changed 1 of 1" in refused.get_data(as_text=True)
    again = client.post("/tickets/bulk", data={"csrf_token": token, "ticket": ["1002"], "action": "status",
                                               "value": "Testing"}, follow_redirects=True)
    assert "may change to: Open" in again.get_data(as_text=True)


def test_assign_to_department_drops_the_assignee(desk_site):
    desk = make_desk(desk_site)
    open_test_ticket(desk_site, desk.alice)
    outcomes = triage.bulk(desk_site, desk.agent, [1001], "assign_me", "")
    assert outcomes == [(1001, None)]
    assert triage.bulk(desk_site, desk.agent, [1001, 4242], "department", "Billing") == [
        (1001, None), (4242, "Ticket:4242 does not exist.")]
    item = get_ticket(desk_site, "Ticket:1001")
    assert item.get("Department") == "Billing" and item.get("Assignee") == ""


def test_workflow_and_departments_pages_parse():
    flow = parse_workflow("Prose first.\n* new -> open, CLOSED\n* Open → Closed")
    assert flow.allowed("New") == ("Open", "Closed") and flow.check_transition("Open", "New") == \
        "The status cannot change from Open to New; from Open it may change to: Closed."
    assert DEFAULT_WORKFLOW.check_transition("Closed", "Open") is None
    with pytest.raises(WorkflowError, match="line 1: write 'From → To, To'"):
        parse_workflow("* Open and then Closed")
    with pytest.raises(WorkflowError, match="lists no status changes"):
        parse_workflow("nothing here")
    assert [(d.name, d.lead) for d in parse_departments("* Support (lead: Lead)\n* Billing")] == [
        ("Support", "Lead"), ("Billing", None)]
    with pytest.raises(DepartmentsError, match="line 1"):
        parse_departments("* Support (lead: )")


def test_department_leads_must_be_existing_staff(desk_site):
    desk = make_desk(desk_site)
    with pytest.raises(SaveError) as refused:
        save(desk_site, "Project:Ticket departments", "* Support (lead: Nobody)\n* Billing (lead: Alice)", desk.admin)
    assert refused.value.messages == [
        "Ticket departments, line 1: the lead of Support must be an existing staff member or admin; "
        "there is no user called 'Nobody'.",
        "Ticket departments, line 2: the lead of Billing must be an existing staff member or admin; "
        "'Alice' is not staff or an admin."]
    save(desk_site, "Project:Ticket departments", "* Support (lead: Lead)\n* Billing (lead: Boss)", desk.admin)
    with desk_site.db.read() as session:
        assert [d.lead for d in settings.departments(desk_site, session)] == ["Lead", "Boss"]


def test_edit_form_refuses_an_unknown_lead_and_keeps_the_text(desk_site):
    make_desk(desk_site)
    client = create_app(site=desk_site).test_client()
    login(client, "Boss")
    typed = "Our departments.\n\n* Support (lead: Lead)\n* Field service (lead: Ghost)\n"
    response = client.post("/wiki/Project:Ticket_departments", data={
        "action": "submit", "csrf_token": csrf_token(client, "/wiki/Project:Ticket_departments?action=edit"),
        "text": typed, "summary": "new department"})
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert "the lead of Field service must be an existing staff member or admin; there is no user called" in \
        html.replace("&#39;", "'") and "'Ghost'" in html.replace("&#39;", "'")
    assert "* Field service (lead: Ghost)" in html
    assert "Ghost" not in current_text(desk_site, "Project:Ticket departments")


def test_a_stale_triage_form_changes_only_what_its_user_changed(desk_site):
    desk = make_desk(desk_site)
    seen = open_test_ticket(desk_site, desk.alice).revision_id
    change(desk_site, desk.lead, 1001, Status="In progress", Assignee="Lead")
    form = {"Status": "New", "Priority": "P1", "Category": "", "Department": "Support", "Assignee": ""}
    with desk_site.db.write() as session:  # the agent's form still shows the ticket as it was when opened
        item = load(desk_site, session, desk_site.titles.parse("Ticket:1001"), lock=True)
        triage.change(desk_site, session, desk.agent, item, form, base_revision_id=seen)
    item = get_ticket(desk_site, "Ticket:1001")
    assert (item.status, item.get("Assignee"), item.priority) == ("In progress", "Lead", "P1")
    assert history_summaries(desk_site, 1001)[-1] == "Priority: P3 → P1"
