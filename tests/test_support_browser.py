"""Debian's Chromium through Playwright, on a page served by LiveServer."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.support.browser import CHROMIUM_ARGS  # the chromium fixtures come from conftest.py
from tests.support.live_server import LiveServer

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Support test</title></head>
<body>
  <button id="go">Open ticket</button>
  <p id="out">nothing yet</p>
  <script>
    document.getElementById("go").addEventListener("click", async () => {
      const answer = await fetch("/api/status").then(r => r.json());
      document.getElementById("out").textContent = "clicked: " + answer.status;
    });
  </script>
</body></html>
"""


@pytest.fixture(scope="module")
def site():
    app = Flask("browser_test")
    app.add_url_rule("/", "page", lambda: PAGE)
    app.add_url_rule("/api/status", "status", lambda: {"status": "open"})
    with LiveServer(app) as server:
        yield server


def test_launch_flags_keep_chromium_off_the_network() -> None:
    for flag in ("--headless", "--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"):
        assert flag in CHROMIUM_ARGS


@pytest.mark.browser
def test_click_runs_javascript_against_live_server(site: LiveServer, browser_page) -> None:
    browser_page.goto(site.url + "/")
    assert browser_page.title() == "Support test"
    assert browser_page.text_content("#out") == "nothing yet"
    browser_page.click("#go")
    browser_page.wait_for_function(
        "document.getElementById('out').textContent.startsWith('clicked')"
    )
    assert browser_page.text_content("#out") == "clicked: open"
