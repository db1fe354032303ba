"""Scheduled jobs: run in-process by ``ticketwiki serve`` and by ``ticketwiki jobs run``.

A job is claimed by writing a lease in the database before it runs, so two app processes
(or a cron run beside a server) never run the same job at once; a job that is not yet due
is skipped.  Jobs themselves must still be safe to run twice in a row.
"""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.exc import IntegrityError

from wiki.hooktypes import Job
from wiki.models import JobRun
from wiki.plugins import gather
from wiki.site import Site

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)


@dataclass
class JobOutcome:
    name: str
    ran: bool
    error: str | None = None
    reason: str = ""


def registered_jobs(site: Site) -> dict[str, Job]:
    jobs: dict[str, Job] = {}
    for job in gather(site.hook.register_jobs):
        if job.name in jobs:
            raise ValueError(f"job {job.name!r} is registered twice")
        jobs[job.name] = job
    return jobs


def _claim(site: Site, job: Job, now: datetime, force: bool) -> str | None:
    """Take the job's lease; returns why not when it cannot be taken."""
    try:
        with site.db.write() as session:
            row = session.get(JobRun, job.name, with_for_update=True)
            if row is None:
                row = JobRun(name=job.name, runs=0)
                session.add(row)
            if row.lease_until is not None and row.lease_until > now:
                return "running elsewhere"
            due = row.last_started_at is None or row.last_started_at + timedelta(seconds=job.every_seconds) <= now
            if not due and not force:
                return "not due"
            row.last_started_at = now
            row.lease_until = now + LEASE
    except IntegrityError:
        return "claimed elsewhere"
    return None


def _finish(site: Site, name: str, error: str | None) -> None:
    with site.db.write() as session:
        row = session.get(JobRun, name)
        row.last_finished_at = datetime.now(timezone.utc)
        row.lease_until = None
        row.last_error = error
        row.runs += 1


def run_jobs(site: Site, names: list[str] | None = None, force: bool = False) -> list[JobOutcome]:
    """Run the due jobs (all, or those named); ``force`` ignores their schedule, not their lease.
    Switched-off plugins have no jobs (the switches are read again first)."""
    site.plugins.refresh()
    jobs = registered_jobs(site)
    unknown = set(names or ()) - set(jobs)
    if unknown:
        raise KeyError(f"no such job: {', '.join(sorted(unknown))}; known: {', '.join(sorted(jobs)) or 'none'}")
    outcomes = []
    for name in names or sorted(jobs):
        job = jobs[name]
        why_not = _claim(site, job, datetime.now(timezone.utc), force)
        if why_not:
            outcomes.append(JobOutcome(name, ran=False, reason=why_not))
            continue
        error = None
        try:
            job.run(site)
        except Exception:  # a failing job must not stop the others; its error is recorded
            error = traceback.format_exc(limit=5)
            log.exception("job %s failed", name)
        _finish(site, name, error)
        outcomes.append(JobOutcome(name, ran=True, error=error))
    return outcomes


class Scheduler:
    """Runs due jobs every ``interval`` seconds in a daemon thread (used by ``ticketwiki serve``)."""

    def __init__(self, site: Site, interval: float = 15.0):
        self.site = site
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ticketwiki-jobs", daemon=True)

    def start(self) -> "Scheduler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_jobs(self.site)
            except Exception:
                log.exception("job runner failed")
            self._stop.wait(self.interval)
