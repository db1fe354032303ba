"""Messages of the security services (password rules, sign-in, tokens, TOTP, API keys, rate
limits) reach the user in their language: they are translated when shown, in the request."""

from __future__ import annotations

import pytest

from tests.support.wiki import PASSWORD, add_user, login
from wiki.accounts import AccountError, check_password_rules
from wiki.app import create_app
from wiki.security.ratelimit import RateLimited
from wiki.security.testing import post_form, sign_in


def test_an_arabic_user_sees_the_password_rules_in_arabic(site):
    add_user(site, "Amal", "staff")
    client = create_app(site=site).test_client()
    login(client, "Amal")
    assert 'lang="ar"' in client.get("/wiki/Special:ChangePassword?uselang=ar").get_data(as_text=True)
    response = post_form(client, "/wiki/Special:ChangePassword",
                         {"current": PASSWORD, "password": "short", "password2": "short"})
    html = response.get_data(as_text=True)
    assert "تحتاج كلمة المرور إلى: 8 أحرف على الأقل, حرفًا كبيرًا, رقمًا, أحد الرموز !@#$%^&amp;*." in html
    assert "The password needs" not in html


def test_sign_in_errors_and_rate_limits_in_chinese(make_site):
    site = make_site(config={"plugins": {"security": {"rate_limits": {"signin": "1/60"}}}})
    client = create_app(site=site).test_client()
    client.get("/wiki/Special:UserLogin?uselang=zh")
    assert "用户名或密码不正确。" in sign_in(client, "Nobody", "x").get_data(as_text=True)
    limited = sign_in(client, "Nobody", "x")
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert "登录尝试次数过多。 请等待 60 秒后再试。" in limited.get_data(as_text=True)


def test_outside_a_request_messages_stay_english():
    with pytest.raises(AccountError, match="The password needs at least 8 characters"):
        check_password_rules("Aa1!")
    assert str(RateLimited("edits", 1)) == "Too many edits in a short time. Please wait 1 second and try again."
