"""Title normalisation the MediaWiki way, and the errors for titles that cannot be."""

import pytest

from wiki.namespaces import CORE_NAMESPACE_DIR, NamespaceRegistry, load_namespace_dir
from wiki.titles import MAX_TITLE_BYTES, InvalidTitle, TitleParser


@pytest.fixture(scope="module")
def titles() -> TitleParser:
    registry = NamespaceRegistry()
    for ns in load_namespace_dir(CORE_NAMESPACE_DIR):
        registry.add(ns)
    return TitleParser(registry)


@pytest.mark.parametrize(
    "raw, ns, text",
    [
        ("main page", 0, "Main page"),
        ("Main_Page", 0, "Main Page"),
        ("  lots   of__space ", 0, "Lots of space"),
        ("help:getting_started", 12, "Getting started"),
        ("HELP:  x", 12, "X"),
        ("Image:Logo.png", 6, "Logo.png"),
        ("TW:Policy", 4, "Policy"),
        ("user talk:alice", 3, "Alice"),
        ("Category:Open tickets", 14, "Open tickets"),
        (":Category:Open tickets", 14, "Open tickets"),
        ("Special:AllPages", -1, "AllPages"),
        ("Unknown:prefix", 0, "Unknown:prefix"),
        ("Ünïcode ﬁle", 0, "Ünïcode ﬁle"),
        ("日本語", 0, "日本語"),
        ("ضريبة", 0, "ضريبة"),
    ],
)
def test_normalises(titles, raw, ns, text):
    title = titles.parse(raw)
    assert (title.ns, title.text) == (ns, text)


def test_fragment_is_kept_apart(titles):
    title = titles.parse("Help:Billing#Refunds_and credits")
    assert title.prefixed == "Help:Billing"
    assert title.fragment == "Refunds and credits"
    assert title == titles.parse("Help:Billing")


def test_addresses_use_underscores(titles):
    title = titles.parse("Help:A b/c")
    assert title.dbkey == "Help:A_b/c"
    assert title.url_path == "/wiki/Help:A_b/c"
    assert titles.from_dbkey("Help:A_b/c") == title


@pytest.mark.parametrize(
    "raw, words",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Help:", "no page name"),
        ("a[b", "'['"),
        ("a{b}", "'{'"),
        ("a|b", "'|'"),
        ("a<b>", "'<'"),
        ("tab\there", "U+0009"),
        ("x%20y", "percent escape"),
        ("..", "relative path"),
        ("../etc/passwd", "relative path"),
        ("a/./b", "relative path"),
        ("Sig ~~~ here", "'~~~'"),
    ],
)
def test_refuses_with_a_clear_message(titles, raw, words):
    with pytest.raises(InvalidTitle) as exc:
        titles.parse(raw)
    assert words in str(exc.value)


def test_refuses_over_long_titles_counting_bytes(titles):
    titles.parse("a" * MAX_TITLE_BYTES)
    with pytest.raises(InvalidTitle, match="limit is 255 bytes"):
        titles.parse("a" * (MAX_TITLE_BYTES + 1))
    with pytest.raises(InvalidTitle, match="bytes"):
        titles.parse("ع" * 128)  # 256 bytes in UTF-8


def test_talk_and_subject_pages(titles):
    page = titles.parse("Help:Billing")
    talk = titles.talk_page(page)
    assert talk.prefixed == "Help talk:Billing"
    assert titles.talk_page(talk) == talk
    assert titles.subject_page(talk) == page
    assert titles.talk_page(titles.parse("Special:AllPages")) is None


def test_subpage_parts(titles):
    title = titles.parse("Help:Billing/Refunds/Cards")
    assert (title.root_text, title.base_text, title.subpage_text) == ("Billing", "Billing/Refunds", "Cards")


@pytest.mark.parametrize(
    "raw, text",
    [
        # bidirectional controls are removed (MediaWiki does the same)
        ("Ticket\u202e1001", "Ticket1001"),
        ("\u200fMain Page\u200e", "Main Page"),
        ("Main\u2066 Page\u2069", "Main Page"),
        ("ضريبة\u061c", "ضريبة"),
        # characters that draw nothing are removed
        ("Main\u200bPage", "MainPage"),
        ("Main\u200b Page", "Main Page"),
        ("\ufeffMain\u2060 Pa\u00adge", "Main Page"),
        ("Main\u200cPage", "MainPage"),
        ("Main\u200dPage", "MainPage"),
        ("ر\u200cا", "را"),  # after a letter that never joins the next, a non-joiner shows nothing
        ("ضري\u200dبة", "ضريبة"),
        # ... but not where they change how the text is drawn
        ("می\u200cشود", "می\u200cشود"),
        ("क्\u200dष", "क्\u200dष"),
        ("\U0001f468\u200d\U0001f469", "\U0001f468\u200d\U0001f469"),
        # letters in another width or typeface are those letters
        ("Ｍain Page", "Main Page"),
        ("ＭＡＩＮ　ＰＡＧＥ", "MAIN PAGE"),
        ("𝐌𝐚𝐢𝐧 Page", "Main Page"),
        ("ｶﾞｲﾄﾞ", "ガイド"),
        ("ﺿﺮﻳﺒﺔ", "ضريبة"),
        ("第１回会議", "第1回会議"),
        # full-width punctuation and other compatibility characters keep their look
        ("问题（一）：打印机", "问题（一）：打印机"),
        ("H₂O and x²", "H₂O and x²"),
    ],
)
def test_look_alikes_and_invisible_characters_are_one_title(titles, raw, text):
    assert titles.parse(raw).text == text


def test_a_look_alike_namespace_prefix_is_the_namespace(titles):
    assert titles.parse("Ｈｅｌｐ:Ｓｔａｒｔ").prefixed == "Help:Start"
    assert titles.parse("\u202eHelp:x").ns == 12


def test_a_title_of_invisible_characters_is_empty(titles):
    with pytest.raises(InvalidTitle, match="no page name|empty"):
        titles.parse("\u200b\u202e\u200d")
