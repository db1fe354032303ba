"""Serving with several processes (gunicorn), for installations that want every core.

Each worker builds its own site after the fork, so no database connection or index handle
is shared between processes; the scheduled jobs run once, in the master process.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from wiki.config import load_settings
from wiki.jobs import Scheduler
from wiki.plugins import make_plugin_manager
from wiki.site import Site


def _site(instance: str | None) -> Site:
    return Site(load_settings(instance), make_plugin_manager())


class WikiApplication(BaseApplication):
    def __init__(self, instance: str | None, options: dict):
        self.instance = instance
        self.options = options
        self.scheduler: Scheduler | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("when_ready", self._start_jobs)
        self.cfg.set("on_exit", self._stop_jobs)

    def load(self):
        from wiki.app import create_app

        return create_app(site=_site(self.instance))

    def _start_jobs(self, _arbiter) -> None:
        self.scheduler = Scheduler(_site(self.instance)).start()

    def _stop_jobs(self, _arbiter) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()


def serve_gunicorn(instance: str | None, host: str, port: int, workers: int, threads: int) -> None:
    WikiApplication(instance, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": None,
        "graceful_timeout": 10,
    }).run()
