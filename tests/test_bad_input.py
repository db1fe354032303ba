"""Ordinary but awkward input gets a clear 4xx, never a 500: searches Whoosh's spelling
correction choked on, deep braces, huge revision ids, lone surrogates, deep JSON, NUL and
bytes that are not UTF-8.  The edit form always comes back with the typed text, and
nothing is saved."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import func, select

from tests.support.live_server import LiveServer
from tests.support.wiki import PASSWORD, add_user, csrf_token, current_text, login, save
from wiki.accounts import create_api_key, find_user
from wiki.app import create_app
from wiki.models import Revision
from wiki.pages import SaveError
from wiki.storable import MAX_ROW_ID

HUGE_ID = 10**30


@pytest.fixture
def searchable(make_site):
    site = make_site(seed=True)
    save(site, "Printer setup", "Connect the printers to the network. Open a ticket on the main page.")
    return site


@pytest.fixture
def web(any_site):
    """A signed-in staff member's client, its CSRF token and an API key, on either database."""
    add_user(any_site, "Sam")
    client = create_app(site=any_site).test_client()
    login(client, "Sam")
    with any_site.db.write() as session:
        key = create_api_key(session, find_user(session, "Sam"), scope="write")[1]
    return client, csrf_token(client, "/wiki/Draft?action=edit"), {"Authorization": f"Bearer {key}"}


def _revisions(site) -> int:
    with site.db.read() as session:
        return session.scalar(select(func.count()).select_from(Revision))


@pytest.mark.parametrize("query", ["tickt=1", "Mian=Page", '"><img src=x>', "netwrk=1 printr"])
def test_searches_whose_words_the_analyzer_splits_are_answered(searchable, query):
    client = create_app(site=searchable).test_client()
    response = client.get("/api/v1/search", query_string={"q": query})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    page = client.get("/wiki/Special:Search", query_string={"search": query, "fulltext": "1"})
    assert page.status_code == 200


def test_a_split_word_is_corrected_in_place(searchable):
    client = create_app(site=searchable).test_client()
    body = client.get("/api/v1/search", query_string={"q": "the=netwrk"}).get_json()
    assert body["suggestion"] == "the=network"
    html = client.get("/wiki/Special:Search", query_string={"search": "the=netwrk"}).get_data(as_text=True)
    assert "Did you mean" in html and "<em>the=network</em>" in html


def test_a_query_string_that_is_not_utf8_is_refused(searchable):
    client = create_app(site=searchable).test_client()
    response = client.get("/api/v1/search?q=%FF%FE")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == ("Bytes that are not UTF-8 text were sent in 'q'; "
                                                       "send the request in UTF-8.")
    page = client.get("/wiki/Special:Search?search=%FF%FE")
    assert page.status_code == 400 and "not UTF-8" in page.get_data(as_text=True)


@pytest.mark.parametrize("text", ["{{" * 400 + "}}" * 400, "{{{" * 300 + "}}}" * 300])
def test_deep_braces_are_saved_and_previewed(web, any_site, text):
    client, token, headers = web
    preview = client.post("/wiki/Braces?action=submit", data={"text": text, "csrf_token": token, "preview": "1"})
    assert preview.status_code == 200 and "{{{{" in preview.get_data(as_text=True)
    saved = client.post("/wiki/Braces?action=submit", data={"text": text, "csrf_token": token, "save": "1"})
    assert saved.status_code == 302 and current_text(any_site, "Braces") == text
    assert client.put("/api/v1/pages/Braces_2", json={"text": text}, headers=headers).status_code == 201


def test_huge_revision_ids_are_refused(web, any_site):
    client, token, headers = web
    save(any_site, "Draft", "first")
    response = client.put("/api/v1/pages/Draft", json={"text": "x", "base_revision_id": HUGE_ID}, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"field": "base_revision_id"}
    assert client.get(f"/api/v1/pages/Draft?revision={HUGE_ID}", headers=headers).status_code == 404
    form = client.post("/wiki/Draft?action=submit",
                       data={"text": "typed text", "base_revision_id": str(HUGE_ID), "csrf_token": token})
    assert form.status_code == 400 and "typed text</textarea>" in form.get_data(as_text=True)
    for section in ({}, {"section": "1"}, {"section": "new", "subject": "Hi"}):
        form = client.post("/wiki/Draft?action=submit", data={"text": "typed", "csrf_token": token,
                                                              "base_revision_id": str(MAX_ROW_ID + 1), **section})
        assert form.status_code == 400 and "typed</textarea>" in form.get_data(as_text=True)
    with pytest.raises(SaveError, match=f"Revision {HUGE_ID} is not a revision of Draft"):
        save(any_site, "Draft", "x", base_revision_id=HUGE_ID)
    assert current_text(any_site, "Draft") == "first"


