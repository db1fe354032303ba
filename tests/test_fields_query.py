"""``#ask`` queries: conditions, sorting, limits, formats, aggregates, permissions, Special:Ask and the API."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest

from tests.support.wiki import add_user, login, save
from wiki.app import create_app
from wiki.fields.query import QueryError, parse_query, run, split_query
from wiki.fields.testing import install_tickets, ticket
from wiki.permissions import ANONYMOUS, SYSTEM

TICKETS = [
    ("Ticket:1", dict(Status="Open", Priority="P1", Hours="2", Due="2026-11-01", Tags="printer, ink")),
    ("Ticket:2", dict(Status="Open", Priority="P3", Hours="5.5", Due="2026-12-15", Tags="network")),
    ("Ticket:3", dict(Status="Resolved", Priority="P2", Hours="1", Due="2027-01-10", Tags="printer")),
    ("Ticket:4", dict(Status="Closed", Priority="P1", Hours="8")),
    ("Ticket:5", dict(Priority="P4")),
]


def _setup(site):
    install_tickets(site, form=False)
    for title, fields in TICKETS:
        save(site, title, ticket(f"Problem {title[-1]}", **fields))
    save(site, "Unrelated", "No ticket here. [[Category:Tickets]]")


def ask(site, text, actor=SYSTEM):
    with site.db.read() as session:
        return run(site, session, actor, parse_query(split_query(text), site.titles))


def titles(site, text, actor=SYSTEM):
    return [row.title.prefixed for row in ask(site, text, actor).rows]


@pytest.fixture
def tickets(any_site):
    _setup(any_site)
    return any_site


@pytest.mark.parametrize("text, expected", [
    ("[[Ticket:+]]", ["Ticket:1", "Ticket:2", "Ticket:3", "Ticket:4", "Ticket:5"]),
    ("[[Category:Tickets]] [[:+]]", ["Unrelated"]),
    ("[[Status::Open]]", ["Ticket:1", "Ticket:2"]),
    ("[[Status::open||resolved]]", ["Ticket:1", "Ticket:2", "Ticket:3"]),
    ("[[Status::!New]] [[Priority::P1]]", ["Ticket:1", "Ticket:4"]),
    ("[[Hours::>2]]", ["Ticket:2", "Ticket:4"]),
    ("[[Hours::>=2]] [[Hours::<8]]", ["Ticket:1", "Ticket:2"]),
    ("[[Due::<2026-12-31]]", ["Ticket:1", "Ticket:2"]),
    ("[[Tags::print*]]", ["Ticket:1", "Ticket:3"]),
    ("[[Tags::!printer]]", ["Ticket:2"]),
    ("[[Subject::*lem 3]]", ["Ticket:3"]),
    ("[[Due::+]] [[Tags::ink||network]]", ["Ticket:1", "Ticket:2"]),
    ("[[Ticket:2||Ticket:4]]", ["Ticket:2", "Ticket:4"]),
    ("[[Title::*3]]", ["Ticket:3"]),
    ("[[Created::>2000-01-01]] [[Priority::P4]]", ["Ticket:5"]),
])
def test_conditions(tickets, text, expected):
    assert titles(tickets, text) == expected


def test_sorting_on_several_fields_with_missing_values_last(tickets):
    assert titles(tickets, "[[Ticket:+]] |sort=Priority,Hours |order=asc,desc") == [
        "Ticket:4", "Ticket:1", "Ticket:3", "Ticket:2", "Ticket:5"]
    assert titles(tickets, "[[Ticket:+]] |sort=Due |order=desc") == [
        "Ticket:3", "Ticket:2", "Ticket:1", "Ticket:4", "Ticket:5"]


def test_printouts_limit_offset_and_more(tickets):
    result = ask(tickets, "[[Ticket:+]] |?Status |?Tags=Labels |?Hours |sort=Hours |limit=2 |offset=1")
    assert [(r.title.prefixed, r.values) for r in result.rows] == [
        ("Ticket:1", {"Status": ["Open"], "Tags": ["printer", "ink"], "Hours": ["2"]}),
        ("Ticket:2", {"Status": ["Open"], "Tags": ["network"], "Hours": ["5.5"]}),
    ]
    assert result.more is True
    assert ask(tickets, "[[Ticket:+]] |sort=Hours |limit=2 |offset=3").more is False


def test_count_and_aggregates(tickets):
    assert ask(tickets, "[[Ticket:+]] |format=count").count == 5
    assert ask(tickets, "[[Ticket:+]] |aggregate=count |group=Status").groups == [
        ("Closed", 1), ("New", 1), ("Open", 2), ("Resolved", 1)]
    assert ask(tickets, "[[Ticket:+]] |aggregate=sum(Hours) |group=Priority").groups == [
        ("P1", 10.0), ("P2", 1.0), ("P3", 5.5)]
    assert ask(tickets, "[[Ticket:+]] |aggregate=avg(Hours) |group=Status").groups == [
        ("Closed", 8.0), ("Open", 3.75), ("Resolved", 1.0)]
    assert ask(tickets, "[[Ticket:+]] |aggregate=max(Hours) |group=Category").groups == [("Tickets", 8.0)]
    assert ask(tickets, "[[Ticket:+]] [[Due::+]] |aggregate=count |group=Due |interval=month |format=line").groups \
        == [("2026-11", 1), ("2026-12", 1), ("2027-01", 1)]
    assert ask(tickets, "[[Category:Tickets]] |aggregate=count |group=Tags").groups == [
        ("ink", 1), ("network", 1), ("printer", 2), ("(none)", 3)]


@pytest.mark.parametrize("text, message", [
    ("[[Colour::Red]]", "no template declares the field Colour"),
    ("[[Hours::lots]]", "'lots' is not a number"),
    ("[[Ticket:+]] |sort", "unknown parameter 'sort'"),
    ("[[Ticket:+]] |format=tabel", "unknown format 'tabel'"),
    ("[[Ticket:+]] |aggregate=sum(Status) |group=Priority", "needs a number field; Status is enum"),
    ("[[Ticket:+]] |aggregate=count", "an aggregate needs group="),
    ("[[Ticket:+]] |limit=ten", "limit must be a whole number"),
    ("[[Nowhere:+]]", "no namespace called 'Nowhere'"),
    ("[[Hours::*1]]", "wildcards (*) only work on text fields"),
])
def test_bad_queries_name_what_is_wrong(tickets, text, message):
    with pytest.raises(QueryError) as caught:
        ask(tickets, text)
    assert message in str(caught.value)


def test_limit_is_capped_with_a_note(site):
    query = parse_query(split_query("[[Ticket:+]] |limit=9000"), site.titles, max_limit=500)
    assert query.limit == 500 and "largest allowed, 500" in query.notes[0]


def test_customers_only_see_their_own_accounts_pages(any_site):
    install_tickets(any_site, form=False)
    cora = add_user(any_site, "Cora", role="customer", account="Acme")
    dan = add_user(any_site, "Dan", role="customer", account="Globex")
    save(any_site, "Ticket:1", ticket("Acme printer", Status="Open"), actor=cora, account_id=cora.account_id)
    save(any_site, "Ticket:2", ticket("Globex printer", Status="Open"), actor=dan, account_id=dan.account_id)
    save(any_site, "Ticket:3", ticket("Internal", Status="Open"))
    query = "[[Status::Open]] |?Subject"
    assert titles(any_site, query) == ["Ticket:1", "Ticket:2", "Ticket:3"]
    assert titles(any_site, query, cora) == ["Ticket:1"]
    assert titles(any_site, query, dan) == ["Ticket:2"]
    assert titles(any_site, query, ANONYMOUS) == []
    assert ask(any_site, "[[Ticket:+]] |aggregate=count |group=Status", cora).groups == [("Open", 1)]


def test_embedded_query_renders_for_the_viewer_and_stays_current(site):
    _setup(site)
    cora = add_user(site, "Cora", role="customer", account="Acme")
    save(site, "Ticket:9", ticket("Mine", Status="Open"), actor=cora, account_id=cora.account_id)
    add_user(site, "Sam", role="staff")
    save(site, "Project:Open tickets", "{{#ask: [[Status::Open]] |?Priority |sort=Priority}}")
    client = create_app(site=site).test_client()
    login(client, "Sam")
    html = client.get("/wiki/Project:Open_tickets").get_data(as_text=True)
    assert 'class="wikitable ask-table"' in html and "Ticket:1" in html and "Ticket:9" in html
    save(site, "Ticket:1", ticket("Problem 1", Status="Closed"))
    html = client.get("/wiki/Project:Open_tickets").get_data(as_text=True)
    assert "Ticket:1<" not in html and "Ticket:2" in html
    customer = create_app(site=site).test_client()
    login(customer, "Cora")
    html = customer.get("/wiki/Project:Open_tickets").get_data(as_text=True)
    assert "Ticket:9" in html and "Ticket:2" not in html


def test_page_formats_list_count_chart_and_further_results(site):
    _setup(site)
    output = save(site, "Report", "{{#ask: [[Ticket:+]] |?Status |format=list |limit=2}}\n\n"
                                  "{{#ask: [[Ticket:+]] |format=count}}\n\n"
                                  "{{#ask: [[Ticket:+]] |group=Status |format=pie}}\n\n"
                                  "{{#ask: [[Colour::Red]]}}").output
    assert "volatile" in output.flags
    html = output.html
    assert '<ul class="ask-list"><li><a href="/wiki/Ticket:1">Ticket:1</a> (Status: Open)</li>' in html
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
    assert "Ticket:1" in html and "Ticket:2" not in html
    assert "Export CSV" in html and "format=csv" in html and "Next page" in html
    response = client.get("/wiki/Special:Ask?query=" + quote("[[Colour::Red]]"))
    assert response.status_code == 400 and "no template declares the field Colour" in response.get_data(as_text=True)


def test_api_ask_json_csv_and_svg(site):
    _setup(site)
    save(site, "Ticket:6", ticket("=HYPERLINK(1)", Status="Open"))
    add_user(site, "Sam", role="analyst")
    client = create_app(site=site).test_client()
    login(client, "Sam")
    body = client.get("/api/v1/ask?query=" + quote("[[Status::Open]] |?Priority |?Tags") + "&format=json").get_json()
    assert body["results"][0] == {"title": "Ticket:1", "namespace": 3000,
                                  "fields": {"Priority": ["P1"], "Tags": ["printer", "ink"]}}
    assert body["more"] is False and len(body["results"]) == 3
    response = client.get("/api/v1/ask?query=" + quote("[[Status::Open]] |?Subject") + "&format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Title", "Subject"] and ["Ticket:6", "'=HYPERLINK(1)"] in rows
    grouped = client.get("/api/v1/ask?query=" + quote("[[Ticket:+]] |aggregate=count |group=Status")).get_json()
    assert {"group": "Open", "value": 3.0} in grouped["groups"]
    svg = client.get("/api/v1/ask?query=" + quote("[[Ticket:+]] |group=Priority |format=bar") + "&format=svg")
    assert svg.mimetype == "image/svg+xml" and svg.get_data(as_text=True).startswith("<svg")
    assert "<script" not in svg.get_data(as_text=True) and "P1: 2" in svg.get_data(as_text=True)
    error = client.get("/api/v1/ask?query=" + quote("[[Hours::lots]]"))
    assert error.status_code == 400 and error.get_json()["error"]["code"] == "invalid_query"
    assert client.get("/api/v1/ask?format=json").status_code == 400
