"""Mail is written in its recipient's language (their preference, else the site's default),
never in the language of whoever caused it; in a request, from the command line and in jobs
alike.  Messages go through the real SMTP sink."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from tests.support.wiki import add_user, login, save
from wiki.app import create_app
from wiki.collab.watch import watch
from wiki.mail import queue_mail, recipient_language, send_pending, written_in
from wiki.models import User
from wiki.portal import customers
from wiki.security import lockout, resets
from wiki.security.testing import post_form


def _set_language(site, name: str, language: str | None) -> None:
    with site.db.write() as session:
        session.scalar(select(User).where(User.name == name)).language = language


def _mail_site(make_site, smtp_sink, **config):
    return make_site(config={"smtp_url": smtp_sink.url, "base_url": "http://wiki.test", **config})


def test_an_arabic_users_reset_mail_arrives_in_arabic(make_site, smtp_sink):
    site = _mail_site(make_site, smtp_sink)
    add_user(site, "Amal", "customer", account="Acme")
    _set_language(site, "Amal", "ar")
    client = create_app(site=site).test_client()
    response = post_form(client, "/wiki/Special:PasswordReset?uselang=en", {"name": "Amal"})
    assert response.status_code in (200, 302)
    [msg] = smtp_sink.wait_for(1)
    assert msg.rcpt_tos == ["amal@example.test"]
    assert msg.subject == "[ticketwiki] أعد تعيين كلمة المرور"
    body = msg.text()
    assert body.startswith("مرحبًا Amal،")
    assert "لاختيار كلمة مرور جديدة، افتح هذا الرابط خلال ساعة واحدة:" in body
    assert "http://wiki.test/wiki/Special:PasswordReset?token=" in body
    assert "To choose a new password" not in body and "Hello" not in body


def test_an_english_admins_reset_mails_a_chinese_user_in_chinese(make_site, smtp_sink):
    site = _mail_site(make_site, smtp_sink)
    add_user(site, "Ada", "admin")
    add_user(site, "Li", "customer", account="Acme")
    _set_language(site, "Ada", "en")
    _set_language(site, "Li", "zh")
    client = create_app(site=site).test_client()
    login(client, "Ada")
    page = client.get("/wiki/Special:PasswordReset?uselang=en").get_data(as_text=True)
    assert 'lang="en"' in page  # the admin works in English
    post_form(client, "/wiki/Special:PasswordReset", {"name": "Li"})
    mail = {m.rcpt_tos[0]: m for m in smtp_sink.wait_for(2)}
    assert mail["ada@example.test"].subject == "[ticketwiki] Security notice: sign-in from a new device"
    msg = mail["li@example.test"]
    assert msg.subject == "[ticketwiki] 重置您的密码"
    assert "要设置新密码，请在一小时内打开此链接：" in msg.text() and "Li，您好：" in msg.text()


def test_an_english_staff_member_invites_a_contact_in_the_sites_default_language(make_site, smtp_sink):
    site = _mail_site(make_site, smtp_sink, default_language="zh")
    staff = add_user(site, "Sam", "staff")
    app = create_app(site=site)
    with app.test_request_context("/?uselang=en"), site.db.write() as session:
        account = customers.create_account(site, session, staff, "Acme", "business", "Pat", "pat@example.test")
        customers.add_contact(site, session, staff, account.id, "Kim", "kim@example.test")
    messages = {m.rcpt_tos[0]: m for m in smtp_sink.wait_for(2)}
    invite = messages["kim@example.test"]
    assert invite.subject == "[ticketwiki] 您现在可以代表 Acme 操作"
    assert "Sam 已将您添加为帐户 Acme 的联系人。您的用户名是 Kim。" in invite.text()


def test_mail_queued_outside_a_request_is_translated_too(make_site, smtp_sink):
    """The command line and jobs have no app and no request: the recipient's language still holds."""
    site = _mail_site(make_site, smtp_sink)
    add_user(site, "Amal", "customer", account="Acme")
    _set_language(site, "Amal", "ar")
    now = datetime.now(timezone.utc)
    with site.db.write() as session:
        user = session.scalar(select(User).where(User.name == "Amal"))
        attempt = lockout.attempt(session, user, user.name, "192.0.2.7", None)
        for _ in range(lockout.MAX_FAILURES):
            locked = lockout.register_failure(site, session, attempt, now)
    assert locked
    subjects = {m.subject: m.text() for m in smtp_sink.wait_for(2)}
    notice = subjects["[ticketwiki] تنبيه أمني: حسابك مقفل"]
    assert "جرت 5 محاولات فاشلة لتسجيل الدخول إلى حسابك (آخرها من 192.0.2.7)" in notice
    reset = subjects["[ticketwiki] أعد تعيين كلمة المرور"]
    assert reset.startswith("مرحبًا Amal،\n\nقُفل حسابك بعد 5 محاولات دخول فاشلة.\n\nلاختيار كلمة مرور جديدة")


