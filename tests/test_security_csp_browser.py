"""The Content-Security-Policy in headless Chromium: the main pages of the wiki, the help desk
and the portal load without a single violation, and the scripts that the policy allows still
work (search suggestions, the user picker, the two-factor QR code); an inline script and an
``onclick`` attribute, which the policy must refuse, are refused."""

from __future__ import annotations

import pytest
from flask import Blueprint

from plugins.tickets.testing import make_desk, open_test_ticket
from tests.support.browser import CspViolations
from tests.support.live_server import LiveServer
from tests.support.wiki import save, sign_in_browser
from wiki.app import create_app
from wiki.hookspecs import hookimpl

pytestmark = pytest.mark.browser

ANONYMOUS_PAGES = ["/wiki/Main_Page", "/wiki/Special:UserLogin", "/wiki/Special:Search?search=printer&fulltext=1",
                   "/wiki/Special:RecentChanges", "/wiki/Special:AllPages", "/wiki/No_such_page",
                   "/wiki/Help:Printing?action=history"]
STAFF_PAGES = ["/wiki/Ticket:1001", "/wiki/Ticket:1001?action=edit", "/wiki/Special:TicketQueue",
               "/wiki/Project:Ticket_reports", "/wiki/Special:Preferences", "/wiki/Special:FormEdit/Visit",
               "/wiki/Special:Ask?query=%5B%5BTicket%3A%2B%5D%5D+%7Cgroup%3DPriority+%7Cformat%3Dbar"]
CUSTOMER_PAGES = ["/portal/", "/portal/tickets", "/portal/tickets/new", "/wiki/Ticket:1001"]

PROBE = """<!doctype html><html><head><title>probe</title></head><body>
<script>window.inlineRan = true;</script>
<button id="probe" onclick="window.handlerRan = true">press</button>
</body></html>"""


class Probe:
    """A page that breaks the policy on purpose, served by the wiki with its headers."""

    @hookimpl
    def register_blueprints(self):
        blueprint = Blueprint("csp_probe", __name__)
        blueprint.add_url_rule("/csp-probe", "probe", lambda: PROBE)
        return [blueprint]


@pytest.fixture
def desk(make_site):
    site = make_site(seed=True, plugins=[Probe()])
    open_test_ticket(site, make_desk(site).alice, subject="Printer setup fails")
    save(site, "Help:Printing", "How to print a page from the browser.")
    save(site, "Printer setup", "Connect the printers to the network.")
    save(site, "Template:Visit", "{{{Host|}}}<noinclude>{{#declare: Host = user}}</noinclude>")
    save(site, "Form:Visit", "{{#form: template=Visit | title=Visit {counter} | roles=staff | Host = user}}")
    with LiveServer(create_app(site=site)) as server:
        yield server


@pytest.fixture
def watched(chromium):
    """A fresh browser page and the policy violations it reports."""
    context = chromium.new_context()
    page = context.new_page()
    try:
        yield page, CspViolations(page)
    finally:
        context.close()


def _visit(page, violations: CspViolations, url: str) -> None:
    response = page.goto(url)
    assert response.status < 500, url  # a missing page answers 404, with the policy all the same
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("load")
    assert violations.found() == [], url


@pytest.mark.parametrize("who, paths", [(None, ANONYMOUS_PAGES), ("Agent", STAFF_PAGES), ("Alice", CUSTOMER_PAGES)])
def test_main_pages_load_without_violations(desk, watched, who, paths):
    page, violations = watched
    if who:
        sign_in_browser(page, desk.url, who)
    for path in paths:
        _visit(page, violations, desk.url + path)


def test_the_scripts_the_policy_allows_still_work(desk, watched):
    page, violations = watched
    sign_in_browser(page, desk.url, "Agent")
    _visit(page, violations, desk.url + "/wiki/Help:Printing")
    page.locator('form.searchbox input[name="search"]').press_sequentially("Printer s", delay=20)
    page.locator("datalist option").first.wait_for(state="attached")
    assert page.locator("datalist option").evaluate_all("os => os.map(o => o.value)") == ["Printer setup"]

    _visit(page, violations, desk.url + "/wiki/Special:FormEdit/Visit")
    page.fill('input[name="Host"]', "Ag")
    page.wait_for_selector('input[name="Host"][data-userpicker-loaded="1"]')
    assert page.eval_on_selector_all("datalist option", "els => els.map(e => e.value)") == ["Agent"]

    _visit(page, violations, desk.url + "/wiki/Special:TwoFactor")
    page.click("button:has-text('Set up two-factor sign-in')")
    assert page.locator(".qrcode svg").is_visible()
    assert violations.found() == []


def test_inline_script_and_event_handlers_are_refused(desk, watched):
    page, violations = watched
    page.goto(desk.url + "/csp-probe")
    page.click("#probe")
    assert page.evaluate("[window.inlineRan, window.handlerRan]") == [None, None]
    found = violations.found()
    assert any("script-src" in v and "inline" in v for v in found), found
    assert len(found) >= 2, found  # the script and the handler
