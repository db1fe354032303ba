"""``#ask`` queries: conditions, sorting, limits, formats, aggregates, permissions, Special:Ask and the API."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest

from tests.support.wiki import add_user, login, save
from wiki.app import create_app
from wiki.fields.query import QueryError, parse_query, run, split_query
from wiki.fields.testing import IssuesPlugin, install_issues, issue
from wiki.permissions import ANONYMOUS, SYSTEM

#: Every site built here has the Issue: namespace that the issue template and form use.
pytestmark = pytest.mark.site_plugins(IssuesPlugin())

ISSUES = [
    ("Issue:1", dict(Status="Open", Priority="P1", Hours="2", Due="2026-11-01", Tags="printer, ink")),
    ("Issue:2", dict(Status="Open", Priority="P3", Hours="5.5", Due="2026-12-15", Tags="network")),
    ("Issue:3", dict(Status="Resolved", Priority="P2", Hours="1", Due="2027-01-10", Tags="printer")),
    ("Issue:4", dict(Status="Closed", Priority="P1", Hours="8")),
    ("Issue:5", dict(Priority="P4")),
]


def _setup(site):
    install_issues(site, form=False)
    for title, fields in ISSUES:
        save(site, title, issue(f"Problem {title[-1]}", **fields))
    save(site, "Unrelated", "No issue here. [[Category:Issues]]")


def ask(site, text, actor=SYSTEM):
    with site.db.read() as session:
        return run(site, session, actor, parse_query(split_query(text), site.titles))


def titles(site, text, actor=SYSTEM):
    return [row.title.prefixed for row in ask(site, text, actor).rows]


@pytest.fixture
def issues(any_site):
    _setup(any_site)
    return any_site


@pytest.mark.parametrize("text, expected", [
    ("[[Issue:+]]", ["Issue:1", "Issue:2", "Issue:3", "Issue:4", "Issue:5"]),
    ("[[Category:Issues]] [[:+]]", ["Unrelated"]),
    ("[[Status::Open]]", ["Issue:1", "Issue:2"]),
    ("[[Status::open||resolved]]", ["Issue:1", "Issue:2", "Issue:3"]),
    ("[[Status::!New]] [[Priority::P1]]", ["Issue:1", "Issue:4"]),
    ("[[Hours::>2]]", ["Issue:2", "Issue:4"]),
    ("[[Hours::>=2]] [[Hours::<8]]", ["Issue:1", "Issue:2"]),
    ("[[Due::<2026-12-31]]", ["Issue:1", "Issue:2"]),
    ("[[Tags::print*]]", ["Issue:1", "Issue:3"]),
    ("[[Tags::!printer]]", ["Issue:2"]),
    ("[[Subject::*lem 3]]", ["Issue:3"]),
    ("[[Due::+]] [[Tags::ink||network]]", ["Issue:1", "Issue:2"]),
    ("[[Issue:2||Issue:4]]", ["Issue:2", "Issue:4"]),
    ("[[Title::*3]]", ["Issue:3"]),
    ("[[Created::>2000-01-01]] [[Priority::P4]]", ["Issue:5"]),
])
def test_conditions(issues, text, expected):
    assert titles(issues, text) == expected


def test_sorting_on_several_fields_with_missing_values_last(issues):
    assert titles(issues, "[[Issue:+]] |sort=Priority,Hours |order=asc,desc") == [
        "Issue:4", "Issue:1", "Issue:3", "Issue:2", "Issue:5"]
    assert titles(issues, "[[Issue:+]] |sort=Due |order=desc") == [
        "Issue:3", "Issue:2", "Issue:1", "Issue:4", "Issue:5"]


def test_printouts_limit_offset_and_more(issues):
    result = ask(issues, "[[Issue:+]] |?Status |?Tags=Labels |?Hours |sort=Hours |limit=2 |offset=1")
    assert [(r.title.prefixed, r.values) for r in result.rows] == [
        ("Issue:1", {"Status": ["Open"], "Tags": ["printer", "ink"], "Hours": ["2"]}),
        ("Issue:2", {"Status": ["Open"], "Tags": ["network"], "Hours": ["5.5"]}),
    ]
    assert result.more is True
    assert ask(issues, "[[Issue:+]] |sort=Hours |limit=2 |offset=3").more is False


def test_count_and_aggregates(issues):
    assert ask(issues, "[[Issue:+]] |format=count").count == 5
    assert ask(issues, "[[Issue:+]] |aggregate=count |group=Status").groups == [
        ("Closed", 1), ("New", 1), ("Open", 2), ("Resolved", 1)]
    assert ask(issues, "[[Issue:+]] |aggregate=sum(Hours) |group=Priority").groups == [
        ("P1", 10.0), ("P2", 1.0), ("P3", 5.5)]
    assert ask(issues, "[[Issue:+]] |aggregate=avg(Hours) |group=Status").groups == [
        ("Closed", 8.0), ("Open", 3.75), ("Resolved", 1.0)]
    assert ask(issues, "[[Issue:+]] |aggregate=max(Hours) |group=Category").groups == [("Issues", 8.0)]
    assert ask(issues, "[[Issue:+]] [[Due::+]] |aggregate=count |group=Due |interval=month |format=line").groups \
        == [("2026-11", 1), ("2026-12", 1), ("2027-01", 1)]
    assert ask(issues, "[[Category:Issues]] |aggregate=count |group=Tags").groups == [
        ("ink", 1), ("network", 1), ("printer", 2), ("(none)", 3)]


@pytest.mark.parametrize("text, message", [
    ("[[Colour::Red]]", "no template declares the field Colour"),
    ("[[Hours::lots]]", "'lots' is not a number"),
    ("[[Issue:+]] |sort", "unknown parameter 'sort'"),
    ("[[Issue:+]] |format=tabel", "unknown format 'tabel'"),
    ("[[Issue:+]] |aggregate=sum(Status) |group=Priority", "needs a number field; Status is enum"),
    ("[[Issue:+]] |aggregate=count", "an aggregate needs group="),
    ("[[Issue:+]] |limit=ten", "limit must be a whole number"),
    ("[[Nowhere:+]]", "no namespace called 'Nowhere'"),
    ("[[Hours::*1]]", "wildcards (*) only work on text fields"),
])
def test_bad_queries_name_what_is_wrong(issues, text, message):
    with pytest.raises(QueryError) as caught:
        ask(issues, text)
    assert message in str(caught.value)


def test_limit_is_capped_with_a_note(site):
    query = parse_query(split_query("[[Issue:+]] |limit=9000"), site.titles, max_limit=500)
    assert query.limit == 500 and "largest allowed, 500" in query.notes[0]


def test_customers_only_see_their_own_accounts_pages(any_site):
    install_issues(any_site, form=False)
    cora = add_user(any_site, "Cora", role="customer", account="Acme")
    dan = add_user(any_site, "Dan", role="customer", account="Globex")
    save(any_site, "Issue:1", issue("Acme printer", Status="Open"), actor=cora, account_id=cora.account_id)
    save(any_site, "Issue:2", issue("Globex printer", Status="Open"), actor=dan, account_id=dan.account_id)
    save(any_site, "Issue:3", issue("Internal", Status="Open"))
    query = "[[Status::Open]] |?Subject"
    assert titles(any_site, query) == ["Issue:1", "Issue:2", "Issue:3"]
    assert titles(any_site, query, cora) == ["Issue:1"]
    assert titles(any_site, query, dan) == ["Issue:2"]
    assert titles(any_site, query, ANONYMOUS) == []
    assert ask(any_site, "[[Issue:+]] |aggregate=count |group=Status", cora).groups == [("Open", 1)]


def test_embedded_query_renders_for_the_viewer_and_stays_current(site):
    _setup(site)
    cora = add_user(site, "Cora", role="customer", account="Acme")
    save(site, "Issue:9", issue("Mine", Status="Open"), actor=cora, account_id=cora.account_id)
    add_user(site, "Sam", role="staff")
    save(site, "Project:Open issues", "{{#ask: [[Status::Open]] |?Priority |sort=Priority}}")
    client = create_app(site=site).test_client()
    login(client, "Sam")
    html = client.get("/wiki/Project:Open_issues").get_data(as_text=True)
    assert 'class="wikitable ask-table"' in html and "Issue:1" in html and "Issue:9" in html
    save(site, "Issue:1", issue("Problem 1", Status="Closed"))
    html = client.get("/wiki/Project:Open_issues").get_data(as_text=True)
    assert "Issue:1<" not in html and "Issue:2" in html
    customer = create_app(site=site).test_client()
    login(customer, "Cora")
    html = customer.get("/wiki/Project:Open_issues").get_data(as_text=True)
    assert "Issue:9" in html and "Issue:2" not in html


def test_page_formats_list_count_chart_and_further_results(site):
    _setup(site)
    output = save(site, "Report", "{{#ask: [[Issue:+]] |?Status |format=list |limit=2}}\n\n"
                                  "{{#ask: [[Issue:+]] |format=count}}\n\n"
                                  "{{#ask: [[Issue:+]] |group=Status |format=pie}}\n\n"
                                  "{{#ask: [[Colour::Red]]}}").output
    assert "volatile" in output.flags
    html = output.html
    assert '<ul class="ask-list"><li><a href="/wiki/Issue:1">Issue:1</a> (Status: Open)</li>' in html
    assert '<span class="ask-count">5</span>' in html
    assert '<img src="/api/v1/ask?query=' in html and "format=svg" in html
    assert "further results" in html and "/wiki/Special:Ask?query=" in html
    assert "no template declares the field Colour" in html


def test_special_ask_shows_results_links_and_errors(site):
    _setup(site)
    add_user(site, "Sam", role="staff")
    client = create_app(site=site).test_client()
    login(client, "Sam")
    assert "Find results" in client.get("/wiki/Special:Ask").get_data(as_text=True)
    query = quote("[[Status::Open]] |?Priority |sort=Priority |limit=1")
    html = client.get(f"/wiki/Special:Ask?query={query}").get_data(as_text=True)
    assert "Issue:1" in html and "Issue:2" not in html
    assert "Export CSV" in html and "format=csv" in html and "Next page" in html
    response = client.get("/wiki/Special:Ask?query=" + quote("[[Colour::Red]]"))
    assert response.status_code == 400 and "no template declares the field Colour" in response.get_data(as_text=True)


def test_api_ask_json_csv_and_svg(site):
    _setup(site)
    save(site, "Issue:6", issue("=HYPERLINK(1)", Status="Open"))
    add_user(site, "Sam", role="analyst")
    client = create_app(site=site).test_client()
    login(client, "Sam")
    body = client.get("/api/v1/ask?query=" + quote("[[Status::Open]] |?Priority |?Tags") + "&format=json").get_json()
    assert body["results"][0] == {"title": "Issue:1", "namespace": 3900,
                                  "fields": {"Priority": ["P1"], "Tags": ["printer", "ink"]}}
    assert body["more"] is False and len(body["results"]) == 3
    response = client.get("/api/v1/ask?query=" + quote("[[Status::Open]] |?Subject") + "&format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Title", "Subject"] and ["Issue:6", "'=HYPERLINK(1)"] in rows
    grouped = client.get("/api/v1/ask?query=" + quote("[[Issue:+]] |aggregate=count |group=Status")).get_json()
    assert {"group": "Open", "value": 3.0} in grouped["groups"]
    svg = client.get("/api/v1/ask?query=" + quote("[[Issue:+]] |group=Priority |format=bar") + "&format=svg")
    assert svg.mimetype == "image/svg+xml" and svg.get_data(as_text=True).startswith("<svg")
    assert "<script" not in svg.get_data(as_text=True) and "P1: 2" in svg.get_data(as_text=True)
    error = client.get("/api/v1/ask?query=" + quote("[[Hours::lots]]"))
    assert error.status_code == 400 and error.get_json()["error"]["code"] == "invalid_query"
    assert client.get("/api/v1/ask?format=json").status_code == 400
