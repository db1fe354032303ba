"""Forms: definitions on Form: pages, creating and editing pages with forms, spam guards, the API,
the user picker (JSON and in Chromium) and uploads."""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from tests.support.live_server import LiveServer
from tests.support.wiki import PASSWORD, add_user, csrf_token, current_text, login, save
from wiki.accounts import create_api_key, find_user
from wiki.app import create_app
from wiki.fields.forms.wikitext import find_call, rewrite_call
from wiki.fields.models import FieldCounter
from wiki.fields.testing import IssuesPlugin, install_issues, issue
from wiki.pages import SaveError

#: Every site built here has the Issue: namespace that the issue template and form use.
pytestmark = pytest.mark.site_plugins(IssuesPlugin())

FORM_URL = "/wiki/Special:FormEdit/Issue"


@pytest.fixture
def desk(site):
    install_issues(site)
    add_user(site, "Sam", role="staff")
    add_user(site, "Cora", role="customer", account="Acme")
    add_user(site, "Dan", role="customer", account="Globex")
    return site


def client_for(site, name=None):
    client = create_app(site=site).test_client()
    if name:
        login(client, name)
    return client


def post_form(client, url=FORM_URL, **fields):
    data = {"csrf_token": csrf_token(client, url), "Subject": "Printer jams", "Status": "New", **fields}
    return client.post(url, data=data)


def key_for(site, name):
    with site.db.write() as session:
        return create_api_key(session, find_user(session, name), scope="write")[1]


# --- definitions ------------------------------------------------------------------------

def test_form_page_describes_the_form_and_links_to_it(desk):
    html = client_for(desk).get("/wiki/Form:Issue").get_data(as_text=True)
    assert "This form fills in" in html and "customer, staff, analyst" in html
    assert 'href="/wiki/Special:FormEdit/Issue"' in html and "One line that says what is wrong" in html


@pytest.mark.parametrize("text, message", [
    ("{{#form: title=X | Subject}}", "#form needs template=NAME"),
    ("{{#form: template=Issue | Colour = text}}", "Template:Issue declares no field Colour"),
    ("{{#form: template=Issue | Subject = select}}", "select and radio need an enum field"),
    ("{{#form: template=Issue | Subject = slider}}", "the input type 'slider' of Subject is unknown"),
    ("{{#form: template=Issue | roles=boss | Subject}}", "unknown role 'boss'"),
    ("{{#form: template=Nothing | Subject}}", "Template:Nothing declares no fields"),
])
def test_broken_form_definitions_are_refused(desk, text, message):
    with pytest.raises(SaveError) as caught:
        save(desk, "Form:Broken", text)
    assert any(message in m for m in caught.value.messages), caught.value.messages


# --- creating pages ---------------------------------------------------------------------

def test_the_form_shows_inputs_for_the_declared_types(desk):
    html = client_for(desk, "Cora").get(FORM_URL).get_data(as_text=True)
    assert re.search(r'<select id="field-3" name="Status" >\s*<option value=""></option>\s*<option selected>New</option>'
                     r'<option >Open</option>', html)
    assert re.search(r'<input id="field-1" type="text" name="Subject" value="" size="60" required>', html)
    assert 'type="radio" name="Priority" value="P2"' in html
    assert 'type="date" name="Due"' in html
    assert 'data-userpicker="/api/v1/fields/users"' in html and "userpicker.js" in html
    assert 'type="checkbox" name="Urgent" value="yes"' in html
    assert '<div hidden aria-hidden="true">' in html and 'name="website"' in html
    assert "One line that says what is wrong" in html


def test_customers_create_numbered_pages_of_their_account(desk):
    cora = client_for(desk, "Cora")
    response = post_form(cora, Description="It jams | badly {{now}}", Priority="P2", Tags="paper, tray",
                         Urgent=["no", "yes"])
    assert response.status_code == 303 and response.headers["Location"].endswith("/wiki/Issue:1")
    text = current_text(desk, "Issue:1")
    assert "|Subject=Printer jams" in text and "|Priority=P2" in text and "|Urgent=yes" in text
    assert "It jams &#124; badly &#123;&#123;now&#125;&#125;" in text
    assert "It jams | badly {{now}}" in cora.get("/wiki/Issue:1").get_data(as_text=True)
    assert post_form(cora, Subject="Second").headers["Location"].endswith("/wiki/Issue:2")
    assert client_for(desk, "Dan").get("/wiki/Issue:1").status_code in (403, 404)
    with desk.db.read() as session:
        page = desk.get_page(session, desk.titles.parse("Issue:1"))
        assert page.account_id == find_user(session, "Cora").account_id


