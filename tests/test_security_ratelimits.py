"""Rate limits answer 429 everywhere with a clear, translated message and ``Retry-After``
(JSON under /api/): wiki edits through the edit form (which comes back with the text) and
the API, the JSON API per key, user or address, sign-in, reset, second factor and forms."""

from __future__ import annotations

import pytest

from tests.support.wiki import add_user, csrf_token, current_text, login
from wiki.accounts import create_api_key, find_user
from wiki.app import create_app
from wiki.fields.testing import IssuesPlugin, install_issues
from wiki.security import ratelimit
from wiki.security.testing import csrf_of, post_form, sign_in


def _limited(make_site, **rules):
    return make_site(config={"plugins": {"security": {"rate_limits": rules}}})


def _key(site, name: str) -> str:
    with site.db.write() as session:
        return create_api_key(session, find_user(session, name), scope="write")[1]


def _assert_429(response, message: str) -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    body = response.get_json()["error"]["message"] if response.is_json else response.get_data(as_text=True)
    assert message in body


def test_web_edits_are_limited_and_the_text_comes_back(make_site):
    site = _limited(make_site, edits="2/60")
    add_user(site, "Eve", "staff")
    client = create_app(site=site).test_client()
    login(client, "Eve")

    def edit(text):
        token = csrf_of(client.get("/wiki/Limits?action=edit").get_data(as_text=True))
        return client.post("/wiki/Limits?action=submit", data={"text": text, "summary": "s", "csrf_token": token})

    assert edit("one").status_code == 302 and edit("two").status_code == 302
    refused = edit("three: my careful words")
    _assert_429(refused, "Too many edits in a short time. Please wait")
    html = refused.get_data(as_text=True)
    assert ">three: my careful words</textarea>" in html
    assert '<div class="errorbox" role="alert"><ul><li>Too many edits in a short time.' in html
    assert current_text(site, "Limits") == "two"
    preview = client.post("/wiki/Limits?action=submit", data={"text": "four", "preview": "1",
                                                              "csrf_token": csrf_token(client, "/wiki/Limits?action=edit")})
    assert preview.status_code == 200  # previews are not saves


def test_api_edits_are_limited(make_site):
    site = _limited(make_site, edits="1/60")
    add_user(site, "Fay", "staff")
    client = create_app(site=site).test_client()
    bearer = {"Authorization": f"Bearer {_key(site, 'Fay')}"}
    assert client.put("/api/v1/pages/Api_limits", json={"text": "one"}, headers=bearer).status_code == 201
    refused = client.put("/api/v1/pages/Api_limits", json={"text": "two"}, headers=bearer)
    _assert_429(refused, "Too many edits in a short time.")
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert refused.get_json()["error"]["details"]["retry_after"] == int(refused.headers["Retry-After"])
    assert current_text(site, "Api limits") == "one"


def test_the_api_is_limited_per_key_user_and_address(make_site):
    site = _limited(make_site, api="3/60")
    add_user(site, "Gus", "staff")
    add_user(site, "Hal", "staff")
    client = create_app(site=site).test_client()
    gus, hal = {"Authorization": f"Bearer {_key(site, 'Gus')}"}, {"Authorization": f"Bearer {_key(site, 'Hal')}"}
    for _ in range(3):
        assert client.get("/api/v1/openapi.json", headers=gus).status_code == 200
    _assert_429(client.get("/api/v1/pages/Main_Page", headers=gus), "Too many API requests.")
    assert client.get("/api/v1/openapi.json", headers=hal).status_code == 200  # another key has its own count
    anonymous = create_app(site=site).test_client()
    for _ in range(3):
        assert anonymous.get("/api/v1/openapi.json").status_code == 200
    _assert_429(anonymous.get("/api/v1/openapi.json"), "Too many API requests.")


@pytest.mark.parametrize("rule, message", [
    ("reset", "Too many password reset requests."),
    ("forms", "Too many form submissions."),
    ("second_factor", "Too many second-factor codes were tried."),
])
def test_every_form_limit_answers_with_retry_after(make_site, rule, message):
    site = _limited(make_site, **{rule: "1/60"})
    add_user(site, "Ivy", "staff")
    client = create_app(site=site).test_client()
    if rule == "reset":
        send = lambda: post_form(client, "/wiki/Special:PasswordReset", {"name": "Ivy"})  # noqa: E731
    elif rule == "forms":
        login(client, "Ivy")
        send = lambda: post_form(client, "/wiki/Special:Preferences", {"email_billing": "1"})  # noqa: E731
    else:
        with client.session_transaction() as session:
            session["pending_second_factor"] = {"user_id": 1, "remember": False, "returnto": "/", "at": 4e9}
        send = lambda: post_form(client, "/wiki/Special:UserLogin", {"code": "123456"})  # noqa: E731
    assert send().status_code != 429
    _assert_429(send(), message)


@pytest.mark.site_plugins(IssuesPlugin())
def test_fields_forms_answer_429_through_the_shared_handler(make_site):
    site = _limited(make_site, forms="1/60")
    install_issues(site)
    add_user(site, "Cora", "customer", account="Acme")
    client = create_app(site=site).test_client()
    login(client, "Cora")

    def submit(subject):
        return client.post("/wiki/Special:FormEdit/Issue", data={
            "csrf_token": csrf_token(client, "/wiki/Special:FormEdit/Issue"), "Subject": subject, "Status": "New"})

    assert submit("First problem").status_code == 303
    refused = submit("Second problem, typed with care")
    _assert_429(refused, "Too many form submissions.")
    assert "Second problem, typed with care" in refused.get_data(as_text=True)
    api = client.post("/api/v1/forms/Issue", json={"Subject": "x"},
                      headers={"Authorization": f"Bearer {_key(site, 'Cora')}"})
    _assert_429(api, "Too many form submissions.")


def test_sign_in_limit_has_retry_after(make_site):
    site = _limited(make_site, signin="1/60")
    client = create_app(site=site).test_client()
    sign_in(client, "Nobody", "x")
    _assert_429(sign_in(client, "Nobody", "x"), "Too many sign-in attempts.")


def test_openapi_documents_429_with_retry_after_on_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [op for item in document["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert operations
    for operation in operations:
        assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_rules_are_configurable_and_checked():
    assert ratelimit.Rule.parse("edits", "5/10") == ratelimit.Rule(5, 10)
    with pytest.raises(ValueError, match="must look like"):
        ratelimit.Rule.parse("api", "lots")
    assert set(ratelimit.REASONS) == set(ratelimit.DEFAULT_RULES)
