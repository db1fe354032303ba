"""The JSON page API: GET/PUT pages and revisions with API keys, and its error contract."""

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.wiki import add_user, save
from wiki.accounts import create_api_key, find_user
from wiki.models import Account, ApiKey


def key_for(site, name, role="staff", scope="write", **kwargs):
    add_user(site, name, role=role, account="Acme" if role == "customer" else None)
    with site.db.write() as session:
        return create_api_key(session, find_user(session, name), scope=scope, **kwargs)[1]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_put_then_get_a_page(site, client):
    token = key_for(site, "Bot")
    put = client.put("/api/v1/pages/Help:API_test", json={"text": "Hello [[Category:Docs]]", "summary": "new"},
                     headers=bearer(token))
    assert put.status_code == 201, put.get_json()
    body = put.get_json()
    assert body["merged"] is False and body["created"] is True
    got = client.get("/api/v1/pages/Help:API_test?render=1", headers=bearer(token)).get_json()
    assert got["title"] == "Help:API test" and got["namespace"] == 12
    assert got["revision_id"] == body["revision_id"] and got["text"] == "Hello [[Category:Docs]]"
    assert got["categories"] == ["Docs"] and "Hello" in got["html"] and "fields" in got


def test_revisions_newest_first(site, client):
    token = key_for(site, "Bot")
    for n in range(3):
        client.put("/api/v1/pages/Log", json={"text": f"v{n}", "summary": f"s{n}", "minor": n == 2},
                   headers=bearer(token))
    revisions = client.get("/api/v1/pages/Log/revisions?limit=2", headers=bearer(token)).get_json()["revisions"]
    assert [r["summary"] for r in revisions] == ["s2", "s1"]
    assert revisions[0]["minor"] is True and revisions[0]["user"] == "Bot" and revisions[0]["size"] == 2
    assert client.get("/api/v1/pages/Log/revisions?limit=0").status_code == 400


def test_concurrent_edits_merge_or_conflict(site, client):
    token = key_for(site, "Bot")
    base = client.put("/api/v1/pages/Doc", json={"text": "a\nb\nc\n"}, headers=bearer(token)).get_json()["revision_id"]
    client.put("/api/v1/pages/Doc", json={"text": "A\nb\nc\n", "base_revision_id": base}, headers=bearer(token))
    merged = client.put("/api/v1/pages/Doc", json={"text": "a\nb\nC\n", "base_revision_id": base},
                        headers=bearer(token))
    assert merged.status_code == 200 and merged.get_json()["merged"] is True
    assert client.get("/api/v1/pages/Doc").get_json()["text"] == "A\nb\nC"
    conflict = client.put("/api/v1/pages/Doc", json={"text": "X\nb\nc\n", "base_revision_id": base},
                          headers=bearer(token))
    assert conflict.status_code == 409
    details = conflict.get_json()["error"]["details"]
    assert details["current_text"] == "A\nb\nC" and details["your_text"] == "X\nb\nc"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"summary": "no text"}, 400, "invalid_input"),
        ({"text": 5}, 400, "invalid_input"),
        ({"text": "x", "base_revision_id": "7"}, 400, "invalid_input"),
        ({"text": "x", "summary": "s" * 600}, 400, "invalid_input"),
        ({"text": "x", "base_revision_id": 999999}, 400, "invalid_input"),
    ],
)
def test_bad_input_is_400_with_a_message(site, client, body, status, code):
    token = key_for(site, "Bot")
    save(site, "Page", "exists")
    response = client.put("/api/v1/pages/Page", json=body, headers=bearer(token))
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]


def test_errors_have_the_documented_shape(site, client):
    token = key_for(site, "Bot")
    cases = [
        (client.get("/api/v1/pages/Nope", headers=bearer(token)), 404, "not_found"),
        (client.get("/api/v1/pages/A%7Cb", headers=bearer(token)), 400, "invalid_title"),
        (client.put("/api/v1/pages/X", data="not json", headers=bearer(token)), 400, "invalid_json"),
        (client.get("/api/v1/pages/X", headers={"Authorization": "Bearer tw_nope_nope"}), 401, "unauthorized"),
        (client.get("/api/v1/pages/X", headers={"Authorization": "Basic abc"}), 401, "unauthorized"),
        (client.put("/api/v1/pages/X", json={"text": "anonymous"}), 400, "csrf"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.get_json()
        assert set(response.get_json()["error"]) == {"code", "message", "details"}
        assert response.get_json()["error"]["code"] == code


def test_read_scope_keys_cannot_write(site, client):
    token = key_for(site, "Reader", scope="read")
    response = client.put("/api/v1/pages/Page", json={"text": "x"}, headers=bearer(token))
    assert response.status_code == 403 and "only read" in response.get_json()["error"]["message"]


def test_expired_and_revoked_keys_are_refused(site, client):
    add_user(site, "Bot")
    with site.db.write() as session:
        user = find_user(session, "Bot")
        key, token = create_api_key(session, user, expires_at=datetime.now(timezone.utc) + timedelta(seconds=1))
        revoked, revoked_token = create_api_key(session, user)
        revoked.revoked_at = datetime.now(timezone.utc)
        key.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    for t in (token, revoked_token):
        assert client.get("/api/v1/pages/Main_Page", headers=bearer(t)).status_code == 401


def test_key_use_is_recorded(site, client):
    token = key_for(site, "Bot")
    save(site, "Page", "text")
    client.get("/api/v1/pages/Page", headers=bearer(token))
    with site.db.read() as session:
        first_use = session.query(ApiKey).one().last_used_at
    assert first_use is not None
    client.get("/api/v1/pages/Page", headers=bearer(token))
    with site.db.read() as session:  # within a minute: the read did not write the key again
        assert session.query(ApiKey).one().last_used_at == first_use
    with site.db.write() as session:
        session.query(ApiKey).one().last_used_at = first_use - timedelta(minutes=2)
    client.get("/api/v1/pages/Page", headers=bearer(token))
    with site.db.read() as session:
        assert session.query(ApiKey).one().last_used_at > first_use


def test_customers_cannot_see_other_accounts_pages(site, client):
    token = key_for(site, "Carol", role="customer")
    add_user(site, "Dan", role="customer", account="Other Co")
    with site.db.write() as session:
        other = session.query(Account).filter_by(name="Other Co").one().id
    save(site, "Other Co plan", "secret of Other Co", account_id=other)
    for path in ("/api/v1/pages/Other_Co_plan", "/api/v1/pages/Other_Co_plan/revisions"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 404 and "secret" not in response.get_data(as_text=True)
    write = client.put("/api/v1/pages/Other_Co_plan", json={"text": "overwrite"}, headers=bearer(token))
    assert write.status_code == 404