def test_refused_saves_keep_what_was_typed_and_leave_no_gap(desk):
    cora = client_for(desk, "Cora")
    response = post_form(cora, Subject="Keep me", Due="next week", Description="Long story")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "the value &#39;next week&#39; is not a date as YYYY-MM-DD" in html
    assert 'value="Keep me"' in html and "Long story</textarea>" in html and 'value="next week"' in html
    assert post_form(cora).headers["Location"].endswith("/wiki/Issue:1")
    with desk.db.read() as session:
        assert session.get(FieldCounter, "Issue:{counter}").value == 1


def test_form_addresses(desk):
    sam = client_for(desk, "Sam")
    assert 'name="Subject"' in sam.get("/wiki/Form:Issue?action=formedit").get_data(as_text=True)
    assert sam.get("/wiki/Special:FormEdit").status_code == 400
    missing = sam.get("/wiki/Special:FormEdit/Nothing")
    assert missing.status_code == 404 and "There is no form called Form:Nothing" in missing.get_data(as_text=True)


def test_who_may_use_a_form(desk):
    assert client_for(desk).get(FORM_URL).status_code == 403
    save(desk, "Form:Internal", "{{#form: template=Issue | title=Issue:{Subject} | Subject | Status}}")
    assert client_for(desk, "Cora").get("/wiki/Special:FormEdit/Internal").status_code == 403
    sam = client_for(desk, "Sam")
    assert post_form(sam, url="/wiki/Special:FormEdit/Internal", Subject="VPN down").headers["Location"] \
        .endswith("/wiki/Issue:VPN_down")
    again = post_form(sam, url="/wiki/Special:FormEdit/Internal", Subject="VPN down")
    assert again.status_code == 400 and "Issue:VPN down already exists" in again.get_data(as_text=True)


def test_honeypot_and_rate_limit(make_site):
    site = make_site(config={"plugins": {"security": {"rate_limits": {"forms": "2/60"}}}})
    install_issues(site)
    add_user(site, "Cora", role="customer", account="Acme")
    cora = client_for(site, "Cora")
    bot = post_form(cora, website="http://spam.example")
    assert bot.status_code == 400 and "looks automated" in bot.get_data(as_text=True)
    assert current_text(site, "Issue:1") is None
    assert post_form(cora).status_code == 303
    assert post_form(cora).status_code == 303
    limited = post_form(cora)
    assert limited.status_code == 429 and "Too many form submissions" in limited.get_data(as_text=True)
    api = cora.post("/api/v1/forms/Issue", json={"Subject": "x"}, headers={"Authorization": "Bearer " + key_for(site, "Cora")})
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "rate_limited"


# --- editing with a form ----------------------------------------------------------------

def test_wikitext_rewrite_changes_only_the_template_call():
    text = "Intro {{Note|x}}\n\n{{issue\n|Subject=A\n|Status=New\n|Custom=[[a|b]]\n}}\n\nTail"
    span = find_call(text, lambda name: name.strip().lower() == "issue")
    assert span.params == [("Subject", "A"), ("Status", "New"), ("Custom", "[[a|b]]")]
    rewritten = rewrite_call(text, span, {"status": "Open", "Priority": "P1|P2"})
    assert rewritten == ("Intro {{Note|x}}\n\n{{issue\n|Subject=A\n|Status=Open\n|Custom=[[a|b]]\n"
                         "|Priority=P1&#124;P2\n}}\n\nTail")


def test_edit_with_form_merges_with_a_concurrent_text_edit(desk):
    save(desk, "Issue:5", "Reported by phone.\n\n" + issue("Printer", Status="New", Priority="P3")
         + "\n\nNotes follow.")
    sam = client_for(desk, "Sam")
    page = sam.get("/wiki/Issue:5").get_data(as_text=True)
    assert "?action=formedit" in page and "Edit with form" in page
    html = sam.get("/wiki/Issue:5?action=formedit").get_data(as_text=True)
    assert 'value="Printer"' in html and '<option selected>New</option>' in html
    base = re.search(r'name="base_revision_id" value="(\d+)"', html).group(1)
    save(desk, "Issue:5", "Reported by phone.\n\n" + issue("Printer", Status="New", Priority="P3")
         + "\n\nNotes follow. Called back at 10:00.")
    response = sam.post("/wiki/Special:FormEdit/Issue?target=Issue:5", data={
        "csrf_token": csrf_token(sam, "/wiki/Issue:5?action=formedit"), "base_revision_id": base,
        "Subject": "Printer", "Status": "Resolved", "Priority": "P3", "summary": "Fixed"})
    assert response.status_code == 303, response.get_data(as_text=True)
    text = current_text(desk, "Issue:5")
    assert "|Status=Resolved" in text and text.startswith("Reported by phone.")
    assert text.endswith("Notes follow. Called back at 10:00.")


