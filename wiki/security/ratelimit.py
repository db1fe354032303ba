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

Counting every hit with a write would make every API request, reads included, take SQLite's
single write lock, so page reads would queue behind saves.  The ``api`` rule is therefore
counted in process memory (``HitBuffer``) and added to the shared table in one write per key
when a second has passed since this process last wrote it, or once this process has counted
1% of the limit (at least one hit) since then, and whenever a window ends (a key used at its
allowed rate costs one or two writes a second).  Each write returns the shared total, which,
with the hits counted here since, decides.  Within one process the count is exact; across
processes a client can get at most 1% of the limit (at least one hit) past it per process
before every process has seen the total: with ``600/60`` and four workers, at most 24 extra
requests a minute.  The small rules (sign-in, second factors, resets, forms,
edits) guard against guessing and spam, where every hit must count at once: they keep one
write per hit.  Hits still in memory when the site stops are written then.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext, ngettext
from sqlalchemy.exc import IntegrityError

from wiki.permissions import Actor
from wiki.security.models import RateLimitHit
from wiki.site import Site

log = logging.getLogger(__name__)
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
#: Rules counted in process memory and written in batches (see the module's docstring).
BUFFERED_RULES = frozenset({"api"})
#: A buffered count is written at least this often (seconds) ...
FLUSH_SECONDS = 1.0
#: ... or once this share of the limit was counted in this process since the last write.
FLUSH_SHARE = 0.01
#: How often (seconds) a process drops the buffered counts of windows that are over.
PRUNE_SECONDS = 60.0


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


def _add_hits(site: Site, key: str, count: int, limit: Rule, now: datetime) -> tuple[int, datetime]:
    """Add ``count`` hits to ``key``'s shared row (a new window when the old one ended); returns
    the window's hits and start."""
    try:
        return _add_hits_once(site, key, count, limit, now)
    except IntegrityError:  # two first hits at once: the row exists now, count again
        return _add_hits_once(site, key, count, limit, now)


def _add_hits_once(site: Site, key: str, count: int, limit: Rule, now: datetime) -> tuple[int, datetime]:
    with site.db.write() as session:
        row = session.get(RateLimitHit, key, with_for_update=True)
        if row is None:
            row = RateLimitHit(key=key, window_start=now, hits=0)
            session.add(row)
        elif row.window_start + timedelta(seconds=limit.seconds) <= now:
            row.window_start, row.hits = now, 0
        row.hits += count
        hits, window_start = row.hits, row.window_start
    return hits, window_start


@dataclass
class _Tally:
    """One key's count in this process: the shared total as last written, plus what was
    counted here since (``pending``) and what is being written right now (``writing``)."""

    shared: int = 0
    window_start: datetime | None = None
    pending: int = 0
    writing: int = 0
    written_at: float = 0.0
    #: The rule's window, to tell when this tally is over.
    seconds: int = 0

    def over(self, now: datetime) -> bool:
        """Whether nothing is left to count or write: the window has ended, nothing waits."""
        return (not self.pending and not self.writing and self.window_start is not None
                and self.window_start + timedelta(seconds=self.seconds) <= now)

    def due(self, limit: Rule, now: datetime, clock: float) -> bool:
        if self.writing:
            return False  # another thread is writing this key; count on meanwhile
        return (self.window_start is None or self.window_start + timedelta(seconds=limit.seconds) <= now
                or clock - self.written_at >= FLUSH_SECONDS
                or self.pending >= max(1, int(limit.hits * FLUSH_SHARE)))

    @property
    def total(self) -> int:
        return self.shared + self.writing + self.pending


class HitBuffer:
    """Hits of the buffered rules counted in this process, written to the shared table in
    batches (one per site, made by ``wiki.security.hooks.site_started``)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tallies: dict[str, _Tally] = {}
        self._pruned_at = 0.0

    def hit(self, site: Site, key: str, limit: Rule, now: datetime) -> tuple[int, datetime]:
        """Count one hit; returns the window's hits (as far as this process knows) and start.

        Every ``PRUNE_SECONDS`` the tallies that are over are dropped, so that a long-running
        process does not keep one per client it has ever seen."""
        clock = self._clock()
        with self._lock:
            if clock - self._pruned_at >= PRUNE_SECONDS:
                self._pruned_at = clock
                self._tallies = {k: t for k, t in self._tallies.items() if not t.over(now)}
            tally = self._tallies.setdefault(key, _Tally())
            tally.seconds = limit.seconds
            tally.pending += 1
            if not tally.due(limit, now, clock):
                return tally.total, tally.window_start
            tally.writing, tally.pending = tally.pending, 0
        return self._write(site, key, tally, limit, now, clock)

    def _write(self, site: Site, key: str, tally: _Tally, limit: Rule, now: datetime,
               clock: float) -> tuple[int, datetime]:
        try:
            shared, window_start = _add_hits(site, key, tally.writing, limit, now)
        except BaseException:
            with self._lock:
                tally.pending, tally.writing = tally.pending + tally.writing, 0
            raise
        with self._lock:
            tally.shared, tally.window_start, tally.writing, tally.written_at = shared, window_start, 0, clock
            return tally.total, window_start

    def flush(self, site: Site, now: datetime | None = None) -> None:
        """Write the counts still held here whose window has not ended (when the site stops)."""
        now = now or datetime.now(timezone.utc)
        with self._lock:
            waiting = {key: (tally.pending, tally.window_start) for key, tally in self._tallies.items()
                       if tally.pending and tally.window_start is not None}
            self._tallies.clear()
        for key, (count, window_start) in waiting.items():
            limit = rule(site, key.partition(":")[0])
            if window_start + timedelta(seconds=limit.seconds) <= now:
                continue
            try:
                _add_hits(site, key, count, limit, now)
            except Exception:  # stopping must not fail; these hits are then only not shared
                log.warning("rate limit hits of %s could not be written", key, exc_info=True)


def hit(site: Site, name: str, who: str, now: datetime | None = None) -> None:
    """Count one request of ``who`` under rule ``name``; raise ``RateLimited`` past the limit."""
    limit = rule(site, name)
    now = now or datetime.now(timezone.utc)
    key = f"{name}:{who}"[:255]
    if name in BUFFERED_RULES:
        hits, window_start = site.rate_limit_buffer.hit(site, key, limit, now)
    else:
        hits, window_start = _add_hits(site, key, 1, limit, now)
    if hits > limit.hits:
        ends = window_start + timedelta(seconds=limit.seconds)
        raise RateLimited(name, max(1, int((ends - now).total_seconds() + 0.999)))
