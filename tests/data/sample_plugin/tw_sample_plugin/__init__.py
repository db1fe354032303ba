"""A third-party plugin: a Recipe namespace, a #shout parser function, a seed page, a route
and a table of its own, all without touching the core."""

from pathlib import Path

import click
from flask import Blueprint, jsonify

from wiki.hooktypes import SeedPage
from wiki.hookspecs import hookimpl
from wiki.markup import ParserFunction
from wiki.namespaces import load_namespace_dir

HERE = Path(__file__).resolve().parent
__version__ = "1.2.3"

blueprint = Blueprint("sample", __name__, url_prefix="/sample")


@blueprint.get("/hello")
def hello():
    return jsonify({"hello": "from a plugin"})


@hookimpl
def register_namespaces():
    return load_namespace_dir(HERE, source="tw-sample-plugin")


@hookimpl
def register_parser_functions():
    return [ParserFunction("shout", lambda call: call.arg(0).upper() + "!")]


@hookimpl
def register_seed_pages():
    return [SeedPage("Recipe:Pancakes", "{{#shout: flip them}} [[Category:Breakfast]]")]


@hookimpl
def register_blueprints():
    return [blueprint]


@hookimpl
def register_migrations():
    return [str(HERE / "migrations")]


@click.command("sample-hello")
def sample_hello():
    """Say hello from the sample plugin."""
    click.echo("hello from the sample plugin's command")


@hookimpl
def register_cli_commands():
    return [sample_hello]