def test_form_edit_of_a_page_without_the_template_is_refused(desk):
    save(desk, "Plain", "No template.")
    assert client_for(desk, "Sam").get("/wiki/Plain?action=formedit").status_code == 404


# --- API --------------------------------------------------------------------------------

def test_api_creates_a_page_with_a_form(desk):
    client = client_for(desk)
    headers = {"Authorization": "Bearer " + key_for(desk, "Cora")}
    response = client.post("/api/v1/forms/Issue", headers=headers, json={
        "Subject": "Invoice wrong", "Priority": "P1", "Tags": ["billing", "invoice"], "Urgent": True})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "Issue:1" and isinstance(body["revision_id"], int)
    assert "|Tags=billing, invoice" in current_text(desk, "Issue:1")
    bad = client.post("/api/v1/forms/Issue", headers=headers, json={"Subject": "x", "Priority": "P9"})
    assert bad.status_code == 400
    assert any("Priority" in m and "'P9'" in m for m in bad.get_json()["error"]["details"]["messages"])
    unknown = client.post("/api/v1/forms/Issue", headers=headers, json={"Colour": "red"})
    assert unknown.status_code == 400 and "has no field 'Colour'" in unknown.get_json()["error"]["message"]
    assert client.post("/api/v1/forms/Nothing", headers=headers, json={}).status_code == 404
    assert client.post("/api/v1/forms/Issue", json={"Subject": "x"}).status_code == 400  # no CSRF header


# --- user picker and uploads ------------------------------------------------------------

def test_user_names_for_the_picker(desk):
    add_user(desk, "Cody", role="customer", account="Acme")
    assert client_for(desk).get("/api/v1/fields/users?prefix=c").status_code == 401
    assert client_for(desk, "Sam").get("/api/v1/fields/users?prefix=c").get_json() == {"users": ["Cody", "Cora"]}
    assert client_for(desk, "Dan").get("/api/v1/fields/users?prefix=c").get_json() == {"users": []}
    assert client_for(desk, "Cora").get("/api/v1/fields/users?prefix=co").get_json() == {"users": ["Cody", "Cora"]}


def test_user_picker_completes_names_in_chromium(desk, browser_page):
    add_user(desk, "Samira", role="staff")
    with LiveServer(create_app(site=desk)) as server:
        browser_page.goto(server.url + "/wiki/Special:UserLogin")
        browser_page.fill('input[name="username"]', "Sam")
        browser_page.fill('input[name="password"]', PASSWORD)
        browser_page.click('button[type="submit"]')
        browser_page.goto(server.url + FORM_URL)
        browser_page.fill('input[name="Assignee"]', "Sa")
        browser_page.wait_for_selector('input[name="Assignee"][data-userpicker-loaded="2"]')
        options = browser_page.eval_on_selector_all("datalist option", "els => els.map(e => e.value)")
        assert options == ["Sam", "Samira"]


def test_uploads_are_checked_stored_and_served_to_readers(make_site):
    site = make_site(config={"plugins": {"fields": {"max_upload_bytes": 1000}}})
    install_issues(site, form=False)
    save(site, "Template:Report", "{{{Shot|}}}<noinclude>{{#declare: Title text = text | Shot = page}}</noinclude>")
    save(site, "Form:Report", "{{#form: template=Report | title=Report {counter} | Title text | Shot = file}}")
    add_user(site, "Sam", role="staff")
    sam = client_for(site, "Sam")
    url = "/wiki/Special:FormEdit/Report"
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100

    def upload(name, data):
        return sam.post(url, data={"csrf_token": csrf_token(sam, url), "Title text": "x", "Shot": (BytesIO(data), name)},
                        content_type="multipart/form-data")

    assert "not accepted" in upload("evil.html", b"<script>").get_data(as_text=True)
    assert "is not image/png" in upload("fake.png", b"GIF89a....").get_data(as_text=True)
    assert "at most 1,000 bytes" in upload("big.png", png * 20).get_data(as_text=True)
    assert "Files are not kept when a form is refused; choose Shot again." in upload("big.png", png * 20).get_data(
        as_text=True)
    response = upload("../../shot one.png", png)
    assert response.status_code == 303, response.get_data(as_text=True)
    text = current_text(site, "Report 1")
    file_title = re.search(r"\|Shot=(File:[^\n]+)", text).group(1)
    assert file_title.startswith("File:Shot one-") and file_title.endswith(".png")
    download = sam.get("/api/v1/files/" + file_title.replace(" ", "_"))
    assert download.status_code == 200 and download.data == png
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert not list(site.settings.instance_path.glob("**/shot one.png"))
    assert client_for(site).get("/api/v1/files/File:Nothing.png").status_code == 404


