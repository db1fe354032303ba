"""Namespace definitions from TOML files, and the registry's clash checks."""

import pytest

from wiki.namespaces import (
    CORE_NAMESPACE_DIR,
    Namespace,
    NamespaceError,
    NamespaceRegistry,
    load_namespace_dir,
    load_namespace_file,
)

MEDIAWIKI_NUMBERS = {0: "", 1: "Talk", 2: "User", 3: "User talk", 4: "Project", 5: "Project talk", 6: "File",
                     7: "File talk", 10: "Template", 11: "Template talk", 12: "Help", 13: "Help talk",
                     14: "Category", 15: "Category talk", 106: "Form", 107: "Form talk"}


def test_core_namespaces_follow_mediawiki_numbers():
    loaded = {ns.number: ns.name for ns in load_namespace_dir(CORE_NAMESPACE_DIR)}
    assert loaded == MEDIAWIKI_NUMBERS


def test_site_has_plugin_namespaces(site):
    ticket = site.namespaces.get(3000)
    assert ticket.name == "Ticket" and ticket.source == "tickets"
    assert site.namespaces.talk_of(ticket).name == "Ticket talk"
    assert site.titles.parse("ticket talk:1001").ns == 3001
    assert (ticket.created_by, ticket.record_template) == ("tickets", "Ticket")
    assert site.namespaces.record_namespace("Ticket") is ticket


def test_rights_default_and_override(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('number = 3100\nname = "X"\n[rights]\nedit = ["admin"]\n[talk]\nname = "X talk"\n')
    subject, talk = load_namespace_file(path, source="x")
    assert subject.roles_for("edit") == ("admin",)
    assert subject.roles_for("read") == ("*",)
    assert talk.number == 3101 and talk.is_talk


@pytest.mark.parametrize(
    "text, message",
    [
        ('name = "X"\n', "'number' and 'name' are required"),
        ('number = 3100\nname = "X"\n[rights]\nfly = ["admin"]\n', "unknown right 'fly'"),
        ('number = 3100\nname = "X"\n[rights]\nedit = "admin"\n', "must be a list"),
        ('number = 3100\nname = "X"\n[talk]\nnumber = 3105\nname = "Y"\n', "next odd number"),
        ('number = 3100\nname = "X"\ncreated_by = 3\n', "'created_by' must be a non-empty string"),
        ('number = 3100\nname = "X"\nrecord_template = " "\n', "'record_template' must be a non-empty string"),
    ],
)
def test_bad_definitions_are_refused(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(NamespaceError, match=message):
        load_namespace_file(path)


def test_clashing_numbers_and_names_are_refused():
    registry = NamespaceRegistry()
    for ns in load_namespace_dir(CORE_NAMESPACE_DIR):
        registry.add(ns)
    with pytest.raises(NamespaceError, match="clashes"):
        registry.add(Namespace(number=12, name="Hilfe", source="other"))
    with pytest.raises(NamespaceError, match="is taken"):
        registry.add(Namespace(number=3200, name="help", source="other"))


def test_a_namespace_names_the_service_that_fills_it_and_its_record_template(tmp_path):
    path = tmp_path / "invoice.toml"
    path.write_text('number = 3100\nname = "Invoice"\ncreated_by = "billing"\nrecord_template = "invoice_header"\n'
                    '[talk]\nname = "Invoice talk"\n')
    subject, talk = load_namespace_file(path, source="billing")
    assert (subject.created_by, subject.record_template) == ("billing", "Invoice header")
    assert (talk.created_by, talk.record_template) == (None, None)
    registry = NamespaceRegistry()
    registry.add(subject)
    registry.add(talk)
    assert registry.record_namespace("Invoice header") is subject and registry.record_namespace("Invoice") is None
    with pytest.raises(NamespaceError, match="already makes the records of 'Invoice'"):
        registry.add(Namespace(number=3200, name="Bill", record_template="Invoice header", source="other"))
