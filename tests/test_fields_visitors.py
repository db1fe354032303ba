"""Forms open to visitors (``roles=*``): they create pages where the namespace lets them,
the honeypot and the rate limit hold them too, other forms ask them to sign in, and they
never edit existing pages with a form."""

from __future__ import annotations

import re

import pytest

from tests.support.wiki import PASSWORD, add_user, csrf_token, current_text, login, save
from wiki.app import create_app
from wiki.fields.forms.definition import load_form
from wiki.fields.forms.submit import Submission, submit
from wiki.hookspecs import hookimpl
from wiki.models import Revision
from wiki.namespaces import Namespace
from wiki.permissions import ANONYMOUS, SYSTEM, PermissionDenied
from wiki.security.rights import set_right

FEEDBACK = 3910
FORM_URL = "/wiki/Special:FormEdit/Feedback"
STAFF = ("staff", "admin")


class FeedbackNamespace:
    """``Feedback:`` pages: staff only until an admin opens a right to visitors."""

    @hookimpl
    def register_namespaces(self):
        return [Namespace(FEEDBACK, "Feedback", rights=(("read", STAFF), ("create", STAFF), ("edit", STAFF)),
                          source="test")]


@pytest.fixture
def public(make_site):
    return build(make_site)


def build(make_site, **config):
    site = make_site(plugins=[FeedbackNamespace()], config=config)
    save(site, "Template:Feedback", "{{{Topic}}}<noinclude>{{#declare: Topic = text required"
                                    " | Rating = enum(1, 2, 3, 4, 5)}}</noinclude>")
    save(site, "Form:Feedback", "{{#form: template=Feedback | title=Feedback:{counter} | roles=* | Topic | Rating"
                                " | free text = Details }}")
    add_user(site, "Sam", role="staff")
    return site


def open_to_visitors(site, *actions):
    with site.db.write() as session:
        for action in actions:
            set_right(site, session, SYSTEM, FEEDBACK, action, (*STAFF, "*"))


def visitor(site):
    return create_app(site=site).test_client()


def post(client, url=FORM_URL, **fields):
    data = {"csrf_token": csrf_token(client), "Topic": "Slow pages", "Rating": "2",
            "free_text": "The wiki is slow at noon.", **fields}
    return client.post(url, data=data)


def test_visitors_create_pages_only_where_the_namespace_lets_them(public):
    anon = visitor(public)
    html = anon.get(FORM_URL).get_data(as_text=True)
    assert 'name="Topic"' in html and 'name="website"' in html and 'name="free_text"' in html
    refused = post(anon)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "may create pages in the Feedback namespace" in html
    assert 'value="Slow pages"' in html and "The wiki is slow at noon.</textarea>" in html
    assert current_text(public, "Feedback:1") is None

    open_to_visitors(public, "create")
    response = post(anon)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "Thank you. Your submission was saved as Feedback:1." in html
    text = current_text(public, "Feedback:1")
    assert "|Topic=Slow pages" in text and text.endswith("}}\n\nThe wiki is slow at noon.")
    with public.db.read() as session:
        page = public.get_page(session, public.titles.parse("Feedback:1"))
        assert session.get(Revision, page.latest_id).user_text == "Anonymous" and page.account_id is None
    assert anon.get("/wiki/Feedback:1").status_code == 403  # staff read it, the visitor does not
    sam = create_app(site=public).test_client()
    login(sam, "Sam")
    assert sam.get("/wiki/Feedback:1").status_code == 200


def test_a_visitor_who_may_read_the_new_page_is_taken_to_it(public):
    open_to_visitors(public, "create", "read")
    response = post(visitor(public))
    assert response.status_code == 303 and response.headers["Location"].endswith("/wiki/Feedback:1")


