"""``ticketwiki search rebuild`` and ``ticketwiki search check``."""

from __future__ import annotations

import click

from wiki.search.indexer import live_page_count, check, rebuild


@click.group("search")
def search() -> None:
    """Full-text search index."""


@search.command("rebuild")
@click.pass_obj
def rebuild_command(ctx) -> None:
    """Empty the search index and index every page again."""
    site = ctx.site
    with click.progressbar(length=live_page_count(site), label="Indexing pages", show_pos=True) as bar:
        total = rebuild(site, progress=bar.update)
    click.echo(f"Indexed {total} pages into {site.settings.search_path}.")


@search.command("check")
@click.pass_obj
def check_command(ctx) -> None:
    """Report pages whose indexed revision differs from the current one (exit 1 if any)."""
    drift = check(ctx.site)
    for item in drift:
        click.echo(f"{item.title} (page {item.page_id}): {item.problem}")
    if drift:
        click.echo(f"{len(drift)} pages differ; run 'ticketwiki search rebuild' to repair.", err=True)
        raise SystemExit(1)
    click.echo("The search index matches the database.")
