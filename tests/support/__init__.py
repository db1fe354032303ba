"""Helpers for ticketwiki's tests: real servers on loopback, no mocks.

Modules (none of them imports the application):

- :mod:`tests.support.postgres`: find the PostgreSQL server for tests, create and
  drop throwaway databases (``create_database`` / ``drop_database`` /
  ``temporary_database``).
- :mod:`tests.support.smtp`: ``SmtpSink``, a real SMTP server (aiosmtpd) on
  127.0.0.1 that keeps what it receives.
- :mod:`tests.support.live_server`: ``LiveServer``, serves a WSGI app on
  127.0.0.1 in a thread.
- :mod:`tests.support.browser`: launch Debian's Chromium through Playwright with
  the flags this network-less machine needs.

Each module also defines ready-made pytest fixtures (``pg_url``, ``smtp_sink``,
``chromium``, ``browser_page``); a conftest can re-export them with
``from tests.support.postgres import pg_url`` and so on.

Availability rules shared by all of them: a missing external part (PostgreSQL,
Chromium) skips the test with a clear reason on a developer's machine, and fails
it under ``CI=true``, where everything must be there.
"""

from __future__ import annotations

import os
import socket

__all__ = ["in_ci", "skip_or_fail", "free_port"]


def in_ci() -> bool:
    """True when running under CI (``CI`` set to true/1/yes)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def skip_or_fail(reason: str) -> None:
    """Skip the current test, or fail it when running under CI."""
    import pytest

    if in_ci():
        pytest.fail(f"{reason} (CI=true: required, not skipped)", pytrace=False)
    pytest.skip(reason)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on ``host`` a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
