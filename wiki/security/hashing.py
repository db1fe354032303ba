"""Random secrets for emailed links, backup codes and device cookies, and their stored form.

These values are long and random, so a SHA-256 digest is enough to store them (no salt or
slow hash needed, unlike passwords) and makes each check one indexed look-up.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A URL-safe secret of 256 bits."""
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
