"""Category listings and the core's special pages, including what they hide from customers."""

from tests.support.wiki import add_user, login, save
from wiki.models import Account


def test_category_page_lists_members_by_sort_key_with_subcategories(site, client):
    save(site, "Category:Billing", "All about billing. [[Category:Root]]")
    save(site, "Category:Refunds", "[[Category:Billing]]")
    save(site, "Zebra", "[[Category:Billing|Aardvark]]")
    save(site, "Apple", "[[Category:Billing]]")
    save(site, "File:Invoice.pdf", "[[Category:Billing]]")
    html = client.get("/wiki/Category:Billing").get_data(as_text=True)
    assert "All about billing." in html
    subcats, pages, files = (html.index(h) for h in ("Subcategories", "Pages in category", "Media in category"))
    assert subcats < pages < files
    assert html.index(">Zebra<") < html.index(">Apple<")  # sorted by the sort key "aardvark"
    assert ">Refunds<" in html and ">File:Invoice.pdf<" in html


def test_category_listing_is_paged(site, client):
    for n in range(205):
        save(site, f"Member {n:03d}", "[[Category:Big]]")
    first = client.get("/wiki/Category:Big").get_data(as_text=True)
    assert "Member 000" in first and "Member 199" in first and "Member 200" not in first
    assert "pagefrom=member+200" in first
    second = client.get("/wiki/Category:Big?pagefrom=member+200").get_data(as_text=True)
    assert "Member 204" in second and "Member 199" not in second


def test_missing_category_page_still_lists_members(site, client):
    save(site, "Page", "[[Category:No page yet]]")
    response = client.get("/wiki/Category:No_page_yet")
    assert response.status_code == 404 and ">Page<" in response.get_data(as_text=True)


def test_all_pages_by_namespace(site, client):
    save(site, "Help:B", "x")
    save(site, "Help:A", "x")
    save(site, "Main one", "x")
    html = client.get("/wiki/Special:AllPages?namespace=12").get_data(as_text=True)
    assert html.index("Help:A") < html.index("Help:B") and "Main one" not in html
    assert client.get("/wiki/Special:AllPages?namespace=999").status_code == 400


def test_categories_what_links_here_and_wanted_pages(site, client):
    save(site, "Template:Nav", "[[Hub]]")
    save(site, "One", "[[Hub]] [[Ghost]] {{Nav}} [[Category:Things]]")
    save(site, "Two", "[[Ghost]] [[Category:Things]]")
    cats = client.get("/wiki/Special:Categories").get_data(as_text=True)
    assert "Things</a> (2 members)" in cats
    links = client.get("/wiki/Special:WhatLinksHere/Hub").get_data(as_text=True)
    assert ">One<" in links and ">Template:Nav<" in links
    used = client.get("/wiki/Special:WhatLinksHere?target=Template:Nav").get_data(as_text=True)
    assert "One</a> (transclusion)" in used
    save(site, "Three", "[[Ghost]]")
    wanted = client.get("/wiki/Special:WantedPages").get_data(as_text=True)
    assert "3 links" in wanted and "2 links" in wanted
    assert wanted.index("Ghost") < wanted.index("Hub")
    save(site, "Ghost", "now it exists")
    assert "Ghost" not in client.get("/wiki/Special:WantedPages").get_data(as_text=True)


def test_version_lists_plugins_and_their_hooks(site, client):
    html = client.get("/wiki/Special:Version").get_data(as_text=True)
    assert "plugins.tickets.hooks" in html and "register_namespaces" in html
    assert "wiki.builtins.categories" in html and "update_derived_data" in html
    assert "ticketwiki" in html and "SQLAlchemy" in html


def test_unknown_special_page(client):
    assert client.get("/wiki/Special:Nothing").status_code == 404


def test_lists_hide_other_accounts_pages(site, client):
    add_user(site, "Carol", role="customer", account="Acme")
    add_user(site, "Dan", role="customer", account="Other")
    with site.db.read() as session:
        other = session.query(Account).filter_by(name="Other").one().id
        acme = session.query(Account).filter_by(name="Acme").one().id
    save(site, "Secret of other", "[[Category:Shared]] [[Hub]] [[Wanted by other]]", account_id=other)
    save(site, "Mine", "[[Category:Shared]] [[Hub]]", account_id=acme)
    login(client, "Carol")
    for path in ("/wiki/Special:AllPages", "/wiki/Category:Shared", "/wiki/Special:WhatLinksHere/Hub",
                 "/wiki/Special:WantedPages", "/wiki/Special:Categories"):
        html = client.get(path).get_data(as_text=True)
        assert "Secret of other" not in html and "Wanted by other" not in html, path
    assert "Mine" in client.get("/wiki/Category:Shared").get_data(as_text=True)
    assert client.get("/wiki/Secret_of_other").status_code == 404
    assert client.get("/wiki/Secret_of_other?action=raw").status_code == 404
