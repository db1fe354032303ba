"""Wiki links, categories, redirects and Markdown basics of the markup engine."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.markup_helpers import TITLES, Elements, Site, html_of, make_ctx, out_of

from wiki.markup import render

PAGES = {"Existing": "x", "Help:Guide": "y", "Category:Billing": "z"}


def test_blue_link_has_href_and_title():
    html = html_of("See [[Existing]].", PAGES)
    assert '<a href="/wiki/Existing" title="Existing">Existing</a>' in html


def test_red_link_points_to_edit():
    html = html_of("[[No such page]]", PAGES)
    assert ('<a href="/wiki/No_such_page?action=edit&amp;redlink=1" class="new" '
            'title="No such page (page does not exist)">No such page</a>') in html


def test_namespace_link_with_label():
    html = html_of("[[help:guide|the guide]]", PAGES)
    assert '<a href="/wiki/Help:Guide" title="Help:Guide">the guide</a>' in html


def test_label_markdown_is_rendered():
    assert '<a href="/wiki/Existing" title="Existing"><em>fancy</em></a>' in html_of("[[Existing|*fancy*]]", PAGES)


def test_link_trail_joins_label():
    assert ">Existings</a>" in html_of("[[Existing]]s", PAGES)
    assert ">ab</a>" in html_of("[[Existing|a]]b", PAGES)


def test_pipe_trick():
    assert ">Guide</a>" in html_of("[[Help:Guide (old)|]]", PAGES)


def test_link_with_section_fragment():
    html = html_of("[[Help:Guide#First steps]]", PAGES)
    assert 'href="/wiki/Help:Guide#First_steps"' in html
    assert ">Help:Guide#First steps</a>" in html


def test_fragment_only_link():
    html = html_of("[[#Some section|here]]")
    assert '<a href="#Some_section">here</a>' in html


def test_link_targets_recorded_without_fragment():
    out = out_of("[[Existing#a]] [[Help:Guide]] [[Missing]] [[#local]]", PAGES)
    assert {t.prefixed for t in out.links} == {"Existing", "Help:Guide", "Missing"}
    assert all(t.fragment == "" for t in out.links)


def test_existence_checked_once_per_render():
    site = Site(PAGES)
    ctx = make_ctx(site=site)
    render("[[A]] [[B]] [[Existing]] [[Help:Guide]] [[C]]", ctx)
    assert site.existence_calls == 1


def test_no_links_no_existence_call():
    site = Site(PAGES)
    render("plain text", make_ctx(site=site))
    assert site.existence_calls == 0


def test_invalid_title_is_plain_text():
    html = html_of("[[a<b]] and [[ ]] [[Help:]]")
    assert "<a" not in html
    assert "[[a&lt;b]]" in html


def test_category_links_record_and_render_nothing():
    out = out_of("Text [[Category:Billing]] [[Category:Open tickets|Zed]] [[category:billing|again]]", PAGES)
    assert out.categories == [("Billing", ""), ("Open tickets", "Zed")]
    assert "Billing" not in out.html and "<a" not in out.html
    assert not out.links


def test_category_alone_on_a_line_leaves_no_empty_paragraph():
    out = out_of("Text\n\n[[Category:Billing]]\n")
    assert out.html.strip() == "<p>Text</p>"


def test_colon_link_to_category_page():
    out = out_of("[[:Category:Billing]]", PAGES)
    assert '<a href="/wiki/Category:Billing" title="Category:Billing">Category:Billing</a>' in out.html
    assert out.categories == []
    assert {t.prefixed for t in out.links} == {"Category:Billing"}


def test_links_not_processed_in_code():
    html = html_of("`[[Existing]]`\n\n```\n[[Existing]]\n[[Category:X]]\n```\n", PAGES)
    assert "<a" not in html
    assert html.count("[[Existing]]") == 2
    assert out_of("```\n[[Category:X]]\n```").categories == []


def test_pipe_inside_link_in_table_cell():
    html = html_of("| a | b |\n|---|---|\n| [[Existing|ex]] | two |\n", PAGES)
    cells = [t for t, _ in Elements(html).tags if t == "td"]
    assert len(cells) == 2
    assert '<a href="/wiki/Existing" title="Existing">ex</a>' in html


def test_links_inside_html_block():
    html = html_of('<div class="box">\n[[Existing]] and [[Missing|m]]\n</div>\n', PAGES)
    assert '<a href="/wiki/Existing" title="Existing">Existing</a>' in html
    assert 'class="new"' in html


def test_special_pages_are_never_red():
    html = html_of("[[Special:RecentChanges]]")
    assert 'class="new"' not in html
    assert 'href="/wiki/Special:RecentChanges"' in html


def test_entities_in_target_are_decoded():
    assert 'href="/wiki/A%26B' in html_of("[[A&amp;B]]") or 'href="/wiki/A&amp;B' in html_of("[[A&amp;B]]")


def test_redirect_first_line():
    out = out_of("#REDIRECT [[Help:Guide#Intro]]\n[[Category:Billing]]", PAGES)
    assert out.redirect is not None and out.redirect.prefixed == "Help:Guide"
    assert out.redirect.fragment == "Intro"
    assert "Redirect to:" in out.html and 'class="mw-redirect"' in out.html
    assert out.categories == [("Billing", "")]


def test_redirect_case_insensitive_and_only_first_line():
    assert out_of("#redirect[[Existing]]").redirect == TITLES.parse("Existing")
    assert out_of("Hello\n#REDIRECT [[Existing]]").redirect is None


def test_markdown_features():
    html = html_of("~~gone~~\n\n- [x] done\n- [ ] todo\n\nA note[^1].\n\n[^1]: The note.\n\nhttps://example.com")
    assert "<del>gone</del>" in html
    assert 'type="checkbox"' in html
    assert "The note." in html
    assert 'href="https://example.com"' in html


def test_safe_inline_html_is_kept():
    html = html_of("a <span class=\"x\">b</span> <kbd>Ctrl</kbd> <sup>2</sup> <u>u</u> <del>d</del><br>")
    for fragment in ('<span class="x">b</span>', "<kbd>Ctrl</kbd>", "<sup>2</sup>", "<u>u</u>", "<del>d</del>", "<br>"):
        assert fragment in html


def test_nowiki_shows_markup_literally():
    html = html_of("<nowiki>[[Existing]] {{Hello}} *x*</nowiki>", PAGES)
    assert "[[Existing]] {{Hello}} *x*" in html
    assert "<a" not in html and "<em>" not in html


def test_concurrent_renders_share_no_state():
    def one(i: int) -> str:
        return html_of(f"## H{i}\n[[Page {i}]] [[Category:C{i}]] {{{{PAGENAME}}}}", title=f"P{i}")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(200)))
    for i, html in enumerate(results):
        assert f'id="H{i}"' in html and f"/wiki/Page_{i}?" in html and f"P{i}</p>" in html
