"""Admin and self-service pages: groups, namespace-rights overrides (logged, and picked up
by every app process), the audit log filter, API keys and notification preferences."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.support.wiki import add_user, login, save
from wiki.accounts import AccountError, actor_for, create_api_key, find_user
from wiki.app import create_app
from wiki.models import ApiKey, LogEntry
from wiki.permissions import PermissionDenied
from wiki.plugins import EntryPoints
from wiki.security import audit, groups, notify, rights
from wiki.security.models import AuditEvent
from wiki.security.testing import post_form
from wiki.site import create_site


def test_groups_are_admin_only_and_logged(site):
    admin = add_user(site, "Ada", "admin")
    staff = add_user(site, "Ben", "staff")
    with pytest.raises(PermissionDenied), site.db.write() as session:
        groups.create(session, staff, "editors")
    with site.db.write() as session:
        groups.create(session, admin, "editors", "People who edit help pages")
        groups.add_member(session, admin, "editors", "Ben")
    with pytest.raises(AccountError, match="name of a role"), site.db.write() as session:
        groups.create(session, admin, "staff")
    with pytest.raises(AccountError, match="already in"), site.db.write() as session:
        groups.add_member(session, admin, "editors", "Ben")
    with site.db.read() as session:
        assert groups.group_names(session, staff.user_id) == {"editors"}
        assert actor_for(find_user(session, "Ben")).groups == {"editors"}
        assert [e.action for e in session.scalars(select(LogEntry).where(LogEntry.type == "rights"))] == [
            "create", "addmember"]
    with site.db.write() as session:
        groups.remove_member(session, admin, "editors", "Ben")
    with site.db.read() as session:
        assert groups.group_names(session, staff.user_id) == frozenset()


def test_groups_page(site):
    add_user(site, "Ada", "admin")
    add_user(site, "Cy", "staff")
    client = create_app(site=site).test_client()
    login(client, "Ada")
    assert post_form(client, "/wiki/Special:Groups", {"action": "create", "name": "leads",
                                                      "rights": "can_impersonate"}).status_code == 302
    assert post_form(client, "/wiki/Special:Groups", {"action": "add", "name": "leads", "user": "Cy"}).status_code == 302
    page = client.get("/wiki/Special:Groups").get_data(as_text=True)
    assert "leads" in page and "Cy" in page and "can_impersonate" in page
    bad = post_form(client, "/wiki/Special:Groups", {"action": "add", "name": "leads", "user": "Nobody"})
    assert "no user named" in bad.get_data(as_text=True)
    staff = create_app(site=site).test_client()
    login(staff, "Cy")
    assert staff.get("/wiki/Special:Groups").status_code == 403


def test_namespace_rights_override_applies_in_every_process(any_site):
    add_user(any_site, "Ada", "admin")
    add_user(any_site, "Cat", "customer", account="Cat Co")
    save(any_site, "Help desk", "Original text")
    writer = create_app(site=any_site).test_client()
    login(writer, "Ada")
    # a second app process on the same database
    other_site = create_site(any_site.settings, entry_points=EntryPoints.SHIPPED)
    try:
        reader = create_app(site=other_site).test_client()
        login(reader, "Cat")
        assert "Only signed-in users with more rights may edit" in reader.get("/wiki/Help_desk?action=edit").get_data(as_text=True)
        response = post_form(writer, "/wiki/Special:NamespaceRights",
                             {"namespace": "0", "right": "edit", "roles": "staff admin customer", "reason": "pilot"})
        assert response.status_code == 302
        assert reader.get("/wiki/Help_desk?action=edit").status_code == 200
        # read rights too: hide the main namespace from anonymous visitors
        post_form(writer, "/wiki/Special:NamespaceRights", {"namespace": "0", "right": "read", "roles": "user"})
        anonymous = create_app(site=other_site).test_client()
        assert anonymous.get("/wiki/Help_desk").status_code == 403
        # back to the TOML definition
        post_form(writer, "/wiki/Special:NamespaceRights", {"namespace": "0", "right": "read", "reset": "1"})
        assert anonymous.get("/wiki/Help_desk").status_code == 200
    finally:
        other_site.close()
    with any_site.db.read() as session:
        comments = [e.comment for e in session.scalars(select(LogEntry).where(LogEntry.type == "rights")
                                                       .order_by(LogEntry.id))]
        assert comments[0] == "edit in (Main): staff, admin -> staff, admin, customer (pilot)"
        assert len(comments) == 3
        assert len(audit.search(session, event="rights.namespace")) == 3
    with pytest.raises(AccountError, match="is not a role"), any_site.db.write() as session:
        rights.parse_roles(session, "staff wizards")
    with pytest.raises(PermissionDenied), any_site.db.write() as session:
        rights.set_right(any_site, session, add_user(any_site, "Dan", "staff"), 0, "edit", ("staff",))


def test_group_named_in_rights_grants_it(site):
    admin = add_user(site, "Ada", "admin")
    add_user(site, "Ed", "analyst")
    with site.db.write() as session:
        groups.create(session, admin, "writers")
        groups.add_member(session, admin, "writers", "Ed")
        rights.set_right(site, session, admin, 0, "create", ("staff", "admin", "writers"))
    client = create_app(site=site).test_client()
    login(client, "Ed")
    assert client.get("/wiki/New_page?action=edit").status_code == 200


def test_audit_log_filters(site):
    add_user(site, "Ada", "admin")
    add_user(site, "Flo", "staff")
    client = create_app(site=site).test_client()
    login(client, "Flo")
    assert client.get("/wiki/Special:AuditLog").status_code == 403
    admin = create_app(site=site).test_client()
    login(admin, "Ada")
    page = admin.get("/wiki/Special:AuditLog?event=signin.success&user=Flo").get_data(as_text=True)
    assert page.count('class="event-signin-success"') == 1
    today = datetime.now(timezone.utc).date()
    assert "No events." in admin.get(f"/wiki/Special:AuditLog?until={today - timedelta(days=1)}").get_data(as_text=True)
    assert "no user named" in admin.get("/wiki/Special:AuditLog?user=Ghost").get_data(as_text=True)
    assert admin.get("/wiki/Special:AuditLog?since=yesterday").status_code == 400


def test_api_keys_page_shows_a_key_once_and_revokes(site):
    add_user(site, "Gil", "staff")
    add_user(site, "Ada", "admin")
    save(site, "Api page", "Some text")
    client = create_app(site=site).test_client()
    login(client, "Gil")
    expires = (datetime.now(timezone.utc) + timedelta(days=30)).date().isoformat()
    page = post_form(client, "/wiki/Special:ApiKeys", {"action": "create", "scope": "read", "label": "nightly-sync",
                                                       "expires": expires}).get_data(as_text=True)
    token = page.split('id="new-api-key">')[1].split("<")[0]
    assert token.startswith("tw_")
    assert token not in client.get("/wiki/Special:ApiKeys").get_data(as_text=True)
    api = create_app(site=site).test_client()
    assert api.get("/api/v1/pages/Api_page", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listing = client.get("/wiki/Special:ApiKeys").get_data(as_text=True)
    assert "nightly-sync" in listing and "active" in listing and expires in listing
    with site.db.read() as session:
        key = session.scalar(select(ApiKey))
        assert key.last_used_at is not None
        assert len(audit.search(session, event="apikey.used")) == 1
    # admins see every user's keys
    admin = create_app(site=site).test_client()
    login(admin, "Ada")
    assert "nightly-sync" not in admin.get("/wiki/Special:ApiKeys").get_data(as_text=True)
    assert "nightly-sync" in admin.get("/wiki/Special:ApiKeys?all=1").get_data(as_text=True)
    post_form(client, "/wiki/Special:ApiKeys", {"action": "revoke", "key_id": str(key.id)})
    assert api.get("/api/v1/pages/Api_page", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "revoked" in client.get("/wiki/Special:ApiKeys").get_data(as_text=True)
    bad = post_form(client, "/wiki/Special:ApiKeys", {"action": "create", "scope": "read", "expires": "soon"})
    assert "is not a date" in bad.get_data(as_text=True)


def test_api_key_use_is_audited_at_most_hourly(site):
    add_user(site, "Hu", "staff")
    with site.db.write() as session:
        _, token = create_api_key(session, find_user(session, "Hu"))
    client = create_app(site=site).test_client()
    for _ in range(3):
        client.get("/api/v1/pages/Nothing", headers={"Authorization": f"Bearer {token}"})
    with site.db.read() as session:
        assert session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "apikey.used")).startswith("key ")
        assert len(audit.search(session, event="apikey.used")) == 1


def test_notification_preferences(site):
    who = add_user(site, "Ivo", "customer", account="Ivo Co")
    with site.db.read() as session:
        assert notify.may_email(session, who.user_id, "watchlist")
    client = create_app(site=site).test_client()
    login(client, "Ivo")
    page = client.get("/wiki/Special:Preferences").get_data(as_text=True)
    assert 'name="email_billing"' in page and "checked" in page
    post_form(client, "/wiki/Special:Preferences", {"email_billing": "1", "email_tickets": "1"})
    with site.db.read() as session:
        assert notify.preferences(session, who.user_id) == {
            "billing": True, "usage": False, "service": False, "tickets": True, "watchlist": False}
        assert not notify.may_email(session, who.user_id, "watchlist")
        assert notify.may_email(session, who.user_id, "tickets")
        with pytest.raises(ValueError, match="unknown notification category"):
            notify.may_email(session, who.user_id, "spam")
