"""The interface in Arabic (right to left) and Chinese: language choice, translated pages,
complete and compiled catalogs, and no English left in the skin's own text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.support.wiki import add_user, login, save
from wiki.i18n import SUPPORTED, TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = [lang for lang in SUPPORTED if lang != "en"]


def html_of(client, url: str, lang: str | None = None, **kwargs) -> str:
    if lang is not None:
        url += ("&" if "?" in url else "?") + f"uselang={lang}"
    response = client.get(url, **kwargs)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture
def admin_client(site, client):
    add_user(site, "Ada", role="admin")
    login(client, "Ada")
    return client


@pytest.fixture
def demo(site):
    """A page (Chinese title, so no English words come from data) with two revisions."""
    first = save(site, "演示", "第一行\n第二行\n[[Category:帮助]]", summary="一")
    second = save(site, "演示", "第一行\n改过的第二行\n[[Category:帮助]]", summary="二")
    return first.revision.id, second.revision.id


# --- choosing the language -------------------------------------------------------------

def test_arabic_main_page_is_right_to_left_and_translated(site, client):
    save(site, "Main Page", "Welcome")
    html = html_of(client, "/wiki/Main_Page", "ar")
    assert '<html lang="ar" dir="rtl">' in html
    for text in ("الصفحة الرئيسية", "تغييرات حديثة", "تصنيفات", "صفحات خاصة", ">صفحة<", ">نقاش<", ">تعديل<",
                 ">تاريخ<", "تسجيل الدخول", 'placeholder="بحث"'):
        assert text in html, text
    assert '<div class="page-text" dir="ltr">' in html  # page text keeps its own direction


def test_chinese_main_page(site, client):
    save(site, "Main Page", "Welcome")
    html = html_of(client, "/wiki/Main_Page", "zh")
    assert '<html lang="zh" dir="ltr">' in html
    for text in ("首页", "最近更改", "分类", "特殊页面", ">页面<", ">讨论<", ">编辑<", ">历史<", ">登录<"):
        assert text in html, text


def test_edit_form_history_and_diff_in_arabic(site, admin_client, demo):
    first, second = demo
    edit = html_of(admin_client, "/wiki/演示?action=edit", "ar")
    for text in ("تعديل 演示", "احفظ الصفحة", "اعرض المعاينة", "الملخص:", "هذا تعديل طفيف", "راقب هذه الصفحة", ">إلغاء<"):
        assert text in edit, text
    history = html_of(admin_client, "/wiki/演示?action=history", "ar")
    for text in ("演示: تاريخ المراجعات", "قارن المراجعات المختارة", ">حالي<", ">سابق<", "2 مراجعتان.", "تلقيمة Atom"):
        assert text in history, text
    assert "نوفمبر" in history or re.search(r"\d{2}:\d{2}، \d{1,2} \S+ \d{4}", history)  # Arabic dates
    diff = html_of(admin_client, f"/wiki/演示?diff={second}&oldid={first}", "ar")
    for text in ("الفرق بين المراجعات", "المراجعة القديمة", "المراجعة الجديدة", "جنبًا إلى جنب", ">رجوع<"):
        assert text in diff, text


def test_sign_in_page_in_both_languages(client):
    ar = html_of(client, "/wiki/Special:UserLogin", "ar")
    assert "<title>تسجيل الدخول — " in ar and "اسم المستخدم" in ar and "كلمة السر" in ar and "أبقني مسجل الدخول" in ar
    zh = html_of(client, "/wiki/Special:UserLogin", "zh")
    assert "<title>登录 — " in zh and "用户名" in zh and "密码" in zh and "忘记密码了？" in zh


def test_special_pages_in_arabic_and_chinese(site, admin_client, demo):
    listing = html_of(admin_client, "/wiki/Special:SpecialPages", "ar")
    assert "كل صفحات نطاق ما، مرتبة حسب العنوان" in listing and "أحدث التغييرات في الويكي" in listing
    recent = html_of(admin_client, "/wiki/Special:RecentChanges", "ar")
    assert "أخفِ التعديلات الطفيفة" in recent and ">فرق<" in recent and ">تاريخ<" in recent
    categories = html_of(admin_client, "/wiki/Special:Categories", "zh")
    assert "帮助</a> (1个成员)" in categories
    prefs = html_of(admin_client, "/wiki/Special:Preferences", "zh")
    assert "偏好设置" in prefs and "电子邮件通知" in prefs and "(管理员)" in prefs
    audit = html_of(admin_client, "/wiki/Special:AuditLog", "ar")
    assert "سجل التدقيق" in audit and "سجّل الدخول" in audit  # the event "Signed in"


def test_special_pages_have_headings_and_titles_in_the_readers_language(site, admin_client, demo):
    """MediaWiki's localised special page names: the heading and the window title, and the
    links of Special:SpecialPages."""
    for lang, heading in (("ar", "تغييرات حديثة"), ("zh", "最近更改")):
        recent = html_of(admin_client, "/wiki/Special:RecentChanges", lang)
        assert f'<h1 id="firstHeading">{heading}</h1>' in recent and f"<title>{heading} — " in recent
    search = html_of(admin_client, "/wiki/Special:Search?search=demo", "zh")
    assert '<h1 id="firstHeading">搜索</h1>' in search
    listing = html_of(admin_client, "/wiki/Special:SpecialPages", "ar")
    assert '<a href="/wiki/Special:AllPages">كل الصفحات</a>' in listing
    assert "Special:" not in re.sub(r'href="[^"]*"', "", listing.split('<ul class="specialpages">')[1])
    unnamed = [sp.name for sp in site.special_pages.values() if not sp.heading]
    assert unnamed == []


def test_flash_messages_are_translated(site, admin_client, demo):
    html_of(admin_client, "/wiki/Main_Page", "zh")  # remembered in the session from here on
    token = re.search(r'name="csrf_token" value="([^"]+)"', html_of(admin_client, "/wiki/演示?action=watch")).group(1)
    response = admin_client.post("/wiki/演示?action=unwatch", data={"csrf_token": token}, follow_redirects=True)
    assert "演示及其讨论页已从您的监视列表中移除。" in response.get_data(as_text=True)


def test_accept_language_picks_the_language(client):
    zh = html_of(client, "/wiki/Special:UserLogin", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh" dir="ltr">' in zh and "用户名" in zh
    ar = html_of(client, "/wiki/Special:UserLogin", headers={"Accept-Language": "ar-SA,ar;q=0.9"})
    assert '<html lang="ar" dir="rtl">' in ar
    fr = html_of(client, "/wiki/Special:UserLogin", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="en" dir="ltr">' in fr and "User name" in fr


def test_uselang_is_remembered_and_unknown_languages_fall_back_to_english(site, app):
    first = app.test_client()
    html_of(first, "/wiki/Special:UserLogin", "ar")
    assert '<html lang="ar" dir="rtl">' in html_of(first, "/wiki/Special:UserLogin")
    assert '<html lang="en" dir="ltr">' in html_of(first, "/wiki/Special:UserLogin", "en")
    other = app.test_client()
    html = html_of(other, "/wiki/Special:UserLogin", "xx", headers={"Accept-Language": "xx"})
    assert '<html lang="en" dir="ltr">' in html and "Keep me signed in" in html


def test_english_is_unchanged_by_default(site, admin_client, demo):
    history = html_of(admin_client, "/wiki/演示?action=history")
    assert '<html lang="en" dir="ltr">' in history and "2 revision(s)." in history and "Compare selected revisions" in history
    assert re.search(r"\d{2}:\d{2}, \d{2} [A-Z][a-z]+ \d{4}", history)  # 14:05, 03 March 2026


# --- the catalogs ------------------------------------------------------------------------

def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def read_catalog(lang: str):
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang):
    catalog = read_catalog(lang)
    assert len(catalog) > 300
    untranslated = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{lang}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{lang}: fuzzy {fuzzy[:10]}"
    assert [(m.id, err) for m, err in catalog.check()] == []  # placeholders agree with the English


def messages(catalog) -> dict:
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value
    return {key(m.id): key(m.string) for m in catalog if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogs_are_up_to_date(lang):
    catalog = read_catalog(lang)
    fresh = BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    with (po_path(lang).with_suffix(".mo")).open("rb") as f:
        committed = read_mo(f)
    assert messages(committed) == messages(read_mo(fresh)), "run: bash scripts/translations"


def test_catalogs_cover_every_string_of_the_core():
    """Each string marked in wiki/ (templates and Python) is in the template and both catalogs."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
    found = set()
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        if filename.startswith("wiki/"):
            found.add(message[0] if isinstance(message, tuple) else message)
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(f) if m.id}
    assert found - template == set(), "run: bash scripts/translations"
    for lang in LANGUAGES:
        known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_catalog(lang) if m.id}
        assert template - known == set(), lang


