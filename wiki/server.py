"""Serving with several processes (gunicorn), for installations that want every core.

Each worker builds its own site after the fork, so no database connection or index handle
is shared between processes.  Each worker also runs the job scheduler on its own site (the
jobs' database leases let only one process run a job at a time).  The master runs nothing
but gunicorn: a thread of ours working in SQLite while the master forks a worker would leave
SQLite's process-wide mutex locked in the child, which then hangs on its first connection.

gunicorn's control socket (for ``gunicornc``) is the instance's ``gunicorn.ctl``: gunicorn's
default is one path per user account (``$XDG_RUNTIME_DIR/gunicorn.ctl``), so each server
started on a machine took it over from the one before, and stopping any of them removed it.
"""

from __future__ import annotations

from pathlib import Path

from gunicorn.app.base import BaseApplication

from wiki.config import load_settings
from wiki.jobs import Scheduler
from wiki.site import Site, create_site

CONTROL_SOCKET = "gunicorn.ctl"


def _site(instance: str | None) -> Site:
    return create_site(load_settings(instance))


class WikiApplication(BaseApplication):
    def __init__(self, instance: str | None, options: dict):
        self.instance = instance
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_worker_init", _start_jobs)
        self.cfg.set("worker_exit", _stop_jobs)

    def load(self):
        from wiki.app import create_app

        return create_app(site=_site(self.instance))


def _start_jobs(worker) -> None:
    worker.scheduler = Scheduler(worker.wsgi.extensions["ticketwiki"]).start()


def _stop_jobs(_server, worker) -> None:
    scheduler = getattr(worker, "scheduler", None)
    if scheduler is not None:
        scheduler.stop()


def control_socket(instance: str | None) -> Path:
    """Where the server of this instance listens for ``gunicornc -s PATH``."""
    return load_settings(instance).instance_path / CONTROL_SOCKET


def serve_gunicorn(instance: str | None, host: str, port: int, workers: int, threads: int) -> None:
    WikiApplication(instance, {
        "bind": f"{host}:{port}",
        "control_socket": str(control_socket(instance)),
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": None,
        "graceful_timeout": 10,
    }).run()
