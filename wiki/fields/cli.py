"""``ticketwiki fields ...``: maintenance of the derived field tables."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from wiki.fields.store import rebuild
from wiki.models import Page


@click.group()
def fields() -> None:
    """Structured fields: rebuild the field tables."""


@fields.command("rebuild")
@click.option("--history", is_flag=True, help="Also recompute the values and changes of old revisions (slow).")
@click.pass_obj
def fields_rebuild(ctx, history: bool) -> None:
    """Re-derive declarations, field values and forms of every page from its current revision."""
    site = ctx.site
    with site.db.read() as session:
        total = session.scalar(select(func.count()).select_from(Page).where(Page.deleted.is_(False))) or 0
    with click.progressbar(length=total, label="Rebuilding field tables") as bar:
        done = rebuild(site, history=history, progress=bar.update)
    click.echo(f"Field tables rebuilt for {done} pages.")