# --- nothing left in English ----------------------------------------------------------------

class VisibleText(HTMLParser):
    """Words a reader sees in the skin: text and title/placeholder/aria-label attributes, outside
    page text, user input (text areas, summaries), code and option lists."""

    SKIP_TAGS = {"script", "style", "textarea", "code", "pre", "option", "title"}
    SKIP_CLASSES = {"page-text", "comment", "field-changes", "deleted-text"}
    VOID = {"input", "br", "img", "meta", "link", "col", "hr"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.words: set[str] = set()

    @property
    def skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        skip = tag in self.SKIP_TAGS or bool(self.SKIP_CLASSES & set((a.get("class") or "").split()))
        if not self.skipping and not skip:
            for key in ("title", "placeholder", "aria-label"):
                self.words |= set(re.findall(r"[A-Za-z]{2,}", a.get(key) or ""))
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.words |= set(re.findall(r"[A-Za-z]{2,}", data))


#: Names, not words: the site, users, namespaces and special pages, formats and units.
ALLOWED = {"ticketwiki", "Ada", "Sam", "Special", "Category", "Atom", "UTC", "API", "CSV", "JSON", "Form", "Undelete",
           "NamespaceRights", "RecentChanges", "Watchlist", "Log", "Preferences", "ApiKeys", "TwoFactor", "Groups",
           "AuditLog", "Accounts", "ChangePassword", "ChangeEmail", "UserLogin", "PasswordReset", "SpecialPages",
           "AllPages", "Categories", "WantedPages", "WhatLinksHere", "Version", "Ask", "Move", "PNG", "PDF",
           "infinite", "days", "weeks", "admin", "staff", "analyst", "customer", "user", "YYYY", "MM", "DD", "HH",
           "Ticketwiki", "ada", "example", "test", "can", "impersonate", "Werkzeug"}


def plugin_menu_words(site) -> set[str]:
    """Words of the menu labels of plugins outside the core (they translate their own)."""
    words: set[str] = set()
    for impl in site.hook.register_menu_items.get_hookimpls():
        if not getattr(impl.plugin, "__name__", "").startswith("wiki."):
            for item in impl.function():
                words |= set(re.findall(r"[A-Za-z]{2,}", str(item.label)))
    return words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_left_in_the_skin(site, admin_client, demo, lang):
    first, second = demo
    token = re.search(r'name="csrf_token" value="([^"]+)"', html_of(admin_client, "/wiki/演示?action=move", lang)).group(1)
    assert admin_client.post("/wiki/演示?action=move", data={"csrf_token": token, "newtitle": "示范",
                                                              "reason": "改名"}).status_code == 302
    pages = ["/wiki/示范", "/wiki/示范?action=edit", "/wiki/示范?action=history", f"/wiki/示范?diff={second}&oldid={first}",
             f"/wiki/示范?diff={second}&oldid={first}&diffmode=sidebyside", f"/wiki/示范?oldid={first}",
             "/wiki/示范?action=move", "/wiki/示范?action=delete", "/wiki/示范?action=protect", "/wiki/示范?action=watch",
             "/wiki/没有的页面", "/wiki/Special:RecentChanges", "/wiki/Special:Watchlist", "/wiki/Special:Log",
             "/wiki/Special:AllPages", "/wiki/Special:Preferences", "/wiki/Special:ApiKeys", "/wiki/Special:TwoFactor",
             "/wiki/Special:Groups", "/wiki/Special:AuditLog", "/wiki/Special:Accounts", "/wiki/Special:ChangePassword",
             "/wiki/Special:ChangeEmail", "/wiki/Special:Undelete", "/wiki/Special:UserLogout"]
    allowed = ALLOWED | plugin_menu_words(site)
    leftovers = {}
    for url in pages:
        parser = VisibleText()
        parser.feed(html_of(admin_client, url, lang))
        words = parser.words - allowed
        if words:
            leftovers[url] = sorted(words)
    anonymous = VisibleText()
    anonymous.feed(html_of(admin_client.application.test_client(), "/wiki/Special:UserLogin", lang))
    anonymous.feed(html_of(admin_client.application.test_client(), "/wiki/Special:PasswordReset", lang))
    if anonymous.words - allowed:
        leftovers["anonymous"] = sorted(anonymous.words - allowed)
    assert leftovers == {}, repr(leftovers)


def test_no_message_hides_inside_an_f_string():
    """Babel's extractor does not look inside f-strings (before Python 3.12), so a gettext call
    there would never reach the catalogs and would stay English for everyone."""
    import ast

    calls = {"_", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext"}
    hidden = []
    for path in [*ROOT.joinpath("wiki").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                hidden += [f"{path.relative_to(ROOT)}:{call.lineno}" for call in ast.walk(node)
                           if isinstance(call, ast.Call) and getattr(call.func, "id", None) in calls]
    assert not hidden, hidden
