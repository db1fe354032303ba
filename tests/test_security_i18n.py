"""Messages of the security services (password rules, sign-in, tokens, TOTP, API keys, rate
limits) reach the user in their language: they are translated when shown, in the request."""

from __future__ import annotations

import re

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
    # the refused attempt checked a (dummy) password hash, which may have taken a second
    wait = re.search(r"登录尝试次数过多。 请等待 (\d+) 秒后再试。", limited.get_data(as_text=True))
    assert wait and 50 <= int(wait.group(1)) <= 60


def test_outside_a_request_messages_stay_english():
    with pytest.raises(AccountError, match="The password needs at least 8 characters"):
        check_password_rules("Aa1!")
    assert str(RateLimited("edits", 1)) == "Too many edits in a short time. Please wait 1 second and try again."


# --- API errors, policy reasons and field messages follow the reader's language -------------

def test_api_errors_follow_accept_language_and_keep_their_codes(site):
    from tests.support.wiki import save

    save(site, "Secret", "text")
    client = create_app(site=site).test_client()
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    missing = client.get("/api/v1/pages/Nowhere", headers=zh)
    assert missing.status_code == 404
    assert missing.get_json()["error"] == {"code": "not_found", "message": "页面 Nowhere 不存在。", "details": None}
    bad_key = client.get("/api/v1/pages/Secret", headers={**zh, "Authorization": "Bearer nope"})
    assert bad_key.status_code == 401 and bad_key.get_json()["error"]["code"] == "unauthorized"
    assert bad_key.get_json()["error"]["message"] == "API 密钥未知、已撤销或已过期。"
    anonymous_write = client.put("/api/v1/pages/Secret", json={"text": "x"},
                                 headers={"Accept-Language": "ar", "X-CSRFToken": ""})
    assert anonymous_write.get_json()["error"]["code"] == "csrf"
    assert anonymous_write.get_json()["error"]["message"].startswith("تحتاج عمليات الكتابة عبر جلسة المتصفح")
    english = client.get("/api/v1/pages/Nowhere").get_json()["error"]
    assert english["message"] == "The page Nowhere does not exist."


def test_api_conflicts_and_refusals_in_arabic(site):
    from tests.support.wiki import save
    from wiki.accounts import create_api_key, find_user

    add_user(site, "Rana", "staff")
    with site.db.write() as session:
        read_key = create_api_key(session, find_user(session, "Rana"), scope="read")[1]
        write_key = create_api_key(session, find_user(session, "Rana"), scope="write")[1]
    first = save(site, "Shared", "one\ntwo\nthree").revision.id
    save(site, "Shared", "one\nTWO\nthree")
    client = create_app(site=site).test_client()
    ar = {"Accept-Language": "ar"}
    denied = client.put("/api/v1/pages/Shared", json={"text": "x"}, headers={**ar, "Authorization": f"Bearer {read_key}"})
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "forbidden"
    assert denied.get_json()["error"]["message"] == "هذا المفتاح للقراءة فقط؛ أنشئ مفتاحًا بصلاحية الكتابة."
    conflict = client.put("/api/v1/pages/Shared", json={"text": "one\nzwei\nthree", "base_revision_id": first},
                          headers={**ar, "Authorization": f"Bearer {write_key}"})
    assert conflict.status_code == 409 and conflict.get_json()["error"]["code"] == "edit_conflict"
    assert conflict.get_json()["error"]["message"] == f"تغيّرت Shared منذ المراجعة {first} والتغييرات متداخلة."


def test_policy_reasons_are_translated_where_shown_and_need_no_request(site):
    from wiki.permissions import ANONYMOUS

    title = site.titles.parse("Template:Ticket")
    reason = site.policy.reason(ANONYMOUS, "edit", title)
    assert str(reason) == "Only signed-in users may edit pages in the Template namespace."  # no request: English
    app = create_app(site=site)
    with app.test_request_context("/?uselang=ar"):
        assert str(reason) == "تعديل الصفحات في النطاق Template مسموح للمستخدمين المسجلين فقط."
    with app.test_request_context("/?uselang=zh"):
        assert str(reason) == "只有已登录用户才能编辑 Template 命名空间中的页面。"


def test_field_errors_in_the_editors_language_keep_names_and_values(site):
    from wiki.fields.testing import install_issues, issue
    from wiki.pages import SaveError
    from tests.support.wiki import save

    install_issues(site, form=False)
    app = create_app(site=site)
    with app.test_request_context("/?uselang=ar"), pytest.raises(SaveError) as caught:
        save(site, "Issue 1", issue("Printer", Status="Pending", Due="tomorrow"))
    assert ("الحقل Status في Template:Issue: القيمة 'Pending' ليست من القيم المسموح بها "
            "(New, Open, In progress, Resolved, Closed).") in caught.value.messages
    assert "الحقل Due في Template:Issue: القيمة 'tomorrow' ليست تاريخًا بالصيغة YYYY-MM-DD." in caught.value.messages
    with app.test_request_context("/?uselang=zh"), pytest.raises(SaveError) as caught:
        save(site, "Issue 2", issue("Printer", Hours="two"))
    assert "Template:Issue 的字段 Hours：值 'two' 不是数字，例如 3.5。" in caught.value.messages


def test_form_and_query_errors_in_chinese(site):
    from wiki.fields.forms.definition import FormError, load_form
    from wiki.fields.query.parse import QueryError, parse_query
    from wiki.fields.types import FieldValueError, FieldType, TypeEnv

    app = create_app(site=site)
    with site.db.read() as session, pytest.raises(FormError) as caught:
        load_form(site, session, "Nothing")
    with app.test_request_context("/?uselang=zh"):
        assert str(caught.value) == "没有名为 Form:Nothing 的表单。"
        with pytest.raises(QueryError, match="未知格式 'pie chart'；可用格式为"):
            parse_query(["[[Category:Tickets]]", "format=pie chart"], site.titles, 50)
    with pytest.raises(FieldValueError) as caught:
        FieldType("integer").parse("many", TypeEnv(site.titles, lambda name: None))
    assert str(caught.value) == "is not a whole number such as 42"
