"""Field declarations, validation at save, derived field tables and per-revision field changes."""

from __future__ import annotations

import os
import subprocess
import sys

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from tests.support.wiki import add_user, csrf_token, login, save
from wiki.app import create_app
from wiki.fields.declare import DeclarationError, parse_declaration
from wiki.fields.models import FieldDeclaration, FieldValue
from wiki.fields.store import field_changes, format_changes, revision_fields
from wiki.fields.testing import IssuesPlugin, install_issues, issue
from wiki.fields.types import FieldTypeError, FieldValueError, TypeEnv, parse_type
from wiki.pages import SaveError

#: Every site built here has the Issue: namespace that the issue template and form use.
pytestmark = pytest.mark.site_plugins(IssuesPlugin())

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env(site):
    return TypeEnv(site.titles, lambda name: {"Alice": "Alice"}.get(name[:1].upper() + name[1:]))


def _values(site, title):
    with site.db.read() as session:
        page = site.get_page(session, site.titles.parse(title))
        rows = session.scalars(select(FieldValue).where(FieldValue.page_id == page.id)
                               .order_by(FieldValue.field, FieldValue.position))
        return [(r.field, r.value_text, r.value_number, r.value_date, r.value_bool) for r in rows]


# --- types and declarations ---------------------------------------------------------------

def test_types_parse_normalise_and_describe(site):
    env = _env(site)
    assert parse_type("integer").parse("1_000", env) == 1000
    assert parse_type("decimal").parse("3.50", env) == Decimal("3.50")
    assert parse_type("decimal").display(Decimal("3.50")) == "3.5"
    assert parse_type("boolean").parse("Yes", env) is True
    assert parse_type("date").parse("2026-12-01", env) == date(2026, 12, 1)
    assert parse_type("datetime").display(parse_type("datetime").parse("2026-12-01 10:00+02:00", env)) \
        == "2026-12-01 08:00:00"
    assert parse_type("enum(New, In progress)").parse("in PROGRESS", env) == "In progress"
    assert parse_type("user").parse("alice", env) == "Alice"
    assert parse_type("page").parse("help:fields", env) == "Help:Fields"
    assert parse_type("list(enum(a, b))").split(" a, ,b ") == ["a", "b"]
    assert parse_type("list(enum(a, b))").spec == "list(enum(a, b))"
    with pytest.raises(FieldValueError, match="not one of the allowed values \\(New, Open\\)"):
        parse_type("enum(New, Open)").parse("Pending", env)
    with pytest.raises(FieldValueError, match="existing user"):
        parse_type("user").parse("Mallory", env)
    with pytest.raises(FieldValueError, match="YYYY-MM-DD"):
        parse_type("date").parse("1/12/2026", env)
    with pytest.raises(FieldValueError, match="one line"):
        parse_type("text").parse("a\nb", env)


@pytest.mark.parametrize("spec, message", [
    ("money", "unknown type 'money'"),
    ("enum()", "enum needs its allowed values"),
    ("enum(a, A)", "lists a value twice"),
    ("list", "list needs the type of its items"),
    ("list(list(text))", "a list of lists"),
    ("date(3)", "takes no arguments"),
])
def test_bad_types_are_explained(spec, message):
    with pytest.raises(FieldTypeError, match=message.replace("(", "\\(").replace(")", "\\)")):
        parse_type(spec)


def test_declaration_syntax():
    decl = parse_declaration(" status = enum(New, Open, In progress) required default=In progress")
    assert (decl.name, decl.type.spec, decl.required, decl.default) == (
        "Status", "enum(New, Open, In progress)", True, "In progress")
    decl = parse_declaration("Due date = date default=2026-01-01 required")
    assert (decl.name, decl.required, decl.default) == ("Due date", True, "2026-01-01")
    with pytest.raises(DeclarationError, match="reserved"):
        parse_declaration("Created = date")
    with pytest.raises(DeclarationError, match="unknown option 'mandatory'"):
        parse_declaration("Due = date mandatory")
    with pytest.raises(DeclarationError, match="must look like 'Name = type'"):
        parse_declaration("Due")


