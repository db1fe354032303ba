"""Customer accounts and the portal: staff create accounts, the primary contact of a business
account adds authorised contacts (who get a set-password link), customers see only their
own account, and staff with the ``can_impersonate`` right sign in as a customer."""

from __future__ import annotations

import pytest
from sqlalchemy import or_, select

from tests.support.wiki import PASSWORD, add_user, login
from wiki.accounts import AccountError, actor_for, find_user
from wiki.app import create_app
from wiki.models import Account, Revision
from wiki.permissions import PermissionDenied
from wiki.portal import customers
from wiki.security import groups
from wiki.security.models import AccountContact, AuditEvent
from wiki.security.testing import csrf_of, link_in, post_form, sign_in

NEW_PASSWORD = "Portal-Pass-42!"


@pytest.fixture
def mail_site(make_site, smtp_sink):
    return make_site(config={"smtp_url": smtp_sink.url})


def _set_password_from(mail, client):
    path = link_in(mail.text(), "/wiki/Special:PasswordReset")
    page = client.get(path).get_data(as_text=True)
    return client.post("/wiki/Special:PasswordReset", data={
        "token": path.split("token=")[1], "password": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "csrf_token": csrf_of(page)})


def _account_id(site, name):
    with site.db.read() as session:
        return session.scalar(select(Account.id).where(Account.name == name))


def test_business_account_life_cycle(mail_site, smtp_sink):
    add_user(mail_site, "Stan", "staff")
    staff = create_app(site=mail_site).test_client()
    login(staff, "Stan")
    response = post_form(staff, "/wiki/Special:Accounts", {"name": "Globex", "kind": "business",
                                                           "contact": "Hank", "email": "hank@globex.test"})
    assert response.status_code == 302
    account_id = _account_id(mail_site, "Globex")
    invite = next(m for m in smtp_sink.wait_for(1) if m.rcpt_tos == ["hank@globex.test"])
    assert "Globex" in invite.subject

    hank = create_app(site=mail_site).test_client()
    assert _set_password_from(invite, hank).status_code == 302
    assert sign_in(hank, "Hank", NEW_PASSWORD).status_code == 302
    page = hank.get("/portal/account").get_data(as_text=True)
    assert "Hank" in page and "primary" in page and 'id="add-contact"' in page
    smtp_sink.clear()
    added = post_form(hank, f"/portal/accounts/{account_id}/contacts", {"name": "Marge", "email": "marge@globex.test"},
                      page="/portal/account")
    assert added.status_code == 302 and added.headers["Location"].endswith("/portal/account")
    [mail] = smtp_sink.wait_for(1)
    assert mail.rcpt_tos == ["marge@globex.test"]
    post_form(hank, f"/portal/accounts/{account_id}/sites", {"label": "HQ", "address": "1 Main St"}, page="/portal/account")
    page = hank.get("/portal/account").get_data(as_text=True)
    assert "Marge" in page and "authorised" in page and "1 Main St" in page
    activity = hank.get("/portal/activity").get_data(as_text=True)
    assert "Contact added to account" in activity

    # Marge is an authorised contact: she sees the account but may not add contacts
    marge = create_app(site=mail_site).test_client()
    assert _set_password_from(mail, marge).status_code == 302
    assert sign_in(marge, "Marge", NEW_PASSWORD).status_code == 302
    page = marge.get("/portal/account").get_data(as_text=True)
    assert "Hank" in page and 'id="add-contact"' not in page
    refused = post_form(marge, f"/portal/accounts/{account_id}/contacts", {"name": "Bart", "email": "b@globex.test"},
                        page="/portal/account")
    assert refused.status_code == 403


def test_customers_see_only_their_own_account(any_site):
    add_user(any_site, "Ann", "customer", account="Alpha")
    add_user(any_site, "Bob", "customer", account="Beta")
    alpha = _account_id(any_site, "Alpha")
    client = create_app(site=any_site).test_client()
    login(client, "Bob")
    assert "Beta" in client.get("/portal/").get_data(as_text=True)
    assert client.get("/wiki/Special:Accounts").status_code == 403
    assert client.get(f"/wiki/Special:Accounts/{alpha}").status_code == 403
    assert post_form(client, f"/portal/accounts/{alpha}/contacts", {"name": "Eve", "email": "e@x.test"},
                     page="/portal/account").status_code == 403
    assert post_form(client, f"/portal/accounts/{alpha}/sites", {"label": "X", "address": "Y"},
                     page="/portal/account").status_code == 403
    with any_site.db.read() as session:
        bob = find_user(session, "Bob")
        with pytest.raises(PermissionDenied):
            customers.account_for(session, actor_for(bob), alpha)


