"""Search on the web: Special:Search, the search API, title suggestions, the search box's
script in a real browser, and the ``search`` commands after a crash, as real processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime, timezone

import pytest
import requests

from tests.support.live_server import LiveServer
from tests.test_i18n import ALLOWED, VisibleText
from tests.support.wiki import add_user, login, save
from wiki.app import create_app
from wiki.accounts import create_api_key, find_user
from wiki.config import load_settings
from wiki.plugins import EntryPoints
from wiki.site import create_site

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def pages(site):
    save(site, "Printer setup", "Connect the printers to the network. [[Category:Hardware]]")
    save(site, "Help:Printing", "How to print a page from the browser.")
    for n in range(25):
        save(site, f"Log {n:02d}", "daily printer log entry")
    return site


def test_special_search_lists_ranked_results_with_snippets(pages, client):
    html = client.get("/wiki/Special:Search?search=printers&fulltext=1").get_data(as_text=True)
    assert "Results 1–20 of 26" in html
    assert html.index("/wiki/Printer_setup") < html.index("/wiki/Log_")
    assert '<mark class="searchmatch term0">printers</mark>' in html
    assert 'rel="next"' in html and "offset=20" in html
    second = client.get("/wiki/Special:Search?search=printers&fulltext=1&offset=20").get_data(as_text=True)
    assert "Results 21–26 of 26" in second and 'rel="prev"' in second


def test_namespace_checkboxes_and_category_filter(pages, client):
    html = client.get("/wiki/Special:Search?search=print*&namespace=12").get_data(as_text=True)
    assert "Help:Printing" in html and "Printer setup" not in html.split("search-results")[1]
    html = client.get("/wiki/Special:Search?search=incategory:Hardware").get_data(as_text=True)
    assert "Results 1–1 of 1" in html and "/wiki/Printer_setup" in html


def test_go_jumps_to_an_exact_title_and_search_offers_it(pages, client):
    response = client.get("/wiki/Special:Search?search=printer+setup&go=1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/wiki/Printer_setup")
    html = client.get("/wiki/Special:Search?search=Printer+setup&fulltext=1").get_data(as_text=True)
    assert "There is a page named" in html
    missing = client.get("/wiki/Special:Search?search=no+such+page&go=1")
    assert missing.status_code == 200 and "no results" in missing.get_data(as_text=True)


def test_did_you_mean_links_to_the_corrected_search(pages, client):
    html = client.get("/wiki/Special:Search?search=netwrk").get_data(as_text=True)
    assert "Did you mean" in html and "search=network" in html


def test_bad_searches_get_a_clear_error(pages, client):
    response = client.get("/wiki/Special:Search?search=x&namespace=999")
    assert response.status_code == 400 and "no namespace numbered 999" in response.get_data(as_text=True)
    response = client.get("/wiki/Special:Search?search=x&offset=abc")
    assert response.status_code == 400 and "offset must be a whole number" in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ar", "zh"])
def test_special_search_speaks_the_readers_language(pages, client, lang):
    """No English is left on the search page apart from the results' own titles and text."""
    leftovers = set()
    for query in ("printers", "netwrk", "Printer setup", "x&namespace=999", "没有这个词"):
        html = client.get(f"/wiki/Special:Search?search={query}&uselang={lang}").get_data(as_text=True)
        parser = VisibleText()
        parser.feed(re.sub(r'<ul class="search-results">.*?</ul>', "", html, flags=re.S))
        leftovers |= parser.words
    names = {word for ns in pages.namespaces for word in re.findall(r"[A-Za-z]{2,}", ns.display_name)}
    names |= {"Search"}  # the page's own name, Special:Search, in its heading
    typed = {"printers", "netwrk", "network", "Printer", "setup"}  # the searches and the suggestion
    assert leftovers - ALLOWED - names - typed == set()


def test_every_page_has_the_search_box_with_its_script(pages, client):
    html = client.get("/wiki/Printer_setup").get_data(as_text=True)
    assert 'action="/wiki/Special:Search"' in html and 'name="go"' in html and "search.js" in html
    assert client.get("/static/search.js").status_code == 200


def test_api_search_answers_the_contract(pages, client):
    body = client.get("/api/v1/search?q=printer&limit=5&offset=0").get_json()
    assert body["total"] == 26 and len(body["results"]) == 5
    first = body["results"][0]
    assert set(first) >= {"title", "snippet", "score"} and first["title"] == "Printer setup"
    assert client.get("/api/v1/search?q=print*&namespace=12").get_json()["results"][0]["title"] == "Help:Printing"


@pytest.fixture
def dated(site):
    """Three pages about toner, changed on different days; the best match is the oldest."""
    for day, (title, text) in enumerate((("Toner guide", "toner toner toner refill"), ("Toner order", "order toner"),
                                         ("Toner stock", "toner in stock"))):
        save(site, title, text, now=datetime(2026, 3, 1 + day * 10, 9, 30, tzinfo=timezone.utc))
    return site