@pytest.mark.parametrize("field", ["text", "summary"])
def test_lone_surrogates_are_refused(web, any_site, field):
    client, _token, headers = web
    body = {"text": "fine", "summary": "fine", field: "half \ud800 a pair"}
    response = client.put("/api/v1/pages/Surrogate", data=json.dumps(body), content_type="application/json",
                          headers=headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["details"] == {"field": field} and "U+D800" in error["message"]
    with pytest.raises(SaveError, match=r"U\+D800 on line 1"):
        save(any_site, "Surrogate", **body)
    assert _revisions(any_site) == 0


def test_nul_is_refused_and_the_form_keeps_the_text(web, any_site):
    client, token, headers = web
    response = client.put("/api/v1/pages/Nul", json={"text": "line one\nbad \x00 byte"}, headers=headers)
    assert response.status_code == 400
    assert "NUL character (U+0000) on line 2" in response.get_json()["error"]["message"]
    form = client.post("/wiki/Nul?action=submit", data={"text": "typed\x00text", "csrf_token": token})
    assert form.status_code == 400
    html = form.get_data(as_text=True)
    assert "NUL character" in html and "typed\x00text</textarea>" in html
    assert client.post("/wiki/Nul?action=submit", data={"text": "ok", "summary": "a\x00b",
                                                        "csrf_token": token}).status_code == 400
    assert _revisions(any_site) == 0


def test_other_forms_with_nul_are_refused(any_site):
    client = create_app(site=any_site).test_client()
    token = csrf_token(client)
    response = client.post("/wiki/Special:UserLogin", data={"username": "Sam\x00", "password": "x",
                                                             "csrf_token": token})
    assert response.status_code == 400 and "NUL characters" in response.get_data(as_text=True)


def test_deeply_nested_json_is_refused(web):
    client, _token, headers = web
    for depth in (100_000, 33):
        body = '{"text": "x", "extra": ' + "[" * depth + "]" * depth + "}"
        response = client.put("/api/v1/pages/Deep", data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400
        assert response.get_json()["error"] == {"code": "invalid_json", "details": None,
                                                "message": "The JSON body is nested more than 32 levels deep."}
    body = '{"text": "x", "extra": ' + "[" * 31 + "]" * 31 + "}"
    assert client.put("/api/v1/pages/Deep", data=body, content_type="application/json",
                      headers=headers).status_code == 201


def test_a_form_that_is_not_utf8_comes_back_with_the_text(any_site):
    add_user(any_site, "Sam")
    with LiveServer(create_app(site=any_site)) as server:
        http = requests.Session()
        page = http.get(f"{server.url}/wiki/Special:UserLogin", timeout=30).text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        http.post(f"{server.url}/wiki/Special:UserLogin", timeout=30,
                  data={"username": "Sam", "password": PASSWORD, "csrf_token": token})
        token = http.get(f"{server.url}/wiki/Bytes?action=edit", timeout=30).text.split(
            'name="csrf_token" value="')[1].split('"')[0]
        raw = b"csrf_token=" + token.encode() + b"&summary=ok&text=caf%E9+ol%FF%FE%FDe"
        response = http.post(f"{server.url}/wiki/Bytes?action=submit", data=raw, timeout=30,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code == 400
        assert "caf\ufffd ol\ufffd\ufffd\ufffde</textarea>" in response.text and "not sent as UTF-8" in response.text
        other = http.post(f"{server.url}/wiki/Special:ChangePassword", data=b"new=%FF&csrf_token=" + token.encode(),
                          timeout=30, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert other.status_code == 400 and "Bytes that are not UTF-8 text were sent in &#39;new&#39;" in other.text
    assert current_text(any_site, "Bytes") is None
