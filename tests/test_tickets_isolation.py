"""Ticket pages are made only by the ticket service, so no customer can take a number and read
what staff open for another account: nobody creates ticket pages by hand (the API, forms,
moves), ticket titles are numbers written the one way, a new ticket never lands on an
existing page, and ``{{Ticket|...}}`` outside ``Ticket:`` pages makes no ticket."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select, update

from plugins.tickets.models import TicketCounter
from plugins.tickets.numbering import FIRST_NUMBER
from plugins.tickets.testing import api_key, get_ticket, make_desk, open_test_ticket
SERVICE = "tickets"
from tests.support.wiki import csrf_token, current_text, login, save
from wiki.app import create_app
from wiki.collab.moves import delete_page, move_page
from wiki.fields.models import FieldValue
from wiki.fields.store import rebuild
from wiki.models import Account, Page, Revision
from wiki.pages import SaveError, rederive_page, sha1
from wiki.permissions import PermissionDenied

#: A call that would pass for an open P1 ticket of another account, were it counted.
FAKE = "{{Ticket|Number=1001|Subject=Refund me|Account=Globex|Status=Open|Priority=P1}}"
NOT_BY_HAND = "created only by the tickets service"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def desk_site(request, make_site):
    return make_site(request.param, seed=True)


def _client(site, name):
    client = create_app(site=site).test_client()
    login(client, name)
    return client


def _bearer(site, name):
    return {"Authorization": f"Bearer {api_key(site, name)}"}


def _page_from_before(site, title: str, text: str, account: str | None = None) -> None:
    """A page saved before only the ticket service could make tickets: written as rows, since no
    path creates it any more, and derived as any save derives it."""
    now = datetime.now(timezone.utc)
    where = site.titles.parse(title)
    with site.db.write() as session:
        account_id = session.scalar(select(Account.id).where(Account.name == account)) if account else None
        page = Page(namespace=where.ns, title=where.text, created_at=now, touched=now, account_id=account_id)
        session.add(page)
        session.flush()
        revision = Revision(page_id=page.id, user_text="Alice", timestamp=now, summary="", minor=False, text=text,
                            sha1=sha1(text), size=len(text.encode("utf-8")))
        session.add(revision)
        session.flush()
        page.latest_id, page.length = revision.id, revision.size
        rederive_page(site, session, page, now)


def _field_rows(site, title: str) -> list[tuple[str, str | None]]:
    where = site.titles.parse(title)
    with site.db.read() as session:
        return list(session.execute(
            select(FieldValue.field, FieldValue.value_text).join(Page, Page.id == FieldValue.page_id)
            .where(Page.namespace == where.ns, Page.title == where.text)))


# --- squatting numbers ------------------------------------------------------------------

def test_no_one_takes_a_ticket_number_through_the_api(desk_site):
    """The issue's case: Alice PUTs Ticket:1317 (or an odd spelling of a number); the page is not
    made, so Bob's tickets and the tickets staff open for Globex are Globex's alone."""
    desk = make_desk(desk_site)
    client = create_app(site=desk_site).test_client()
    for name in ("Alice", "Agent", "Boss"):
        headers = _bearer(desk_site, name)
        for title in ("Ticket:1001", "Ticket:1317", "Ticket:01001", "Ticket:1001.0", "Ticket:-1"):
            response = client.put(f"/api/v1/pages/{title}", json={"text": "Mine now"}, headers=headers)
            assert response.status_code == 403, (name, title, response.get_json())
            assert NOT_BY_HAND in response.get_json()["error"]["message"]
            assert current_text(desk_site, title) is None
    bobs = open_test_ticket(desk_site, desk.bob)
    for_globex = open_test_ticket(desk_site, desk.agent, account="Globex")
    assert (bobs.title.text, for_globex.title.text) == ("1001", "1002")
    bob = _client(desk_site, "Bob")
    assert bob.get("/wiki/Ticket:1002").status_code == 200
    assert _client(desk_site, "Alice").get("/wiki/Ticket:1001").status_code == 403  # as a number never handed out


def test_a_new_ticket_never_lands_on_an_existing_page(desk_site):
    """A page Alice took before the fix keeps its number; the ticket staff open for Globex gets
    the next free one and belongs to Globex."""
    desk = make_desk(desk_site)
    _page_from_before(desk_site, "Ticket:1001", "Alice was here", account="Acme")
    opened = open_test_ticket(desk_site, desk.agent, account="Globex")
    assert opened.title.prefixed == "Ticket:1002"
    assert current_text(desk_site, "Ticket:1001") == "Alice was here"
    assert get_ticket(desk_site, "Ticket:1002").get("Account") == "Globex"
    assert _client(desk_site, "Bob").get("/wiki/Ticket:1002").status_code == 200
    assert _client(desk_site, "Alice").get("/wiki/Ticket:1002").status_code == 403  # as a number never handed out


def test_numbers_of_deleted_tickets_are_not_handed_out_again(desk_site):
    """After the counter is restored from an old backup, taken numbers (a deleted ticket's too,
    whose history and account stay with its title) are passed over."""
    desk = make_desk(desk_site)
    first, _second = open_test_ticket(desk_site, desk.alice), open_test_ticket(desk_site, desk.alice)
    with desk_site.db.write() as session:
        delete_page(desk_site, session, first.title, desk.admin, "Sent by mistake")
        session.execute(update(TicketCounter).values(value=FIRST_NUMBER - 1))
    bobs = open_test_ticket(desk_site, desk.bob)
    assert bobs.title.prefixed == "Ticket:1003"
    assert _client(desk_site, "Bob").get("/wiki/Ticket:1003").status_code == 200


@pytest.mark.parametrize("title", ["Ticket:01001", "Ticket:1001.0", "Ticket:-1", "Ticket:1002", "Ticket:900",
                                   "Ticket:١٠٠١", "Ticket:Notes"])
def test_ticket_titles_are_numbers_the_desk_handed_out(desk_site, title):
    """Checked at every save by the plugin's hook, even one made through the service."""
    desk = make_desk(desk_site)
    open_test_ticket(desk_site, desk.alice)
    number = desk_site.titles.parse(title).text
    with pytest.raises(SaveError, match="is not a number the help desk handed out"):
        save(desk_site, title, f"{{{{Ticket|Number={number}|Subject=x}}}}", desk.agent.via_service(SERVICE))