def test_results_can_be_sorted_by_last_change(dated, client):
    def titles(sort):
        body = client.get(f"/api/v1/search?q=toner&sort={sort}").get_json()
        assert body["total"] == 3
        return [(found["title"], found["modified"][:10]) for found in body["results"]]

    newest = [("Toner stock", "2026-03-21"), ("Toner order", "2026-03-11"), ("Toner guide", "2026-03-01")]
    assert titles("newest") == newest and titles("oldest") == newest[::-1]
    assert titles("relevance")[0][0] == "Toner guide" == titles("")[0][0]
    without_refill = client.get("/api/v1/search?q=toner+NOT+refill&sort=oldest").get_json()
    assert without_refill["results"][0]["title"] == "Toner order"
    html = client.get("/wiki/Special:Search?search=toner&sort=newest&limit=1").get_data(as_text=True)
    assert '<option value="newest" selected>' in html and html.index("Toner_stock") < html.index("search-paging")
    assert "sort=newest" in re.search(r'rel="next" href="([^"]*)"', html).group(1)
    assert 'Last changed <time datetime="2026-03-21T09:30:00+00:00">' in html
    arabic = client.get("/wiki/Special:Search?search=toner&uselang=ar").get_data(as_text=True)
    assert "رتّب حسب" in arabic and "الأحدث تغييرًا أولًا" in arabic and "آخر تغيير" in arabic


@pytest.mark.parametrize("query, message", [
    ("", "'q' is required"),
    ("q=x&limit=0", "limit must be between 1 and 100"),
    ("q=x&namespace=abc", "namespace must be a namespace number"),
    ("q=x&sort=title", "sort must be one of relevance, newest, oldest"),
])
def test_api_search_rejects_bad_input(pages, client, query, message):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_input" and message in response.get_json()["error"]["message"]


def test_api_search_respects_the_bearer_keys_user(site, client):
    acme = add_user(site, "Ann", role="customer", account="Acme")
    add_user(site, "Gus", role="customer", account="Globex")
    save(site, "Acme invoice", "invoice for acme", account_id=acme.account_id)
    with site.db.write() as session:
        _key, token = create_api_key(session, find_user(session, "Gus"), scope="read")
    body = client.get("/api/v1/search?q=invoice", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body == {"total": 0, "results": [], "offset": 0, "limit": 20, "suggestion": None}
    login(client, "Ann")
    assert client.get("/api/v1/search?q=invoice").get_json()["results"][0]["title"] == "Acme invoice"
    assert client.get("/api/v1/search/titles?prefix=acme").get_json()["titles"] == ["Acme invoice"]


def test_title_suggestions_endpoint(pages, client):
    body = client.get("/api/v1/search/titles?prefix=print").get_json()
    assert body == {"prefix": "print", "titles": ["Help:Printing", "Printer setup"]}
    assert client.get("/api/v1/search/titles?prefix=help:pr").get_json()["titles"] == ["Help:Printing"]
    assert client.get("/api/v1/search/titles?prefix=").get_json()["titles"] == []


@pytest.mark.browser
def test_search_box_suggests_titles_as_you_type(pages, browser_page):
    with LiveServer(create_app(site=pages)) as server:
        browser_page.goto(server.url + "/wiki/Help:Printing")
        box = browser_page.locator('form.searchbox input[name="search"]')
        box.press_sequentially("Printer s", delay=20)
        options = browser_page.locator("datalist option")
        options.first.wait_for(state="attached")
        assert options.evaluate_all("os => os.map(o => o.value)") == ["Printer setup"]
        box.fill(options.first.get_attribute("value"))  # what choosing the suggestion does
        box.press("Enter")
        browser_page.wait_for_url("**/wiki/Printer_setup")


# --- a crash between commit and index update, and the commands that repair ----------------

CRASHING_SAVE = textwrap.dedent("""
    import os, sys
    from wiki.config import load_settings
    from wiki.pages import after_commit, save_page
    from wiki.permissions import SYSTEM
    from wiki.plugins import EntryPoints
    from wiki.site import create_site
    site = create_site(load_settings(sys.argv[1]), entry_points=EntryPoints.SHIPPED)
    with site.db.write() as session:
        # Registered first, so it runs right after the commit and before the index update.
        after_commit(session, lambda: os._exit(0))
        save_page(site, session, site.titles.parse("Crash page"), "survivor text", SYSTEM)
""")


def run(instance, *args):
    env = {**os.environ, "TICKETWIKI_INSTANCE": str(instance), "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def instance(tmp_path):
    assert run(tmp_path, "-m", "wiki", "init").returncode == 0
    return tmp_path


def test_a_crash_after_commit_is_caught_up_at_the_next_start(instance):
    crashed = run(instance, "-c", CRASHING_SAVE, str(instance))
    assert crashed.returncode == 0, crashed.stderr
    check = run(instance, "-m", "wiki", "search", "check")
    assert check.returncode == 1 and "Crash page" in check.stdout and "not indexed" in check.stdout
    site = create_site(load_settings(instance), entry_points=EntryPoints.SHIPPED)
    try:
        with LiveServer(create_app(site=site)) as server:
            body = requests.get(server.url + "/api/v1/search", params={"q": "survivor"}, timeout=30).json()
        assert [r["title"] for r in body["results"]] == ["Crash page"]
    finally:
        site.close()
    assert run(instance, "-m", "wiki", "search", "check").returncode == 0


def test_search_rebuild_shows_progress_and_check_agrees(instance):
    assert run(instance, "-c", CRASHING_SAVE, str(instance)).returncode == 0
    rebuilt = run(instance, "-m", "wiki", "search", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Indexing pages" in rebuilt.stdout and "Indexed" in rebuilt.stdout
    check = run(instance, "-m", "wiki", "search", "check")
    assert check.returncode == 0 and "matches the database" in check.stdout
