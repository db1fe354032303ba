"""Attachments (type and size limits, safe downloads, readers of the ticket only) and merging
duplicate tickets."""

from __future__ import annotations

import io

import pytest

from plugins.tickets import merge
from plugins.tickets.opening import TicketError
from plugins.tickets.testing import api_key, get_ticket, make_desk, open_test_ticket
from plugins.tickets.ticket import load
from tests.support.wiki import csrf_token, current_text, login
from wiki.app import create_app

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def desk_site(make_site):
    return make_site(seed=True, config={"plugins": {"fields": {"max_upload_bytes": 1000}}})


def _reply_with_file(client, number, name, data, body="See the file"):
    token = csrf_token(client, f"/wiki/Ticket:{number}")
    return client.post(f"/tickets/{number}/reply", data={"csrf_token": token, "body": body,
                                                          "attachment": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_attachments_are_checked_and_served_only_to_readers(desk_site):
    make_desk(desk_site)
    alice = create_app(site=desk_site).test_client()
    login(alice, "Alice")
    token = csrf_token(alice, "/portal/tickets/new")
    alice.post("/portal/tickets/new", data={"csrf_token": token, "subject": "Screen", "description": "broken"})
    page = _reply_with_file(alice, 1001, "screen.png", PNG).get_data(as_text=True)
    assert "screen.png" in page and "/tickets/1001/attachments/1" in page
    assert "Attached: [screen.png](/tickets/1001/attachments/1)" in current_text(desk_site, "Ticket:1001")
    download = alice.get("/tickets/1001/attachments/1")
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff" and download.mimetype == "image/png"
    refused = _reply_with_file(alice, 1001, "evil.html", b"<script>alert(1)</script>").get_data(as_text=True)
    assert "files of type .html are not accepted" in refused
    fake = _reply_with_file(alice, 1001, "fake.png", b"GIF89a....").get_data(as_text=True)
    assert "content is not image/png" in fake
    big = _reply_with_file(alice, 1001, "big.txt", b"a" * 1001).get_data(as_text=True)
    assert "at most 1,000 bytes" in big
    assert current_text(desk_site, "Ticket:1001").count("Attached:") == 1, "refused files add no reply"
    bob = create_app(site=desk_site).test_client()
    login(bob, "Bob")
    assert bob.get("/tickets/1001/attachments/1").status_code == 404
    assert bob.get("/tickets/1002/attachments/1").status_code == 404
    assert create_app(site=desk_site).test_client().get("/tickets/1001/attachments/1").status_code == 404
    staff = create_app(site=desk_site).test_client()
    login(staff, "Agent")
    assert staff.get("/tickets/1001/attachments/1").data == PNG


def test_merging_closes_the_duplicate_and_links_the_conversations(desk_site):
    desk = make_desk(desk_site)
    client = create_app(site=desk_site).test_client()
    headers = {"Authorization": f"Bearer {api_key(desk_site, 'Agent')}"}
    alert = {"subject": "Mail down", "description": "queue stuck", "account": "Acme", "external_id": "mail-1"}
    client.post("/api/v1/tickets", json=alert, headers=headers)
    open_test_ticket(desk_site, desk.alice, subject="Mail is down", description="Cannot send mail")
    open_test_ticket(desk_site, desk.bob, subject="Mail down at Globex")
    login(client, "Agent")
    token = csrf_token(client, "/wiki/Ticket:1001")
    response = client.post("/tickets/1001/merge", data={"csrf_token": token, "into": "1002"}, follow_redirects=True)
    assert "was merged into Ticket:1002" in response.get_data(as_text=True)
    duplicate, survivor = get_ticket(desk_site, "Ticket:1001"), get_ticket(desk_site, "Ticket:1002")
    assert duplicate.status == "Closed" and duplicate.get("Merged into") == "Ticket:1002"
    assert "This ticket duplicates [[Ticket:1002]]" in duplicate.revision.text
    assert "[[Ticket:1001]] (Mail down) was merged into this ticket" in survivor.revision.text
    assert "Closed as a duplicate of" in client.get("/wiki/Ticket:1001").get_data(as_text=True)
    again = client.post("/api/v1/tickets", json=alert, headers=headers).get_json()
    assert again == {"title": "Ticket:1002", "revision_id": again["revision_id"], "created": False}
    with desk_site.db.write() as session:
        other = load(desk_site, session, desk_site.titles.parse("Ticket:1003"))
        survivor = load(desk_site, session, desk_site.titles.parse("Ticket:1002"))
        with pytest.raises(TicketError, match="different accounts"):
            merge.merge(desk_site, session, desk.agent, other, survivor)
        with pytest.raises(TicketError, match="into itself"):
            merge.merge(desk_site, session, desk.agent, survivor, survivor)


def test_a_file_can_come_with_the_ticket_form(desk_site):
    make_desk(desk_site)
    alice = create_app(site=desk_site).test_client()
    login(alice, "Alice")
    form = {"csrf_token": csrf_token(alice, "/portal/tickets/new"), "subject": "Screen", "description": "broken"}
    refused = alice.post("/portal/tickets/new", data={**form, "attachment": (io.BytesIO(b"<html>"), "x.html")},
                         content_type="multipart/form-data")
    assert refused.status_code == 400 and "files of type .html are not accepted" in refused.get_data(as_text=True)
    assert 'value="Screen"' in refused.get_data(as_text=True) and get_ticket(desk_site, "Ticket:1001") is None
    opened = alice.post("/portal/tickets/new", data={**form, "attachment": (io.BytesIO(PNG), "screen.png")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert opened.request.path == "/wiki/Ticket:1001", "the refused attempt used up no number"
    assert "/tickets/1001/attachments/1" in opened.get_data(as_text=True)
    assert alice.get("/tickets/1001/attachments/1").data == PNG
