"""Security headers on every response: a Content-Security-Policy without inline script,
framing refused, nosniff, a referrer that stays on the wiki; responses with a policy of their
own keep it; plugins add sources to the policy, but never inline script."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from plugins.tickets.testing import make_desk, open_test_ticket
from tests.support.wiki import login
from wiki.app import create_app
from wiki.hookspecs import hookimpl
from wiki.security.headers import content_security_policy

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/wiki/Main_Page", "/wiki/Special:UserLogin", "/wiki/Special:Search?search=printer&fulltext=1",
         "/wiki/Special:RecentChanges", "/wiki/No_such_page", "/wiki/Ticket:1001", "/wiki/Special:Nonexistent",
         "/portal/tickets/new", "/wiki/Special:AuditLog", "/static/search.js", "/api/v1/pages/Main_Page",
         "/api/v1/pages/No_such_page"]


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.fixture
def desk_site(make_site):
    site = make_site(seed=True)
    open_test_ticket(site, make_desk(site).alice)
    return site


@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_the_security_headers(desk_site, path):
    client = create_app(site=desk_site).test_client()
    login(client, "Alice")
    response = client.get(path)
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_response_with_its_own_policy_keeps_it(desk_site):
    client = create_app(site=desk_site).test_client()
    login(client, "Agent")
    chart = client.get("/api/v1/ask?query=" + quote("[[Ticket:+]] |group=Priority |format=bar") + "&format=svg")
    assert chart.mimetype == "image/svg+xml"
    assert chart.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert chart.headers["X-Frame-Options"] == "DENY"


class PaymentsAndPhone:
    """What the billing and web-phone plugins will do: allow Stripe.js and a WebSocket."""

    @hookimpl
    def site_started(self, site):
        policy = content_security_policy(site)
        policy.allow("script-src", "https://js.stripe.test/v3/")
        policy.allow("frame-src", "https://js.stripe.test")
        policy.allow("connect-src", "wss://phone.example.test:8443")


def test_plugins_add_sources_to_the_policy(make_site):
    site = make_site(plugins=[PaymentsAndPhone()])
    policy = _directives(create_app(site=site).test_client().get("/wiki/Main_Page").headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "https://js.stripe.test/v3/"]
    assert policy["frame-src"] == ["'self'", "https://js.stripe.test"]
    assert policy["connect-src"] == ["'self'", "wss://phone.example.test:8443"]
    assert policy["style-src"] == ["'self'"]


@pytest.mark.parametrize("directive, source, words", [
    ("script-src", "'unsafe-inline'", "not a source"),
    ("script-src", "'unsafe-eval'", "not a source"),
    ("script-src", "*", "not a source"),
    ("script-src", "https://a.test; script-src 'unsafe-inline'", "not a source"),
    ("frame-ancestors", "https://a.test", "takes no plugin sources"),
    ("sandbox", "allow-scripts", "takes no plugin sources"),
])
def test_the_policy_refuses_sources_that_would_undo_it(site, directive, source, words):
    with pytest.raises(ValueError, match=words):
        content_security_policy(site).allow(directive, source)


_INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.I)


def test_no_template_has_inline_script_or_style():
    """What the policy would refuse in a browser must not be in a template."""
    templates = [*ROOT.glob("wiki/**/templates/**/*.html"), *ROOT.glob("plugins/*/templates/**/*.html")]
    assert len(templates) > 30
    offending = {str(p.relative_to(ROOT)): _INLINE.findall(p.read_text(encoding="utf-8")) for p in templates}
    assert {path: found for path, found in offending.items() if found} == {}