def test_honeypot_and_rate_limit_hold_visitors(make_site):
    site = build(make_site, plugins={"security": {"rate_limits": {"forms": "2/60"}}})
    open_to_visitors(site, "create")
    anon = visitor(site)
    bot = post(anon, website="http://spam.example")
    assert bot.status_code == 400 and "looks automated" in bot.get_data(as_text=True)
    assert current_text(site, "Feedback:1") is None
    assert post(anon).status_code == 200 and post(anon).status_code == 200
    limited = post(anon)
    assert limited.status_code == 429 and "Too many" in limited.get_data(as_text=True)
    assert 'value="Slow pages"' in limited.get_data(as_text=True)
    assert post(visitor(site)).status_code == 429  # a new session from the same address counts the same
    assert current_text(site, "Feedback:3") is None
    sam = create_app(site=site).test_client()
    login(sam, "Sam")  # signed-in users are counted apart from the address
    assert post(sam).status_code == 303


def test_forms_for_signed_in_users_ask_visitors_to_sign_in(public):
    save(public, "Form:Internal", "{{#form: template=Feedback | title=Feedback:{counter} | Topic}}")
    anon = visitor(public)
    response = anon.get("/wiki/Special:FormEdit/Internal")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Form:Internal is for signed-in users (admin, staff). Sign in to use it." in html
    link = re.search(r'<a class="button" href="(/wiki/Special:UserLogin[^"]+)"', html).group(1)
    assert link == "/wiki/Special:UserLogin?returnto=%2Fwiki%2FSpecial%3AFormEdit%2FInternal"
    assert post(anon, url="/wiki/Special:FormEdit/Internal").status_code == 403
    api = anon.post("/api/v1/forms/Internal", json={"Topic": "x"}, headers={"X-CSRFToken": csrf_token(anon)})
    assert api.status_code == 401 and api.get_json()["error"]["code"] == "unauthorized"
    assert current_text(public, "Feedback:1") is None
    signed_in = anon.post("/wiki/Special:UserLogin", data={"username": "Sam", "password": PASSWORD,
                                                          "csrf_token": csrf_token(anon),
                                                          "returnto": "/wiki/Special:FormEdit/Internal"})
    assert signed_in.headers["Location"].endswith("/wiki/Special:FormEdit/Internal")
    assert 'name="Topic"' in anon.get("/wiki/Special:FormEdit/Internal").get_data(as_text=True)


def test_visitors_cannot_edit_existing_pages_with_a_form(public):
    open_to_visitors(public, "create", "read", "edit")  # the namespace would let them edit the text
    save(public, "Feedback:1", "{{Feedback|Topic=Slow pages|Rating=2}}")
    before = current_text(public, "Feedback:1")
    anon = visitor(public)
    assert anon.get("/wiki/Feedback:1?action=edit").status_code == 200
    page = anon.get("/wiki/Feedback:1").get_data(as_text=True)
    assert "?action=formedit" not in page
    shown = anon.get("/wiki/Feedback:1?action=formedit")
    assert shown.status_code == 403
    assert "Visitors cannot edit pages with a form. Sign in to edit Feedback:1." in shown.get_data(as_text=True)
    for url in ("/wiki/Feedback:1?action=formedit&form=Feedback", "/wiki/Special:FormEdit/Feedback?target=Feedback:1"):
        assert post(anon, url=url, Rating="1").status_code == 403
    assert current_text(public, "Feedback:1") == before
    with public.db.write() as session:
        form = load_form(public, session, "Feedback")
        with pytest.raises(PermissionDenied, match="visitors may only create pages"):
            submit(public, session, form, Submission(values={"Topic": "x"}), ANONYMOUS,
                   target=public.titles.parse("Feedback:1"))
    sam = create_app(site=public).test_client()
    login(sam, "Sam")
    assert "Edit with form" in sam.get("/wiki/Feedback:1").get_data(as_text=True)
    assert post(sam, url="/wiki/Feedback:1?action=formedit&form=Feedback", Rating="5").status_code == 303
    assert "|Rating=5" in current_text(public, "Feedback:1")
