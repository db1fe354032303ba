"""Helpers for tests that exercise sign-in, mail links and two-factor codes (used by the
security tests and by any plugin's tests that need a customer with an account)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlparse

import pyotp

from wiki.security.totp import STEP_SECONDS

_LINK = re.compile(r"https?://\S+")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def link_in(text: str, path: str) -> str:
    """The path and query of the first link in ``text`` whose path is ``path``."""
    for url in _LINK.findall(text):
        parsed = urlparse(url)
        if parsed.path == path:
            return parsed.path + ("?" + parsed.query if parsed.query else "")
    raise AssertionError(f"no link to {path} in:\n{text}")


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    if not found:
        raise AssertionError("no CSRF token in the page")
    return found.group(1)


def totp_code(secret: str, steps_ahead: int = 0, now: datetime | None = None) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` steps later)."""
    moment = (now or datetime.now(timezone.utc)).timestamp() + steps_ahead * STEP_SECONDS
    return pyotp.TOTP(secret).at(int(moment))


def post_form(client, path: str, data: dict, page: str | None = None):
    """POST ``data`` to ``path`` with the CSRF token of ``page`` (default: ``path``)."""
    token = csrf_of(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def sign_in(client, name: str, password: str):
    """Submit the first sign-in step; the response is the redirect or the second-factor form."""
    return post_form(client, "/wiki/Special:UserLogin", {"username": name, "password": password})
