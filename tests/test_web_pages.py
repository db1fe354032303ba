"""Reading, creating and editing pages in the browser UI (real Flask app, real database)."""

import re

import pytest

from tests.support.wiki import add_user, csrf_token, current_text, login, save


@pytest.fixture
def staff_client(site, client):
    add_user(site, "Sam", role="staff")
    login(client, "Sam")
    return client


def edit(client, title, text, **extra):
    token = csrf_token(client, f"/wiki/{title}?action=edit")
    data = {"text": text, "summary": extra.pop("summary", ""), "csrf_token": token, "save": "1", **extra}
    return client.post(f"/wiki/{title}?action=submit", data=data)


def test_create_view_and_edit_in_any_namespace(site, client):
    add_user(site, "Ada", role="admin")
    login(client, "Ada")
    for title in ["Main_Page", "Talk:Main_Page", "User:Sam", "User_talk:Sam", "Project:About", "Help:Billing",
                  "Template:Box", "Category:Billing", "Form:Ticket", "File:Logo.png", "Ticket_talk:1001"]:
        response = edit(client, title, f"Text of **{title}**", summary="first")
        assert response.status_code == 302, (title, response.get_data(as_text=True)[:500])
        page = client.get(f"/wiki/{title}")
        assert page.status_code == 200
        assert f"<strong>{title}</strong>" in page.get_data(as_text=True)


def test_edit_form_shows_current_text_and_default_content(site, staff_client):
    save(site, "Help:Billing", "Existing & <kept>")
    form = staff_client.get("/wiki/Help:Billing?action=edit").get_data(as_text=True)
    assert "Existing &amp; &lt;kept&gt;" in form
    new = staff_client.get("/wiki/Template:New?action=edit").get_data(as_text=True)
    assert "Describe this template" in new


def test_preview_does_not_save(site, staff_client):
    token = csrf_token(staff_client, "/wiki/Draft?action=edit")
    response = staff_client.post("/wiki/Draft?action=submit", data={
        "text": "# Heading\n\n[[Nowhere]]", "summary": "s", "csrf_token": token, "preview": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Preview" in html and 'class="new"' in html
    assert current_text(site, "Draft") is None


def test_summary_and_minor_are_recorded(site, staff_client):
    edit(staff_client, "Page", "one")
    edit(staff_client, "Page", "two", summary="typo fix", minor="1")
    body = staff_client.get("/api/v1/pages/Page/revisions").get_json()
    assert body["revisions"][0]["summary"] == "typo fix" and body["revisions"][0]["minor"] is True
    assert body["revisions"][1]["minor"] is False


def test_staff_may_not_edit_project_pages(staff_client):
    assert edit(staff_client, "Project:About", "text").status_code == 403


def test_bad_titles_get_a_clear_error(staff_client):
    response = staff_client.get("/wiki/A%7Cb?action=edit")
    assert response.status_code == 400
    assert "contains the character" in response.get_data(as_text=True)
    long = staff_client.get("/wiki/" + "x" * 300)
    assert long.status_code == 400 and "255 bytes" in long.get_data(as_text=True)


def test_section_edit_links_and_section_save(site, staff_client):
    save(site, "Guide", "Intro\n\n## One\n\nalpha\n\n## Two\n\nsecond")
    html = staff_client.get("/wiki/Guide").get_data(as_text=True)
    assert "/wiki/Guide?action=edit&amp;section=2" in html
    form = staff_client.get("/wiki/Guide?action=edit&section=2").get_data(as_text=True)
    assert "second" in form and "alpha" not in form
    base = re.search(r'name="base_revision_id" value="(\d+)"', form).group(1)
    token = csrf_token(staff_client, "/wiki/Guide?action=edit")
    response = staff_client.post("/wiki/Guide?action=submit", data={
        "text": "## Two\n\nsecond, edited", "section": "2", "base_revision_id": base, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("#Two")
    assert current_text(site, "Guide") == "Intro\n\n## One\n\nalpha\n\n## Two\n\nsecond, edited"


def test_red_links_and_missing_pages(site, client):
    save(site, "Exists", "[[Missing page]] [[Exists]]")
    html = client.get("/wiki/Exists").get_data(as_text=True)
    assert 'href="/wiki/Missing_page?action=edit&amp;redlink=1" class="new"' in html
    missing = client.get("/wiki/Missing_page")
    assert missing.status_code == 404 and "no text in this page" in missing.get_data(as_text=True)


def test_redirects_are_followed_with_a_note(site, client):
    save(site, "Target", "the target")
    save(site, "Alias", "#REDIRECT [[Target]]")
    response = client.get("/wiki/Alias")
    assert response.status_code == 302 and response.headers["Location"] == "/wiki/Target?rdfrom=Alias"
    assert "Redirected from" in client.get("/wiki/Target?rdfrom=Alias").get_data(as_text=True)
    assert "Redirect to" in client.get("/wiki/Alias?redirect=no").get_data(as_text=True)


def test_anonymous_users_cannot_edit(site, client):
    save(site, "Page", "text")
    assert client.get("/wiki/Page?action=edit").status_code == 403
    response = client.post("/wiki/Page?action=submit", data={"text": "vandal"})
    assert response.status_code in (400, 403)
    assert current_text(site, "Page") == "text"


def test_forms_need_a_csrf_token(site, staff_client):
    response = staff_client.post("/wiki/Page?action=submit", data={"text": "no token", "save": "1"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert current_text(site, "Page") is None


def test_save_errors_keep_the_text(site, staff_client):
    response = edit(staff_client, "Page", "keep me", summary="s" * 600)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "keep me" in html and "summary" in html


def test_old_revisions_and_raw_text(site, client):
    first = save(site, "Page", "first *text*").revision.id
    save(site, "Page", "second")
    old = client.get(f"/wiki/Page?oldid={first}").get_data(as_text=True)
    assert "<em>text</em>" in old and "old revision" in old
    raw = client.get(f"/wiki/Page?action=raw&oldid={first}")
    assert raw.mimetype == "text/plain" and raw.get_data(as_text=True) == "first *text*"
    assert client.get("/wiki/Page?oldid=999999").status_code == 404


def test_page_direction_follows_language(site, client):
    save(site, "Arabic", "مرحبا")
    with site.db.write() as session:
        site.get_page(session, site.titles.parse("Arabic")).language = "ar"
    assert 'class="page-text" dir="rtl"' in client.get("/wiki/Arabic").get_data(as_text=True)


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
]


def test_xss_payloads_do_not_reach_the_browser(site, client):
    save(site, "Template:Echo", "{{{1}}} [[{{{2|Main Page}}}|{{{3|label}}}]]")
    for n, payload in enumerate(XSS):
        save(site, f"Attack {n}", f"{payload}\n\n{{{{Echo|{payload}|3=<b onmouseover=alert(1)>x</b>}}}}")
        html = client.get(f"/wiki/Attack_{n}").get_data(as_text=True)
        body = html[html.index('<div class="page-text"'):]
        assert "<script" not in body and "javascript:" not in body.lower()
        assert not re.search(r"<[^>]+\son\w+\s*=", body), body
        assert "<iframe" not in body and "<svg" not in body