def test_individual_accounts_cannot_add_contacts(site):
    staff = add_user(site, "Sue", "staff")
    with site.db.write() as session:
        account = customers.create_account(site, session, staff, "Solo", "individual", "Ola", "ola@solo.test")
        account_id = account.id
    with site.db.read() as session:
        ola = actor_for(find_user(session, "Ola"))
    with pytest.raises(PermissionDenied), site.db.write() as session:
        customers.add_contact(site, session, ola, account_id, "Pal", "pal@solo.test")
    with pytest.raises(AccountError, match="already exists"), site.db.write() as session:
        customers.create_account(site, session, staff, "solo", "business", "Other", "o@solo.test")
    with pytest.raises(AccountError, match="Unknown account kind"), site.db.write() as session:
        customers.create_account(site, session, staff, "Trio", "family", "Tri", "t@solo.test")


def test_sign_in_as_customer(site):
    admin = add_user(site, "Root", "admin")
    add_user(site, "Tess", "staff")
    add_user(site, "Cleo", "customer", account="Cleo Inc")
    account_id = _account_id(site, "Cleo Inc")
    with site.db.read() as session:
        cleo_id = find_user(session, "Cleo").id
    client = create_app(site=site).test_client()
    login(client, "Tess")
    page = f"/wiki/Special:Accounts/{account_id}"
    assert "Sign in as customer" not in client.get(page).get_data(as_text=True)
    assert post_form(client, "/wiki/Special:Impersonate", {"user_id": cleo_id}, page=page).status_code == 403
    with site.db.write() as session:
        groups.create(session, admin, "support-leads", rights=["can_impersonate"])
        groups.add_member(session, admin, "support-leads", "Tess")
    assert "Sign in as customer" in client.get(page).get_data(as_text=True)
    response = post_form(client, "/wiki/Special:Impersonate", {"user_id": cleo_id}, page=page)
    assert response.status_code == 302
    home = client.get("/portal/").get_data(as_text=True)
    assert "you are signed in as the customer <strong>Cleo</strong>" in home
    # an edit is the staff member's, for the customer
    edit = client.get("/wiki/User:Cleo?action=edit").get_data(as_text=True)
    saved = client.post("/wiki/User:Cleo?action=submit", data={"text": "Hello from support", "summary": "",
                                                               "csrf_token": csrf_of(edit)})
    assert saved.status_code == 302
    with site.db.read() as session:
        revision = session.scalar(select(Revision).order_by(Revision.id.desc()))
        assert revision.user_text == "Tess (for Cleo)"
        assert revision.user_id == find_user(session, "Tess").id
    # password and 2FA changes are refused
    refused = post_form(client, "/wiki/Special:ChangePassword",
                        {"current": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert "signed in as a customer" in refused.get_data(as_text=True)
    assert "cannot be changed while signed in as a customer" in client.get("/wiki/Special:TwoFactor").get_data(as_text=True)
    stop = post_form(client, "/wiki/Special:StopImpersonating", {}, page="/portal/")
    assert stop.status_code == 302
    assert "Tess" in client.get("/wiki/Special:Preferences").get_data(as_text=True)
    with site.db.read() as session:
        events = {e.event for e in session.scalars(select(AuditEvent).where(
            or_(AuditEvent.on_behalf_of_id == cleo_id, AuditEvent.user_id == cleo_id)))}
    assert {"impersonation.start", "impersonation.action", "impersonation.stop"} <= events
    # the customer reads it in their activity log
    customer = create_app(site=site).test_client()
    login(customer, "Cleo")
    activity = customer.get("/portal/activity").get_data(as_text=True)
    assert "Staff signed in as customer" in activity and "Tess (for Cleo)" in activity


def test_staff_add_contacts_to_any_account(site):
    staff = add_user(site, "Uma", "staff")
    add_user(site, "Vic", "customer", account="Vic Co")
    account_id = _account_id(site, "Vic Co")
    with site.db.write() as session:
        customers.add_contact(site, session, staff, account_id, "Wes", "wes@vic.test")
    with site.db.read() as session:
        kinds = {c.user.name: c.kind for c in customers.contacts(session, account_id)}
        assert kinds == {"Vic": "authorised", "Wes": "authorised"}
        assert session.scalar(select(AccountContact.added_by)) == staff.user_id
