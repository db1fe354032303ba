"""Two-factor sign-in and lock-out in a real browser (headless Chromium over real HTTP):
enrol, sign out, sign in with an app code, then with a backup code; five wrong passwords
lock the account."""

from __future__ import annotations

import pytest

from tests.support.live_server import LiveServer
from tests.support.wiki import PASSWORD, add_user
from wiki.app import create_app
from wiki.security.testing import totp_code

pytestmark = pytest.mark.browser


def _sign_in(page, base: str, name: str, password: str) -> None:
    page.goto(base + "/wiki/Special:UserLogin")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("form.loginform button[type=submit]")


def _sign_out(page) -> None:
    page.click("nav.personal button:has-text('Sign out')")
    page.wait_for_url("**/wiki/**")


def test_two_factor_enrolment_and_sign_in(site, chromium):
    add_user(site, "Zed", "staff")
    with LiveServer(create_app(site=site)) as server:
        context = chromium.new_context()
        page = context.new_page()
        try:
            _sign_in(page, server.url, "Zed", PASSWORD)
            page.goto(server.url + "/wiki/Special:TwoFactor")
            page.click("button:has-text('Set up two-factor sign-in')")
            assert page.locator(".qrcode svg").is_visible()
            secret = page.inner_text("#totp-secret").strip()
            page.fill("input[name=code]", totp_code(secret))
            page.click("button:has-text('Turn on')")
            codes = [c.strip() for c in page.locator("#backup-codes code").all_inner_texts()]
            assert len(codes) == 10
            _sign_out(page)

            _sign_in(page, server.url, "Zed", PASSWORD)
            assert "authenticator app" in page.content()
            # the next step's code: the one used to confirm may not be used again
            page.fill("input[name=code]", totp_code(secret, steps_ahead=1))
            page.click("button:has-text('Verify')")
            assert page.inner_text("nav.personal").startswith("Zed")
            _sign_out(page)

            _sign_in(page, server.url, "Zed", PASSWORD)
            page.fill("input[name=code]", codes[0])
            page.click("button:has-text('Verify')")
            assert page.inner_text("nav.personal").startswith("Zed")
            page.goto(server.url + "/wiki/Special:TwoFactor")
            assert "Backup codes left: 9" in page.content()
        finally:
            context.close()


def test_lockout_after_five_failures(site, chromium):
    add_user(site, "Yan", "staff")
    with LiveServer(create_app(site=site)) as server:
        context = chromium.new_context()
        page = context.new_page()
        try:
            for _ in range(4):
                _sign_in(page, server.url, "Yan", "Wrong-Pass-1!")
                assert "Incorrect user name or password." in page.inner_text(".errorbox")
            _sign_in(page, server.url, "Yan", "Wrong-Pass-1!")
            assert "locked until" in page.inner_text(".errorbox")
            _sign_in(page, server.url, "Yan", PASSWORD)
            assert "locked until" in page.inner_text(".errorbox")
        finally:
            context.close()
