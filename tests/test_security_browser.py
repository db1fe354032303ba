"""Two-factor sign-in and lock-out in a real browser (headless Chromium over real HTTP):
enrol, sign out, sign in with an app code, then with a backup code; five wrong passwords
lock this browser out of the account."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
            expect(page.locator("#backup-codes code")).to_have_count(10)
            codes = [c.strip() for c in page.locator("#backup-codes code").all_inner_texts()]
            _sign_out(page)

            _sign_in(page, server.url, "Zed", PASSWORD)
            expect(page.locator("main")).to_contain_text("authenticator app")
            # the next step's code: the one used to confirm may not be used again
            page.fill("input[name=code]", totp_code(secret, steps_ahead=1))
            page.click("button:has-text('Verify')")
            expect(page.locator("nav.personal")).to_contain_text("Zed")
            _sign_out(page)

            _sign_in(page, server.url, "Zed", PASSWORD)
            page.fill("input[name=code]", codes[0])
            page.click("button:has-text('Verify')")
            expect(page.locator("nav.personal")).to_contain_text("Zed")
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
                expect(page.locator(".errorbox")).to_contain_text("Incorrect user name or password.")
            _sign_in(page, server.url, "Yan", "Wrong-Pass-1!")
            expect(page.locator(".errorbox")).to_contain_text("Incorrect user name or password.")
            # locked: the right password gets the same answer, and the user stays signed out
            _sign_in(page, server.url, "Yan", PASSWORD)
            expect(page.locator(".errorbox")).to_contain_text("Incorrect user name or password.")
            expect(page.locator("nav.personal")).not_to_contain_text("Yan")
        finally:
            context.close()