def test_template_page_stores_and_shows_its_declaration(site):
    install_issues(site, form=False)
    with site.db.read() as session:
        rows = session.execute(select(FieldDeclaration.name, FieldDeclaration.spec, FieldDeclaration.required)
                               .order_by(FieldDeclaration.position)).all()
    assert rows[:3] == [("Subject", "text", True), ("Status", "enum(New, Open, In progress, Resolved, Closed)", True),
                        ("Priority", "enum(P1, P2, P3, P4)", False)]
    client = create_app(site=site).test_client()
    html = client.get("/wiki/Template:Issue").get_data(as_text=True)
    assert "Fields of this template" in html and "list(text)" in html


def test_declaration_table_is_in_each_readers_language(site):
    install_issues(site, form=False)
    client = create_app(site=site).test_client()
    chinese = client.get("/wiki/Template:Issue?uselang=zh").get_data(as_text=True)
    english = client.get("/wiki/Template:Issue?uselang=en").get_data(as_text=True)
    assert "Fields of this template" not in chinese and "Fields of this template" in english


def test_broken_declarations_are_refused(site):
    with pytest.raises(SaveError) as caught:
        save(site, "Template:Bad", "<noinclude>{{#declare: Due = dat | Size = enum(S, M) default=XL}}</noinclude>")
    text = " ".join(caught.value.messages)
    assert "unknown type 'dat'" in text
    assert "the default 'XL' is not one of the allowed values (S, M)" in text
    shown = save(site, "Not a template", "{{#declare: Due = date}}").output.html
    assert "#declare belongs on a Template: page" in shown


def test_one_field_name_holds_one_kind_of_value(site):
    install_issues(site, form=False)
    with pytest.raises(SaveError, match="the field Due is integer here but date in Template:Issue"):
        save(site, "Template:Other", "<noinclude>{{#declare: Due = integer}}</noinclude>")
    save(site, "Template:Other", "<noinclude>{{#declare: Due = date required}}</noinclude>")


# --- validation at save -----------------------------------------------------------------

def test_wrong_values_are_refused_naming_field_value_and_allowed(any_site):
    install_issues(any_site, form=False)
    add_user(any_site, "Alice")
    with pytest.raises(SaveError) as caught:
        save(any_site, "Issue:1", issue("Printer", Status="Pending", Due="tomorrow", Assignee="Nobody",
                                          Hours="two"))
    messages = caught.value.messages
    assert ("The field Status of Template:Issue: the value 'Pending' is not one of the allowed values "
            "(New, Open, In progress, Resolved, Closed).") in messages
    assert any("Due" in m and "'tomorrow'" in m and "YYYY-MM-DD" in m for m in messages)
    assert any("Assignee" in m and "'Nobody'" in m and "existing user" in m for m in messages)
    assert any("Hours" in m and "'two'" in m for m in messages)
    with pytest.raises(SaveError, match="The field Subject of Template:Issue is required"):
        save(any_site, "Issue:1", "{{Issue|Status=Open}}")
    result = save(any_site, "Issue:1", issue("Printer", Status="open", Assignee="alice", Tags="ink, paper"))
    assert result.revision is not None


def test_the_edit_form_keeps_the_text_when_a_value_is_wrong(site):
    install_issues(site, form=False)
    add_user(site, "Sam", role="staff")
    client = create_app(site=site).test_client()
    login(client, "Sam")
    text = issue("Printer on fire", Status="Burning")
    response = client.post("/wiki/Issue:7?action=submit", data={
        "text": text, "summary": "", "csrf_token": csrf_token(client, "/wiki/Issue:7?action=edit")})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "the value &#39;Burning&#39; is not one of the allowed values" in html
    assert "Printer on fire" in html and "Status=Burning" in html


# --- derived rows and field changes -----------------------------------------------------

def test_values_are_stored_typed_and_replaced(any_site):
    install_issues(any_site, form=False)
    save(any_site, "Issue:1", issue("Printer", Priority="p2", Hours="1.5", Tags="ink, paper, ink", Urgent="yes",
                                      Due="2026-12-01"))
    rows = _values(any_site, "Issue:1")
    assert ("Hours", None, 1.5, None, None) in rows
    assert ("Priority", "P2", None, None, None) in rows
    assert ("Status", "New", None, None, None) in rows  # the default
    assert [r[1] for r in rows if r[0] == "Tags"] == ["ink", "paper"]
    assert ("Urgent", None, None, None, True) in rows
    assert [r[3].date() for r in rows if r[0] == "Due"] == [date(2026, 12, 1)]
    save(any_site, "Issue:1", issue("Printer", Tags="ink"))
    rows = _values(any_site, "Issue:1")
    assert [r[0] for r in rows] == ["Status", "Subject", "Tags"]


