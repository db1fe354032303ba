"""Rate limits on sign-in, second factors, password reset, forms, wiki edits (the web edit
form and the API) and the JSON API: fixed windows counted in the database, so that every
app process (and every gunicorn worker) shares one count.

A rule is ``"hits/seconds"``; the defaults below can be changed in ``config.toml``:

    [plugins.security.rate_limits]
    signin = "10/60"
    edits = "60/60"
    api = "600/60"

A key is the rule's name and who is counted (an IP address, a user or an API key), so one
noisy client does not lock out others.  ``wiki.security.web.too_many_requests`` turns a
``RateLimited`` into the 429 answer (with ``Retry-After``) everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext, ngettext
from sqlalchemy.exc import IntegrityError

from wiki.permissions import Actor
from wiki.security.models import RateLimitHit
from wiki.site import Site

DEFAULT_RULES: dict[str, str] = {
    "signin": "10/60",
    "second_factor": "10/60",
    "reset": "5/900",
    "forms": "30/60",
    "edits": "60/60",
    "api": "600/60",
}
#: What each rule limits, as its 429 answer says it (translated when shown).
REASONS: dict[str, str] = {
    "signin": lazy_gettext("Too many sign-in attempts."),
    "second_factor": lazy_gettext("Too many second-factor codes were tried."),
    "reset": lazy_gettext("Too many password reset requests."),
    "forms": lazy_gettext("Too many form submissions."),
    "edits": lazy_gettext("Too many edits in a short time."),
    "api": lazy_gettext("Too many API requests."),
}


@dataclass(frozen=True)
class Rule:
    hits: int
    seconds: int

    @classmethod
    def parse(cls, name: str, text: str) -> Rule:
        try:
            hits, seconds = (int(part) for part in str(text).split("/"))
        except ValueError:
            raise ValueError(f"rate limit {name!r} must look like '10/60' (hits per seconds), not {text!r}") from None
        if hits < 1 or seconds < 1:
            raise ValueError(f"rate limit {name!r} needs at least 1 hit and 1 second, not {text!r}")
        return cls(hits, seconds)


class RateLimited(Exception):
    """Too many requests; ``retry_after`` is in seconds."""

    def __init__(self, rule_name: str, retry_after: int):
        super().__init__(rule_name, retry_after)
        self.rule_name = rule_name
        self.retry_after = retry_after

    def __str__(self) -> str:
        """The message in the reader's language (translated when shown, not when raised)."""
        wait = ngettext("Please wait %(num)d second and try again.", "Please wait %(num)d seconds and try again.",
                        self.retry_after)
        return f"{REASONS[self.rule_name]} {wait}"


def client_key(actor: Actor, ip: str) -> str:
    """Who a limit counts: the signed-in user, else the client address."""
    return f"user:{actor.user_id}" if actor.user_id is not None else f"ip:{ip}"


def rule(site: Site, name: str) -> Rule:
    configured = site.settings.plugins.get("security", {}).get("rate_limits", {})
    return Rule.parse(name, configured.get(name, DEFAULT_RULES[name]))


def hit(site: Site, name: str, who: str, now: datetime | None = None) -> None:
    """Count one request of ``who`` under rule ``name``; raise ``RateLimited`` past the limit."""
    limit = rule(site, name)
    now = now or datetime.now(timezone.utc)
    key = f"{name}:{who}"[:255]
    for attempt in range(2):
        try:
            with site.db.write() as session:
                row = session.get(RateLimitHit, key, with_for_update=True)
                if row is None:
                    row = RateLimitHit(key=key, window_start=now, hits=0)
                    session.add(row)
                elif row.window_start + timedelta(seconds=limit.seconds) <= now:
                    row.window_start, row.hits = now, 0
                row.hits += 1
                hits, window_start = row.hits, row.window_start
            break
        except IntegrityError:  # two first hits at once: the row exists now, count again
            if attempt:
                raise
    if hits > limit.hits:
        ends = window_start + timedelta(seconds=limit.seconds)
        raise RateLimited(name, max(1, int((ends - now).total_seconds() + 0.999)))
