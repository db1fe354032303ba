"""Debian's Chromium, driven by Playwright, for pages that run JavaScript.

The Python ``playwright`` package is only the driver: the browser is Debian's
``chromium`` at /usr/bin/chromium (``scripts/test`` installs it). Never run
``playwright install``. The launch flags keep Chromium from reaching for the
network, which this machine does not have (without them it stalls).

    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page()
        page.goto(live_server.url)
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from . import skip_or_fail

__all__ = [
    "CHROMIUM_PATH",
    "CHROMIUM_ARGS",
    "chromium_path",
    "require_chromium",
    "launch_chromium",
    "CspViolations",
    "chromium",
    "browser_page",
]

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """/usr/bin/chromium, or ``TICKETWIKI_TEST_CHROMIUM`` when set."""
    return os.environ.get("TICKETWIKI_TEST_CHROMIUM") or CHROMIUM_PATH


def require_chromium() -> str:
    """The Chromium path, or skip the test (fail it under CI) when missing."""
    path = chromium_path()
    if not os.access(path, os.X_OK):
        skip_or_fail(
            f"Chromium not found at {path} (install Debian's chromium, "
            "or run the tests with `bash scripts/test`)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("the playwright package is not installed (pip install -e '.[test]')")
    return path


def launch_chromium(playwright, **kwargs):
    """Launch headless Chromium with ``playwright`` (a sync or async Playwright).

    Extra keyword arguments go to ``playwright.chromium.launch``; ``args`` are
    added to :data:`CHROMIUM_ARGS`.
    """
    extra_args = list(kwargs.pop("args", []))
    kwargs.setdefault("headless", True)
    kwargs.setdefault("timeout", 30_000)
    return playwright.chromium.launch(
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS + extra_args,
        **kwargs,
    )


class CspViolations:
    """The Content-Security-Policy violations a page reports, from two witnesses: each
    document's ``securitypolicyviolation`` events (a listener Playwright adds before any
    script of the page runs, which the policy does not cover) and the browser's console
    ("Refused to ... because it violates the following Content Security Policy directive").

        violations = CspViolations(page)
        page.goto(url)
        assert violations.found() == []
    """

    LISTENER = ("window.__cspViolations = [];"
                "document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push("
                "e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' on ' + e.documentURI));")

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(self.LISTENER)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def found(self) -> list[str]:
        """Every violation reported by the console so far, and by the current document."""
        return self.console + self.page.evaluate("window.__cspViolations || []")


try:
    import pytest
except ImportError:  # pragma: no cover
    pass
else:

    @pytest.fixture(scope="session")
    def chromium() -> Iterator[object]:
        """A Playwright ``Browser`` (headless Chromium) shared by a session."""
        require_chromium()
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                yield browser
            finally:
                browser.close()

    @pytest.fixture
    def browser_page(chromium) -> Iterator[object]:
        """A fresh Playwright ``Page`` in its own browser context."""
        context = chromium.new_context()
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