def test_customers_upload_files_that_only_their_account_and_staff_see(make_site):
    site = make_site()
    save(site, "Template:Report", "{{{Shot|}}}<noinclude>{{#declare: Title text = text | Shot = page}}</noinclude>")
    # customers create pages in the Issue namespace (Main is for staff)
    save(site, "Form:Report", "{{#form: template=Report | title=Issue:Report {counter} | roles=customer"
                              " | Title text | Shot = file}}")
    add_user(site, "Carol", role="customer", account="Acme")
    add_user(site, "Dan", role="customer", account="Other")
    add_user(site, "Sam", role="staff")
    carol = client_for(site, "Carol")
    url = "/wiki/Special:FormEdit/Report"
    png = b"\x89PNG\r\n\x1a\n" + b"1" * 50
    response = carol.post(url, data={"csrf_token": csrf_token(carol, url), "Title text": "mine",
                                     "Shot": (BytesIO(png), "screen.png")}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    file_title = re.search(r"\|Shot=(File:[^\n]+)", current_text(site, "Issue:Report 1")).group(1)
    path = "/api/v1/files/" + file_title.replace(" ", "_")
    assert carol.get(path).data == png
    assert client_for(site, "Sam").get(path).status_code == 200
    assert client_for(site, "Dan").get(path).status_code == 404
    assert client_for(site).get("/wiki/" + file_title.replace(" ", "_")).status_code == 404


def test_api_takes_files_as_multipart_form_data(make_site):
    site = make_site(config={"plugins": {"fields": {"max_upload_bytes": 1000}}})
    save(site, "Template:Report", "{{{Shot|}}}<noinclude>{{#declare: Title text = text | Shot = page"
                                  " | Tags = list(text)}}</noinclude>")
    save(site, "Form:Report", "{{#form: template=Report | title=Issue:Report {counter} | roles=customer"
                              " | Title text | Shot = file | Tags}}")
    add_user(site, "Carol", role="customer", account="Acme")
    add_user(site, "Dan", role="customer", account="Other")
    client = client_for(site)
    headers = {"Authorization": "Bearer " + key_for(site, "Carol")}
    png = b"\x89PNG\r\n\x1a\n" + b"2" * 50

    def send(**data):
        return client.post("/api/v1/forms/Report", headers=headers, data=data, content_type="multipart/form-data")

    response = send(Title_text="mine", Tags=["paper", "tray"], summary="From the app", Shot=(BytesIO(png), "screen.png"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["title"] == "Issue:Report 1"
    text = current_text(site, "Issue:Report 1")
    assert "|Title text=mine" in text and "|Tags=paper, tray" in text
    file_title = re.search(r"\|Shot=(File:Screen-[0-9a-f]{10}\.png)", text).group(1)
    path = "/api/v1/files/" + file_title.replace(" ", "_")
    assert client.get(path, headers=headers).data == png
    assert client.get(path, headers={"Authorization": "Bearer " + key_for(site, "Dan")}).status_code == 404

    too_big = send(Title_text="big", Shot=(BytesIO(png * 30), "big.png"))
    assert too_big.status_code == 413 and too_big.get_json()["error"]["code"] == "too_large"
    assert "at most 1,000 bytes" in too_big.get_json()["error"]["message"]
    wrong = send(Title_text="html", Shot=(BytesIO(b"<script>"), "evil.html"))
    assert wrong.status_code == 400 and "not accepted" in wrong.get_json()["error"]["message"]
    misplaced = send(Title_text=(BytesIO(png), "a.png"))
    assert misplaced.status_code == 400 and "takes text, not a file" in misplaced.get_json()["error"]["message"]
    as_json = client.post("/api/v1/forms/Report", headers=headers, json={"Title text": "x", "Shot": "File:A.png"})
    assert as_json.status_code == 400 and "multipart/form-data" in as_json.get_json()["error"]["message"]
    assert current_text(site, "Issue:Report 2") is None


def test_the_openapi_document_describes_form_uploads(desk):
    operation = client_for(desk).get("/api/v1/openapi.json").get_json()["paths"]["/forms/{form}"]["post"]
    multipart = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"type": "string", "format": "binary"} in multipart["additionalProperties"]["oneOf"]
    assert {"400", "413", "429"} <= set(operation["responses"])