def test_without_a_language_mail_falls_back_to_the_default_then_english(make_site, smtp_sink):
    site = _mail_site(make_site, smtp_sink)
    add_user(site, "Noor", "customer", account="Acme")
    _set_language(site, "Noor", "xx")  # not a language we have
    with site.db.write() as session:
        resets.request_reset(site, session, "Noor")
    [msg] = smtp_sink.wait_for(1)
    assert msg.subject == "[ticketwiki] Reset your password" and msg.text().startswith("Hello Noor,")
    assert recipient_language(User(language=None), "ar") == "ar"
    assert recipient_language(User(language="zh"), "ar") == "zh"
    assert recipient_language(User(language=None), "xx") == "en"


def test_written_in_restores_the_readers_language_in_a_request(site):
    from flask_babel import gettext

    app = create_app(site=site)
    with app.test_request_context("/?uselang=ar"):
        with written_in("zh"):
            assert gettext("Reset your password") == "重置您的密码"
        assert gettext("Reset your password") == "أعد تعيين كلمة المرور"


def test_watchlist_mail_is_in_each_watchers_language(make_site, smtp_sink):
    site = _mail_site(make_site, smtp_sink)
    editor, amal, li = add_user(site, "Ed"), add_user(site, "Amal"), add_user(site, "Li")
    _set_language(site, "Amal", "ar")
    _set_language(site, "Li", "zh")
    save(site, "Foo", "one", editor)
    with site.db.write() as session:
        for who in (amal, li):
            watch(session, who.user_id, site.titles.parse("Foo"))
    save(site, "Foo", "two", editor, summary="typo", minor=True)
    mail = {m.rcpt_tos[0]: m for m in smtp_sink.wait_for(2)}
    arabic, chinese = mail["amal@example.test"], mail["li@example.test"]
    assert arabic.subject == "ticketwiki: غيّر Ed الصفحة Foo"
    assert "عزيزي Amal،" in arabic.text() and "الملخص: typo (تعديل طفيف)" in arabic.text()
    assert chinese.subject == "ticketwiki：Foo 已被 Ed 更改"
    assert "摘要：typo（小编辑）" in chinese.text() and "更改内容：http://wiki.test/wiki/Foo?diff=" in chinese.text()


def test_subjects_in_other_scripts_keep_their_spaces(make_site, smtp_sink):
    """Python folds long encoded subjects at 78 characters and loses the space at the fold."""
    site = _mail_site(make_site, smtp_sink)
    subject = "[ticketwiki] تنبيه أمني: حسابك مقفل — 您的帐户已被锁定 ، صفحة جديدة في الويكي"
    with site.db.write() as session:
        queue_mail(session, "amal@example.test", subject, "نص الرسالة")
    assert send_pending(site.db, smtp_sink.url, site.settings.mail_from) == (1, 0)
    [msg] = smtp_sink.wait_for(1)
    assert msg.subject == subject and msg.text().strip() == "نص الرسالة"
