"""Database upkeep as a built-in job: ``db.optimize`` keeps SQLite's planner statistics fresh."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

from wiki.hooktypes import Job
from wiki.hookspecs import hookimpl

log = logging.getLogger(__name__)
DAY = 24 * 60 * 60


def optimize(site) -> None:
    """Refresh the planner statistics; a database still busy after the busy timeout is left
    for the next run, any other error fails the job."""
    try:
        site.db.update_planner_statistics()
    except OperationalError as exc:
        if not getattr(exc.orig, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise
        log.warning("planner statistics not updated, the database is busy (%s); tried again at the next run",
                    exc.orig)


@hookimpl
def register_jobs():
    return [Job("db.optimize", optimize, every_seconds=DAY)]