def test_field_changes_are_recorded_per_revision(any_site):
    install_issues(any_site, form=False)
    first = save(any_site, "Issue:1", issue("Printer", Status="Open", Priority="P2")).revision.id
    second = save(any_site, "Issue:1", issue("Printer", Status="Resolved", Priority="P2", Hours="3")).revision.id
    third = save(any_site, "Issue:1", issue("Printer", Status="Resolved", Priority="P2", Hours="3") + "\nA note").revision.id
    with any_site.db.read() as session:
        changes = field_changes(session, [first, second, third])
        assert changes[first] == [("Priority", None, "P2"), ("Status", None, "Open"), ("Subject", None, "Printer")]
        assert changes[second] == [("Hours", None, "3"), ("Status", "Open", "Resolved")]
        assert third not in changes
        assert format_changes(changes[second]) == "Hours: (none) → 3; Status: Open → Resolved"
        assert revision_fields(session, first) == {"Subject": "Printer", "Status": "Open", "Priority": "P2"}


def test_a_declaration_change_re_derives_pages_using_the_template(site):
    install_issues(site, form=False)
    save(site, "Issue:1", issue("Printer", Hours="2"))
    assert any(r[0] == "Hours" for r in _values(site, "Issue:1"))
    save(site, "Template:Issue", "{{{Subject}}}<noinclude>{{#declare: Subject = text | Effort = integer}}</noinclude>")
    assert [r[0] for r in _values(site, "Issue:1")] == ["Subject"]


def test_api_page_shows_fields_of_the_revision(site):
    install_issues(site, form=False)
    old = save(site, "Issue:1", issue("Printer", Tags="a, b")).revision.id
    save(site, "Issue:1", issue("Printer", Status="Closed"))
    client = create_app(site=site).test_client()
    add_user(site, "Sam", role="staff")
    login(client, "Sam")
    body = client.get("/api/v1/pages/Issue:1").get_json()
    assert body["fields"] == {"Subject": "Printer", "Status": "Closed"}
    body = client.get(f"/api/v1/pages/Issue:1?revision={old}").get_json()
    assert body["fields"] == {"Subject": "Printer", "Status": "New", "Tags": ["a", "b"]}


def test_search_fields_hook_gives_values(site):
    install_issues(site, form=False)
    result = save(site, "Issue:1", issue("Printer", Priority="P1", Tags="a, b"))
    with site.db.read() as session:
        found = site.hook.search_fields(site=site, session=session, page=result.page, revision=result.revision,
                                        output=result.output)
    assert {"Subject": ["Printer"], "Status": ["New"], "Priority": ["P1"], "Tags": ["a", "b"]} in found


def test_rebuild_command_restores_the_tables(site):
    """The command builds its own site, without this module's test plugin: a main-namespace page."""
    install_issues(site, form=False)
    save(site, "Printer issue", issue("Printer", Priority="P1"))
    save(site, "Printer issue", issue("Printer", Priority="P3"))
    before = _values(site, "Printer issue")
    with site.db.write() as session:
        session.execute(delete(FieldValue))
        session.execute(delete(FieldDeclaration))
    assert _values(site, "Printer issue") == []
    env = {**os.environ, "TICKETWIKI_INSTANCE": str(site.settings.instance_path), "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-m", "wiki", "fields", "rebuild", "--history"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Field tables rebuilt for 2 pages." in result.stdout
    assert _values(site, "Printer issue") == before


def test_help_page_is_seeded_and_shows_the_syntax_without_running_it(make_site):
    site = make_site(seed=True)
    client = create_app(site=site).test_client()
    html = client.get("/wiki/Help:Fields").get_data(as_text=True)
    assert "Declaring fields on a template" in html
    assert "{{#declare: Status = enum(New, Open, In progress, Resolved, Closed) required default=New" in html
    assert "{{#ask: [[Category:Tickets]] [[Status::Open||In progress]]" in html
    assert 'class="error"' not in html
