"""Grouped ``#ask`` results sorted by their aggregate ("top N"): parsing, SQL order and paging,
ties, errors, and the same order through #ask, Special:Ask, the API (JSON, CSV) and charts."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest

from tests.support.wiki import add_user, login, save
from wiki.app import create_app
from wiki.fields.query import QueryError, parse_query, run, split_query
from wiki.fields.testing import IssuesPlugin, install_issues, issue
from wiki.permissions import SYSTEM

#: Every site built here has the Issue: namespace that the issue template and form use.
pytestmark = pytest.mark.site_plugins(IssuesPlugin())

ISSUES = [
    ("Issue:1", dict(Priority="P1", Hours="2", Tags="printer, ink", Due="2026-11-01"), "Hardware"),
    ("Issue:2", dict(Priority="P2", Hours="5", Tags="network", Due="2026-11-20"), "Network"),
    ("Issue:3", dict(Priority="P2", Hours="1", Tags="printer", Due="2026-12-05"), "Hardware"),
    ("Issue:4", dict(Priority="P3", Hours="8", Tags="network", Due="2026-11-30"), "Network"),
    ("Issue:5", dict(Priority="P3", Hours="3", Tags="printer", Due="2027-01-10"), "Hardware"),
    ("Issue:6", dict(Priority="P4", Tags="ink"), None),
    ("Issue:7", dict(Hours="4"), None),
]
TOP_PRIORITIES = "[[Issue:+]] |aggregate=count |group=Priority |sort=count |order=desc"


@pytest.fixture
def issues(any_site):
    install_issues(any_site, form=False)
    for title, fields, category in ISSUES:
        text = issue(f"Problem {title[-1]}", **fields) + (f"\n[[Category:{category}]]" if category else "")
        save(any_site, title, text)
    return any_site


def ask(site, text, max_limit=500):
    with site.db.read() as session:
        return run(site, session, SYSTEM, parse_query(split_query(text), site.titles, max_limit))


def groups(site, text):
    return ask(site, text).groups


def analyst_client(site):
    add_user(site, "Ana", role="analyst")
    client = create_app(site=site).test_client()
    login(client, "Ana")
    return client


@pytest.mark.parametrize("text, expected", [
    # Equal counts come in group order, with pages that have no value last.
    (TOP_PRIORITIES, [("P2", 2), ("P3", 2), ("P1", 1), ("P4", 1), ("(none)", 1)]),
    ("[[Issue:+]] |aggregate=count |group=Priority |sort=count", [
        ("P1", 1), ("P4", 1), ("(none)", 1), ("P2", 2), ("P3", 2)]),
    ("[[Issue:+]] |aggregate=count |group=Priority |sort=Count |order=DESCENDING", [
        ("P2", 2), ("P3", 2), ("P1", 1), ("P4", 1), ("(none)", 1)]),
    ("[[Issue:+]] |aggregate=sum(Hours) |group=Priority |sort=sum |order=desc", [
        ("P3", 11), ("P2", 6), ("(none)", 4), ("P1", 2)]),
    ("[[Issue:+]] |aggregate=sum(Hours) |group=Priority |sort=sum(hours) |order=desc", [
        ("P3", 11), ("P2", 6), ("(none)", 4), ("P1", 2)]),
    ("[[Issue:+]] |aggregate=avg(Hours) |group=Priority |sort=average |order=desc", [
        ("P3", 5.5), ("(none)", 4), ("P2", 3), ("P1", 2)]),
    ("[[Issue:+]] |aggregate=min(Hours) |group=Priority |sort=min(Hours)", [
        ("P2", 1), ("P1", 2), ("P3", 3), ("(none)", 4)]),
    ("[[Issue:+]] |aggregate=max(Hours) |group=Priority |sort=max |order=desc", [
        ("P3", 8), ("P2", 5), ("(none)", 4), ("P1", 2)]),
    ("[[Issue:+]] |aggregate=count |group=Priority |sort=Priority |order=desc", [
        ("P4", 1), ("P3", 2), ("P2", 2), ("P1", 1), ("(none)", 1)]),
    ("[[Issue:+]] |aggregate=count |group=Priority |sort=count,Priority |order=desc,desc", [
        ("P3", 2), ("P2", 2), ("P4", 1), ("P1", 1), ("(none)", 1)]),
    ("[[Issue:+]] |aggregate=count |group=Tags |sort=count |order=desc |limit=3", [
        ("printer", 3), ("ink", 2), ("network", 2)]),
    ("[[Issue:+]] |aggregate=count |group=Category |sort=count |order=desc |limit=2", [
        ("Issues", 7), ("Hardware", 3)]),
    ("[[Issue:+]] [[Due::+]] |aggregate=count |group=Due |interval=month |sort=count |order=desc", [
        ("2026-11", 3), ("2026-12", 1), ("2027-01", 1)]),
])
def test_groups_sort_by_their_aggregate_in_sql(issues, text, expected):
    assert groups(issues, text) == expected


def test_limit_and_offset_page_through_sorted_groups(issues):
    pages = [ask(issues, f"{TOP_PRIORITIES} |limit=2 |offset={offset}") for offset in (0, 2, 4)]
    assert [(p.groups, p.more) for p in pages] == [
        ([("P2", 2), ("P3", 2)], True), ([("P1", 1), ("P4", 1)], True), ([("(none)", 1)], False)]


def test_groups_are_bounded_by_the_largest_limit_not_the_row_default(issues):
    query = parse_query(split_query("[[Issue:+]] |aggregate=count |group=Priority"), issues.titles, 500)
    assert query.limit == 500
    capped = ask(issues, TOP_PRIORITIES, max_limit=3)
    assert capped.groups == [("P2", 2), ("P3", 2), ("P1", 1)] and capped.more is True


def test_sorted_query_text_reads_back_the_same(issues):
    query = parse_query(split_query("[[Issue:+]] |aggregate=sum(Hours) |group=Priority |sort=SUM,priority "
                                    "|order=desc,asc |limit=3"), issues.titles)
    assert query.sort == [("sum(Hours)", True), ("Priority", False)]
    again = parse_query(split_query(query.to_text()), issues.titles)
    assert again.sort == query.sort and again.limit == 3


@pytest.mark.parametrize("text, message", [
    ("[[Issue:+]] |aggregate=count |group=Priority |sort=Hours",
     "grouped results sort by count (the aggregate) or Priority (the group), not 'Hours'"),
    ("[[Issue:+]] |aggregate=sum(Hours) |group=Priority |sort=sum(Due)",
     "grouped results sort by sum(Hours) (the aggregate) or Priority (the group), not 'sum(Due)'"),
    ("[[Issue:+]] |aggregate=count |group=Category |sort=avg",
     "grouped results sort by count (the aggregate) or Category (the group), not 'avg'"),
    ("[[Issue:+]] |sort=count |order=desc",
     "no template declares a field Count to sort by; sort=count sorts grouped results, "
     "for example |aggregate=count |group=Category |sort=count |order=desc"),
])
def test_unknown_sort_keys_name_what_is_allowed(issues, text, message):
    with pytest.raises(QueryError) as caught:
        ask(issues, text)
    assert message in str(caught.value)


def test_embedded_top_n_shows_the_cut_and_links_further(issues):
    html = save(issues, "Project:Top priorities", "{{#ask: " + TOP_PRIORITIES + " |limit=2}}").output.html
    cells = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td></tr>", html)
    assert cells == [("P2", "2"), ("P3", "2")]
    assert "further results" in html and "offset%3D2" in html
    whole = save(issues, "Project:All priorities", "{{#ask: " + TOP_PRIORITIES + "}}").output.html
    assert "further results" not in whole


def test_special_ask_pages_through_sorted_groups(issues):
    client = analyst_client(issues)
    first = client.get("/wiki/Special:Ask?query=" + quote(TOP_PRIORITIES + " |limit=2")).get_data(as_text=True)
    assert re.findall(r"<tr><td>([^<]*)</td><td>", first) == ["P2", "P3"] and "Next page" in first
    second = client.get("/wiki/Special:Ask?query=" + quote(TOP_PRIORITIES + " |limit=2 |offset=2"))
    assert re.findall(r"<tr><td>([^<]*)</td><td>", second.get_data(as_text=True)) == ["P1", "P4"]
    bad = client.get("/wiki/Special:Ask?query=" + quote("[[Issue:+]] |aggregate=count |group=Priority |sort=Due"))
    assert bad.status_code == 400 and "sort by count (the aggregate) or Priority (the group)" in bad.get_data(
        as_text=True)


def test_api_exports_keep_the_sorted_order(issues):
    client = analyst_client(issues)
    query = quote(TOP_PRIORITIES + " |limit=3")
    body = client.get(f"/api/v1/ask?query={query}&format=json").get_json()
    assert [(g["group"], g["value"]) for g in body["groups"]] == [("P2", 2), ("P3", 2), ("P1", 1)]
    assert body["more"] is True and body["limit"] == 3 and body["offset"] == 0
    rows = list(csv.reader(io.StringIO(client.get(f"/api/v1/ask?query={query}&format=csv").get_data(as_text=True))))
    assert rows == [["Priority", "count"], ["P2", "2"], ["P3", "2"], ["P1", "1"]]
    error = client.get("/api/v1/ask?query=" + quote("[[Issue:+]] |aggregate=count |group=Priority |sort=Hours"))
    assert error.status_code == 400 and "not 'Hours'" in error.get_json()["error"]["message"]


@pytest.mark.parametrize("chart", ["bar", "pie"])
def test_charts_draw_groups_in_the_sorted_order(issues, chart):
    client = analyst_client(issues)
    query = quote(f"[[Issue:+]] |aggregate=sum(Hours) |group=Priority |sort=sum |order=desc |format={chart}")
    svg = client.get(f"/api/v1/ask?query={query}&format=svg").get_data(as_text=True)
    drawn = re.findall(r"<title>([^<:]+): ", svg)
    assert drawn == ["P3", "P2", "(none)", "P1"]
