"""Editing pages with forms: the free-text box (Page Forms' "free text"), the "Edit with form"
tab and the ``page_action_tabs`` hook behind it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.live_server import LiveServer
from tests.support.wiki import PASSWORD, add_user, csrf_token, current_text, login, save
from wiki.accounts import create_api_key, find_user
from wiki.app import create_app
from wiki.fields.forms.wikitext import find_call, free_text_of, with_free_text
from wiki.fields.testing import ISSUE_FORM, IssuesPlugin, install_issues, issue
from wiki.hookspecs import hookimpl
from wiki.hooktypes import PageTab

#: Every site built here has the Issue: namespace that the issue template and form use.
pytestmark = pytest.mark.site_plugins(IssuesPlugin())

FORM_URL = "/wiki/Special:FormEdit/Issue"
FREE_TEXT_FORM = ISSUE_FORM.replace(" | Urgent }}", " | Urgent\n | free text = Notes ; Anything else, in wiki markup }}")
PAGE = "Reported by phone.\n\n" + issue("Printer", Status="New", Priority="P3") + "\n\nNotes follow."


@pytest.fixture
def desk(site):
    install_issues(site)
    save(site, "Form:Issue", FREE_TEXT_FORM)
    add_user(site, "Sam", role="staff")
    add_user(site, "Cora", role="customer", account="Acme")
    return site


def client_for(site, name=None):
    client = create_app(site=site).test_client()
    if name:
        login(client, name)
    return client


def tabs(html: str) -> str:
    return re.search(r'<nav class="tabs".*?</nav>', html, re.S).group(0)


def textarea(html: str, name: str) -> str:
    return re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S).group(1)


def form_edit(client, title: str, **fields):
    """Posts the form edit as the browser does, starting from what the form showed."""
    url = f"/wiki/{title}?action=formedit"
    html = client.get(url).get_data(as_text=True)
    base = re.search(r'name="base_revision_id" value="(\d+)"', html).group(1)
    action = re.search(r'<form method="post" enctype="multipart/form-data" class="fields-form"\s+action="([^"]+)"',
                       html).group(1).replace("&amp;", "&")
    data = {"csrf_token": csrf_token(client, url), "base_revision_id": base, "Subject": "Printer", "Status": "New",
            "Priority": "P3", **fields}
    return client.post(action, data=data)


# --- free text --------------------------------------------------------------------------

def test_new_pages_get_the_free_text_after_the_template_call(desk):
    cora = client_for(desk, "Cora")
    html = cora.get(FORM_URL).get_data(as_text=True)
    assert '<label for="free-text">Notes</label>' in html and "Anything else, in wiki markup" in html
    response = cora.post(FORM_URL, data={"csrf_token": csrf_token(cora, FORM_URL), "Subject": "Printer jams",
                                         "Status": "New", "free_text": "\r\nIt jams on tray 2.\r\n\r\n* Since Monday\r\n"})
    assert response.status_code == 303, response.get_data(as_text=True)
    text = current_text(desk, "Issue:1")
    assert text.startswith("{{Issue\n|Subject=Printer jams\n")
    assert text.endswith("\n}}\n\nIt jams on tray 2.\n\n* Since Monday")
    assert "Notes</b> (free text)" in client_for(desk, "Sam").get("/wiki/Form:Issue").get_data(as_text=True)


def test_a_refused_save_keeps_the_free_text(desk):
    cora = client_for(desk, "Cora")
    response = cora.post(FORM_URL, data={"csrf_token": csrf_token(cora, FORM_URL), "Subject": "Keep me",
                                         "Status": "New", "Due": "soon", "free_text": "My <notes> & more"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "is not a date" in html
    assert textarea(html, "free_text") == "My &lt;notes&gt; &amp; more" and 'value="Keep me"' in html
    assert current_text(desk, "Issue:1") is None


def test_edit_with_form_shows_the_text_outside_the_call_and_saves_it_back(desk):
    save(desk, "Issue:5", PAGE)
    sam = client_for(desk, "Sam")
    html = sam.get("/wiki/Issue:5?action=formedit").get_data(as_text=True)
    assert textarea(html, "free_text") == "Reported by phone.\n\nNotes follow."
    response = form_edit(sam, "Issue:5", Status="Open", free_text="Reported by phone.\r\n\r\nNotes follow.\r\nCalled back.")
    assert response.status_code == 303, response.get_data(as_text=True)
    text = current_text(desk, "Issue:5")
    assert text.startswith("Reported by phone.\n\n{{Issue\n|Subject=Printer\n|Status=Open\n|Priority=P3\n")
    assert text.endswith("\n}}\n\nNotes follow.\nCalled back.") and text.count("{{Issue") == 1


def test_a_form_edit_that_keeps_the_free_text_merges_with_a_concurrent_text_edit(desk):
    save(desk, "Issue:5", PAGE)
    sam = client_for(desk, "Sam")
    url = "/wiki/Issue:5?action=formedit"
    html = sam.get(url).get_data(as_text=True)
    base = re.search(r'name="base_revision_id" value="(\d+)"', html).group(1)
    save(desk, "Issue:5", PAGE.replace("Notes follow.", "Notes follow. Called back at 10:00."))
    shown = textarea(html, "free_text").replace("\n", "\r\n")  # as the browser sends it back
    response = sam.post(url + "&form=Issue", data={
        "csrf_token": csrf_token(sam, url), "base_revision_id": base, "Subject": "Printer", "Status": "Resolved",
        "Priority": "P3", "free_text": shown})
    assert response.status_code == 303, response.get_data(as_text=True)
    text = current_text(desk, "Issue:5")
    assert "|Status=Resolved" in text and text.startswith("Reported by phone.")
    assert text.endswith("Notes follow. Called back at 10:00.")


def test_a_changed_free_text_merges_with_a_concurrent_edit_elsewhere(desk):
    save(desk, "Issue:5", PAGE + "\n\n## Log\n\nOpened.")
    sam = client_for(desk, "Sam")
    url = "/wiki/Issue:5?action=formedit"
    html = sam.get(url).get_data(as_text=True)
    base = re.search(r'name="base_revision_id" value="(\d+)"', html).group(1)
    save(desk, "Issue:5", PAGE + "\n\n## Log\n\nOpened.\n\nEscalated.")
    response = sam.post(url + "&form=Issue", data={
        "csrf_token": csrf_token(sam, url), "base_revision_id": base, "Subject": "Printer", "Status": "New",
        "Priority": "P3", "free_text": textarea(html, "free_text").replace("Reported by phone.", "Reported by mail.")})
    assert response.status_code == 303, response.get_data(as_text=True)
    text = current_text(desk, "Issue:5")
    assert text.startswith("Reported by mail.\n\n{{Issue") and text.endswith("Opened.\n\nEscalated.")


def test_a_form_edit_that_keeps_the_free_text_changes_nothing_but_the_call(desk):
    tight = "Reported by phone.\n" + issue("Printer", Status="New", Priority="P3") + "\nNotes follow.  \n"
    save(desk, "Issue:5", tight)
    response = form_edit(client_for(desk, "Sam"), "Issue:5", Status="Open", free_text="Reported by phone.\r\n\r\nNotes follow.")
    assert response.status_code == 303, response.get_data(as_text=True)
    text = current_text(desk, "Issue:5")
    assert text.startswith("Reported by phone.\n{{Issue\n") and "|Status=Open" in text
    assert text.rstrip().endswith("}}\nNotes follow.")


def test_a_form_edit_conflict_keeps_the_values_and_the_second_save_wins(desk):
    save(desk, "Issue:5", PAGE)
    sam = client_for(desk, "Sam")
    url = "/wiki/Issue:5?action=formedit"
    html = sam.get(url).get_data(as_text=True)
    base = re.search(r'name="base_revision_id" value="(\d+)"', html).group(1)
    current = save(desk, "Issue:5", PAGE.replace("|Status=New", "|Status=Open")).revision.id
    data = {"csrf_token": csrf_token(sam, url), "base_revision_id": base, "Subject": "Printer", "Status": "Resolved",
            "Priority": "P3", "free_text": textarea(html, "free_text")}
    conflict = sam.post(url + "&form=Issue", data=data)
    html = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and "was changed by someone else" in html
    assert "<option selected>Resolved</option>" in html
    assert f'name="base_revision_id" value="{current}"' in html
    again = sam.post(url + "&form=Issue", data={**data, "base_revision_id": str(current)})
    assert again.status_code == 303, again.get_data(as_text=True)
    assert "|Status=Resolved" in current_text(desk, "Issue:5")


@pytest.mark.parametrize("before, new_free_text, expected", [
    # the call stays first when text is written above everything
    ("", "Intro\n\nTail", "{{T}}\n\nIntro\n\nTail"),
    # text before the call stays before it; text typed where the call was goes after it
    ("Head", "Head\n\nNew\n\nTail", "Head\n\n{{T}}\n\nNew\n\nTail"),
    ("Head", "Changed head\n\nTail", "Changed head\n\n{{T}}\n\nTail"),
    ("Head", "", "{{T}}"),
])
def test_the_call_keeps_its_place_in_changed_free_text(before, new_free_text, expected):
    text = (before + "\n\n" if before else "") + "{{T|a=1}}\n\nTail"
    span = find_call(text, lambda name: name == "T")
    assert free_text_of(text, span) == "\n\n".join(p for p in (before, "Tail") if p)
    assert with_free_text(text, span, "{{T}}", new_free_text) == expected


def test_the_api_takes_free_text(desk):
    with desk.db.write() as session:
        key = create_api_key(session, find_user(session, "Cora"), scope="write")[1]
    response = client_for(desk).post("/api/v1/forms/Issue", headers={"Authorization": "Bearer " + key},
                                     json={"Subject": "Mail down", "free_text": "Since 9:00."})
    assert response.status_code == 201, response.get_json()
    assert current_text(desk, "Issue:1").endswith("}}\n\nSince 9:00.")
    save(desk, "Form:Issue", ISSUE_FORM)  # no free-text box
    refused = client_for(desk).post("/api/v1/forms/Issue", headers={"Authorization": "Bearer " + key},
                                    json={"Subject": "Mail down", "free_text": "Since 9:00."})
    assert refused.status_code == 400 and "has no free-text box" in refused.get_json()["error"]["message"]


# --- the "Edit with form" tab ----------------------------------------------------------

def test_edit_with_form_is_a_tab_beside_edit(desk):
    save(desk, "Issue:5", PAGE)
    sam = client_for(desk, "Sam")
    nav = tabs(sam.get("/wiki/Issue:5").get_data(as_text=True))
    assert re.search(r'>Edit</a>\s*<a href="/wiki/Issue:5\?action=formedit" >Edit with form</a>', nav), nav
    assert "Edit with form" in tabs(sam.get("/wiki/Issue:5?action=history").get_data(as_text=True))
    editing = sam.get("/wiki/Issue:5?action=formedit").get_data(as_text=True)
    assert '<a href="/wiki/Issue:5?action=formedit" class="selected">Edit with form</a>' in tabs(editing)
    assert "formedit-link" not in sam.get("/wiki/Issue:5").get_data(as_text=True)
    save(desk, "Issue:6", "No template here.")
    assert "Edit with form" not in tabs(sam.get("/wiki/Issue:6").get_data(as_text=True))


def test_the_tab_is_only_for_those_who_may_edit_the_page_and_use_the_form(desk):
    save(desk, "Issue:5", PAGE)
    add_user(desk, "Ana", role="analyst")  # may use the form, may not edit issues
    add_user(desk, "Ada", role="admin")
    ana = client_for(desk, "Ana")
    assert ana.get("/wiki/Issue:5").status_code == 200
    assert "Edit with form" not in tabs(ana.get("/wiki/Issue:5").get_data(as_text=True))
    save(desk, "Form:Issue", FREE_TEXT_FORM.replace("roles=customer, staff, analyst", "roles=admin"))
    sam = client_for(desk, "Sam")  # may edit the page, may not use the form
    assert "Edit with form" not in tabs(sam.get("/wiki/Issue:5").get_data(as_text=True))
    assert sam.get("/wiki/Issue:5?action=formedit").status_code == 403
    assert "Edit with form" in tabs(client_for(desk, "Ada").get("/wiki/Issue:5").get_data(as_text=True))


def test_edit_with_form_tab_and_free_text_in_chromium(desk, browser_page):
    save(desk, "Issue:5", PAGE)
    with LiveServer(create_app(site=desk)) as server:
        browser_page.goto(server.url + "/wiki/Special:UserLogin?returnto=/wiki/Issue:5")
        browser_page.fill('input[name="username"]', "Sam")
        browser_page.fill('input[name="password"]', PASSWORD)
        with browser_page.expect_navigation(url="**/wiki/Issue:5"):
            browser_page.click('button[type="submit"]')
        with browser_page.expect_navigation(url="**action=formedit"):
            browser_page.click('nav.tabs a:text-is("Edit with form")')
        expect(browser_page.locator('nav.tabs a.selected')).to_have_text("Edit with form")
        notes = browser_page.locator('textarea[name="free_text"]')
        expect(notes).to_have_value("Reported by phone.\n\nNotes follow.")
        notes.fill("Reported by phone.\n\nNotes follow.\nPrinter replaced.")
        browser_page.select_option('select[name="Status"]', "Resolved")
        with browser_page.expect_navigation(url="**/wiki/Issue:5"):
            browser_page.click('form.fields-form button[type="submit"]')
        expect(browser_page.locator("main")).to_contain_text("Printer replaced.")
    text = current_text(desk, "Issue:5")
    assert "|Status=Resolved" in text and text.endswith("}}\n\nNotes follow.\nPrinter replaced.")
    assert text.startswith("Reported by phone.\n\n{{Issue")


class PrintTabPlugin:
    """A third-party plugin adding tabs through the same hook as the fields package."""

    @hookimpl
    def page_action_tabs(self, site, session, title, page, actor):
        if page is None:
            return [PageTab("Suggest", "/suggest", order=200)]
        return [PageTab("Print", f"{title.url_path}?action=print", action="print", order=1)]


def test_plugins_add_tabs_through_page_action_tabs(make_site):
    site = make_site(plugins=[PrintTabPlugin()])
    save(site, "Printer", "Text.")
    client = client_for(site)
    nav = tabs(client.get("/wiki/Printer").get_data(as_text=True))
    assert '<a href="/wiki/Printer?action=print" >Print</a>' in nav
    assert '<a href="/suggest" >Suggest</a>' in tabs(client.get("/wiki/Nothing_here").get_data(as_text=True))
