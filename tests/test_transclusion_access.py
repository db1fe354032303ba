"""A page only transcludes pages that every one of its readers may read, whoever renders it:
renderings are cached and shown to all readers, and re-rendered without a viewer."""

from tests.support.wiki import add_user, save
from wiki.app import create_app
from wiki.models import Account


def account_id(site, name):
    with site.db.read() as session:
        return session.query(Account).filter_by(name=name).one().id


def test_staff_only_text_is_not_pulled_into_public_pages(site):
    save(site, "Ticket talk:1", "INTERNAL NOTE")
    admin = add_user(site, "Ada", role="admin")
    result = save(site, "Help:Leaky", "Before {{:Ticket talk:1}} after", actor=admin)
    assert "INTERNAL NOTE" not in result.output.html
    save(site, "Ticket talk:1", "INTERNAL NOTE, edited")  # re-renders the help page without a viewer
    client = create_app(site=site).test_client()
    assert "INTERNAL NOTE" not in client.get("/wiki/Help:Leaky").get_data(as_text=True)


def test_a_customer_cannot_embed_staff_notes_in_their_own_page(site):
    save(site, "Ticket talk:7", "staff only")
    carol = add_user(site, "Carol", role="customer", account="Acme")
    save(site, "User:Carol", "{{:Ticket talk:7}}", actor=carol)
    save(site, "Ticket talk:7", "staff only, changed")
    client = create_app(site=site).test_client()
    assert "staff only" not in client.get("/wiki/User:Carol").get_data(as_text=True)


def test_pages_of_one_account_embed_each_other_but_not_another_accounts(site):
    add_user(site, "Carol", role="customer", account="Acme")
    add_user(site, "Dan", role="customer", account="Other")
    acme, other = account_id(site, "Acme"), account_id(site, "Other")
    save(site, "Acme details", "ACME DETAILS", account_id=acme)
    save(site, "Other secret", "OTHER SECRET", account_id=other)
    mine = save(site, "Acme overview", "{{:Acme details}} / {{:Other secret}}", account_id=acme)
    assert "ACME DETAILS" in mine.output.html and "OTHER SECRET" not in mine.output.html


def test_public_templates_embed_everywhere(site):
    save(site, "Template:Hello", "HELLO")
    assert "HELLO" in save(site, "Ticket talk:5", "{{Hello}}").output.html
    assert "HELLO" in save(site, "Help:Greeting", "{{Hello}}").output.html


def test_may_embed_rules(site):
    policy = site.policy
    parse = site.titles.parse
    public, staff_only = parse("Help:A"), parse("Ticket talk:1")

    class P:
        def __init__(self, account_id=None, deleted=False):
            self.account_id, self.deleted = account_id, deleted

    assert policy.may_embed(staff_only, P(), public, P())
    assert not policy.may_embed(public, P(), staff_only, P())
    assert not policy.may_embed(public, P(), public, None)
    assert not policy.may_embed(public, P(), public, P(deleted=True))
    assert not policy.may_embed(public, P(), public, P(account_id=1))


def test_may_embed_follows_who_reads_each_page(site):
    """Notes of an account's ticket are not for its customers; group readers are signed-in users."""
    policy, parse = site.policy, site.titles.parse

    class P:
        def __init__(self, account_id=None):
            self.account_id, self.deleted = account_id, False

    ticket, other_ticket, note = parse("Ticket:1"), parse("Ticket:2"), parse("Ticket talk:1")
    assert policy.may_embed(ticket, P(1), other_ticket, P(1))
    assert not policy.may_embed(ticket, P(1), other_ticket, P(2))
    assert not policy.may_embed(ticket, P(1), note, P(1)), "the account's customers read the ticket, not its notes"
    assert policy.may_embed(note, P(1), ticket, P(1))
    help_ns = parse("Help:A").namespace
    policy.overrides[(help_ns.number, "read")] = ("staff", "Auditors")
    assert policy.may_embed(parse("Help:A"), P(), parse("Template:Public"), P())
    assert not policy.may_embed(parse("Help:A"), P(), note, P())
    assert not policy.may_embed(parse("Help:A"), P(), parse("Project:Staff-side"), P(1))