def test_forms_cannot_make_pages_in_the_ticket_namespace(desk_site):
    desk = make_desk(desk_site)
    save(desk_site, "Template:Note", "{{{Text|}}}<noinclude>{{#declare: Text = text}}</noinclude>", desk.agent)
    save(desk_site, "Form:Note", "{{#form: template=Note | title=Ticket:{counter} | roles=customer | Text}}",
         desk.agent)
    alice = _client(desk_site, "Alice")
    response = alice.post("/wiki/Special:FormEdit/Note", data={
        "csrf_token": csrf_token(alice, "/wiki/Special:FormEdit/Note"), "Text": "Mine now"})
    assert response.status_code == 403, response.get_data(as_text=True)[-1500:]
    api = alice.post("/api/v1/forms/Note", json={"Text": "Mine now"}, headers=_bearer(desk_site, "Alice"))
    assert api.status_code == 403 and NOT_BY_HAND in api.get_json()["error"]["message"]
    assert current_text(desk_site, "Ticket:1") is None and current_text(desk_site, "Ticket:2") is None


def test_pages_are_not_moved_into_or_out_of_the_ticket_namespace(desk_site):
    desk = make_desk(desk_site)
    open_test_ticket(desk_site, desk.alice)
    save(desk_site, "Help:Draft", "A draft", desk.agent)
    for who in (desk.agent, desk.admin):
        for source, target in (("Help:Draft", "Ticket:1317"), ("Ticket:1001", "Help:Old ticket"),
                               ("Ticket:1001", "Ticket:1317")):
            with pytest.raises(PermissionDenied, match=NOT_BY_HAND), desk_site.db.write() as session:
                move_page(desk_site, session, desk_site.titles.parse(source), desk_site.titles.parse(target), who)
    assert current_text(desk_site, "Help:Draft") == "A draft" and get_ticket(desk_site, "Ticket:1001") is not None
    assert current_text(desk_site, "Ticket:1317") is None and current_text(desk_site, "Help:Old ticket") is None


# --- {{Ticket|...}} outside Ticket: pages ---------------------------------------------------

def test_ticket_calls_outside_ticket_pages_are_refused_but_can_be_shown(desk_site):
    desk = make_desk(desk_site)
    for title, who in (("User:Alice", desk.alice), ("User talk:Agent", desk.alice), ("Help:Ticket header", desk.agent),
                       ("Help:Ticket header", desk.admin)):
        with pytest.raises(SaveError) as caught:
            save(desk_site, title, f"My page\n\n{FAKE}", who)
        assert any("{{Ticket}} makes a page a record of the Ticket namespace" in m and "<nowiki>" in m
                   for m in caught.value.messages), caught.value.messages
    response = create_app(site=desk_site).test_client().put(
        "/api/v1/pages/User:Alice", json={"text": FAKE}, headers=_bearer(desk_site, "Alice"))
    assert response.status_code == 400
    assert "{{Ticket}}" in " ".join(response.get_json()["error"]["details"]["messages"])
    assert current_text(desk_site, "User:Alice") is None
    shown = f"Write <nowiki>{FAKE}</nowiki>, or:\n\n```\n{FAKE}\n```"
    save(desk_site, "Help:Ticket header", shown, desk.agent)
    assert _field_rows(desk_site, "Help:Ticket header") == []
    html = _client(desk_site, "Agent").get("/wiki/Help:Ticket_header").get_data(as_text=True)
    assert html.count("{{Ticket|Number=1001|Subject=Refund me") == 2


def test_ticket_calls_left_on_other_pages_give_no_ticket_fields(desk_site):
    """A call saved before the check (or brought in by a template's change) is left out of the
    field tables, whenever they are derived, so queries for tickets never find it."""
    desk = make_desk(desk_site)
    open_test_ticket(desk_site, desk.bob, subject="Real trouble")
    _page_from_before(desk_site, "User:Alice", f"Hello\n\n{FAKE}")
    assert _field_rows(desk_site, "User:Alice") == []
    rebuild(desk_site, history=True)
    assert _field_rows(desk_site, "User:Alice") == []
    assert ("Subject", "Real trouble") in _field_rows(desk_site, "Ticket:1001")
    agent = _client(desk_site, "Agent")
    found = agent.get("/api/v1/ask", query_string={"query": "[[Status::New||Open]] [[Priority::P1||P3]]",
                                                   "format": "json"}).get_json()
    assert "Alice" not in str(found) and "Ticket:1001" in str(found)
    assert agent.get("/api/v1/pages/User:Alice").get_json()["fields"] == {}
