"""Admin user management (``Special:UserRights``): the filtered, paged list; role and group
changes (logged as rights changes); disabling a user ends their sessions and stops their
API keys at once; an admin cannot disable themselves or remove the last admin."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.wiki import PASSWORD, add_user, login, save
from wiki.accounts import AccountError, create_api_key, create_user, find_user
from wiki.app import create_app
from wiki.models import LogEntry
from wiki.permissions import PermissionDenied
from wiki.security import audit, groups, users
from wiki.security.testing import post_form, sign_in


def _rows(html: str) -> int:
    return html.count('class="user-active"') + html.count('class="user-disabled"')


def test_list_filters_by_role_status_and_text_and_pages(site):
    add_user(site, "Ada", "admin")
    with site.db.write() as session:
        for n in range(55):
            create_user(session, f"Agent {n:02}", "staff", email=f"agent{n:02}@corp.test")
        create_user(session, "Nia", "analyst", email="nia@numbers.test")
        find_user(session, "Agent 07").disabled = True
    client = create_app(site=site).test_client()
    login(client, "Ada")
    first = client.get("/wiki/Special:UserRights").get_data(as_text=True)
    assert _rows(first) == users.PAGE_SIZE and "57 users." in first and 'rel="next"' in first
    second = client.get("/wiki/Special:UserRights?offset=50").get_data(as_text=True)
    assert _rows(second) == 7 and 'rel="prev"' in second and 'rel="next"' not in second
    analysts = client.get("/wiki/Special:UserRights?role=analyst").get_data(as_text=True)
    assert _rows(analysts) == 1 and "Nia" in analysts
    disabled = client.get("/wiki/Special:UserRights?status=disabled").get_data(as_text=True)
    assert _rows(disabled) == 1 and "Agent 07" in disabled
    by_email = client.get("/wiki/Special:UserRights?q=NUMBERS.test").get_data(as_text=True)
    assert _rows(by_email) == 1 and "Nia" in by_email
    paged_filter = client.get("/wiki/Special:UserRights?q=agent&status=active&offset=50").get_data(as_text=True)
    assert _rows(paged_filter) == 4  # 54 active agents: the second page holds 4
    assert client.get("/wiki/Special:UserRights/Nobody_here").status_code == 404


def test_the_page_is_linked_for_admins_only(site):
    add_user(site, "Ada", "admin")
    add_user(site, "Sam", "staff")
    admin, staff = create_app(site=site).test_client(), create_app(site=site).test_client()
    login(admin, "Ada")
    login(staff, "Sam")
    assert 'href="/wiki/Special:UserRights"' in admin.get("/wiki/Special:SpecialPages").get_data(as_text=True)
    assert 'href="/wiki/Special:UserRights"' in admin.get("/wiki/Main_Page").get_data(as_text=True)
    assert 'href="/wiki/Special:UserRights"' not in staff.get("/wiki/Main_Page").get_data(as_text=True)
    assert staff.get("/wiki/Special:UserRights").status_code == 403


def test_role_and_groups_change_and_are_logged(site):
    admin = add_user(site, "Ada", "admin")
    add_user(site, "Ben", "staff")
    with site.db.write() as session:
        groups.create(session, admin, "leads")
        groups.create(session, admin, "nights")
        groups.add_member(session, admin, "nights", "Ben")
    save(site, "Help page", "Text")
    ben = create_app(site=site).test_client()
    login(ben, "Ben")
    assert ben.get("/wiki/Help_page?action=edit").status_code == 200
    client = create_app(site=site).test_client()
    login(client, "Ada")
    response = post_form(client, "/wiki/Special:UserRights/Ben", {"action": "rights", "role": "analyst",
                                                                  "groups": "leads", "reason": "moved to reports"})
    assert response.status_code == 302
    assert "The rights of Ben are saved." in client.get(response.headers["Location"]).get_data(as_text=True)
    with site.db.read() as session:
        assert find_user(session, "Ben").role == "analyst"
        assert groups.group_names(session, find_user(session, "Ben").id) == {"leads"}
        log = [(e.action, e.title, e.comment) for e in session.scalars(
            select(LogEntry).where(LogEntry.type == "rights").order_by(LogEntry.id))]
        assert ("role", "Ben", "role of Ben: staff -> analyst (moved to reports)") in log
        assert [a for a, *_ in log][-2:] == ["addmember", "removemember"]
        assert len(audit.search(session, event="rights.user_role")) == 1
    # the new role applies to Ben's next request: analysts may not edit main-namespace pages
    assert ben.get("/wiki/Help_page?action=edit").status_code == 403
    # customers and staff roles do not swap
    refused = post_form(client, "/wiki/Special:UserRights/Ben", {"action": "rights", "role": "customer"})
    assert refused.status_code == 200 and "Customers belong to an account" in refused.get_data(as_text=True)


def test_disabling_ends_sessions_and_api_keys_at_once(any_site):
    add_user(any_site, "Ada", "admin")
    add_user(any_site, "Cal", "staff")
    save(any_site, "Api page", "Some text")
    with any_site.db.write() as session:
        _, token = create_api_key(session, find_user(session, "Cal"), scope="write")
    app = create_app(site=any_site)
    cal, api = app.test_client(), app.test_client()
    login(cal, "Cal")
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/pages/Api_page", headers=bearer).status_code == 200
    assert "Cal" in cal.get("/wiki/Special:Preferences").get_data(as_text=True)
    admin = app.test_client()
    login(admin, "Ada")
    assert post_form(admin, "/wiki/Special:UserRights/Cal", {"action": "disable", "reason": "left"}).status_code == 302
    assert cal.get("/wiki/Special:Preferences").status_code == 302  # signed out: sent to the sign-in page
    assert api.get("/api/v1/pages/Api_page", headers=bearer).status_code == 401
    assert sign_in(app.test_client(), "Cal", PASSWORD).status_code == 401
    listing = admin.get("/wiki/Special:UserRights?status=disabled").get_data(as_text=True)
    assert "Cal" in listing
    assert post_form(admin, "/wiki/Special:UserRights/Cal", {"action": "enable"}).status_code == 302
    assert cal.get("/wiki/Special:Preferences").status_code == 302  # the old session stays ended
    assert api.get("/api/v1/pages/Api_page", headers=bearer).status_code == 200
    login(cal, "Cal")
    with any_site.db.read() as session:
        events = [e.event for e in audit.search(session, event="rights.")]
        assert events == ["rights.user_enabled", "rights.user_disabled"]
        assert [e.action for e in session.scalars(select(LogEntry).where(LogEntry.type == "rights"))] == [
            "disable", "enable"]


def test_admins_cannot_disable_themselves_or_remove_the_last_admin(site):
    ada = add_user(site, "Ada", "admin")
    staff = add_user(site, "Sam", "staff")
    with site.db.write() as session, pytest.raises(AccountError, match="cannot disable yourself"):
        users.disable(session, ada, find_user(session, "Ada"))
    with site.db.write() as session, pytest.raises(AccountError, match="last admin"):
        users.set_role(session, ada, find_user(session, "Ada"), "staff")
    with site.db.write() as session, pytest.raises(PermissionDenied):
        users.disable(session, staff, find_user(session, "Ada"))
    bo = add_user(site, "Bo", "admin")
    with site.db.write() as session:  # with a second admin, Ada may step down
        users.set_role(session, ada, find_user(session, "Ada"), "staff")
    with site.db.write() as session, pytest.raises(AccountError, match="last admin"):
        users.set_role(session, bo, find_user(session, "Bo"), "staff")
    with site.db.read() as session:
        assert find_user(session, "Ada").role == "staff" and find_user(session, "Bo").role == "admin"
