"""Field changes are readable in history, recent changes, watchlists and diffs
(through the ``describe_revision_changes`` hook)."""

from tests.support.wiki import add_user, login, save
from wiki.collab.watch import watch
from wiki.fields.testing import install_issues, issue


def test_field_changes_show_where_revisions_are_listed(site, client):
    install_issues(site, form=False)
    first = save(site, "Issue 1", issue("Printer jams", Status="Open", Priority="P2")).revision.id
    second = save(site, "Issue 1", issue("Printer jams", Status="Resolved", Priority="P2")).revision.id
    staff = add_user(site, "Sam")
    with site.db.write() as session:
        watch(session, staff.user_id, site.titles.parse("Issue 1"))
    login(client, "Sam")
    note = "Status: Open → Resolved"
    for path in ("/wiki/Issue_1?action=history", "/wiki/Special:RecentChanges", "/wiki/Special:Watchlist",
                 f"/wiki/Issue_1?diff={second}&oldid={first}"):
        assert note in client.get(path).get_data(as_text=True), path
    created = client.get(f"/wiki/Issue_1?diff={first}").get_data(as_text=True)
    assert "Status: (none) → Open" in created


def test_diff_between_distant_revisions_compares_values(site, client):
    install_issues(site, form=False)
    first = save(site, "Issue 2", issue("A", Status="New", Priority="P4")).revision.id
    save(site, "Issue 2", issue("A", Status="Open", Priority="P4"))
    last = save(site, "Issue 2", issue("A", Status="Open", Priority="P1")).revision.id
    add_user(site, "Sam")
    login(client, "Sam")
    html = client.get(f"/wiki/Issue_2?diff={last}&oldid={first}").get_data(as_text=True)
    assert "Priority: P4 → P1" in html and "Status: New → Open" in html
