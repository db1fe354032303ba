"""Security headers on every response: a Content-Security-Policy without inline script or
style, framing refused (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``),
``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.

The skin keeps every script and style in ``wiki/skin/static`` (no ``<script>`` blocks, no
``on...=`` or ``style=`` attributes), and the markup sanitizer lets none through, so the
policy allows scripts, styles, fonts and requests from the wiki itself only.  Images may
also come from other sites, as wiki pages may show them (``![..](https://...)``).  Forms
post to the wiki only; ``<base>``, plugins (``object``) and framing are refused.  The
referrer stays on the wiki: its addresses name tickets, customers and searches.

A response that sets a header itself keeps it (an attachment's ``sandbox`` policy, a
chart's own), so these are defaults.

Plugins add the sources they need when the site starts: Stripe.js from its configured URL,
the web phone's WebSocket address::

    @hookimpl
    def site_started(site):
        content_security_policy(site).allow("script-src", site.settings.plugins["billing"]["stripe_js_url"])

Only fetch directives take sources, and ``'unsafe-inline'``, ``'unsafe-eval'`` and ``*`` are
refused, so no plugin can bring inline script back.
"""

from __future__ import annotations

import re

from flask import Response

from wiki.site import Site

DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "https:", "http:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "frame-src": ("'self'",),
    "media-src": ("'self'",),
    "worker-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
#: The directives plugins may add sources to.
EXTENSIBLE = frozenset({"script-src", "style-src", "img-src", "font-src", "connect-src", "frame-src", "media-src",
                        "worker-src"})
REFUSED_SOURCES = frozenset({"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"})
_SOURCE = re.compile(r"^[^\s;,']+$|^'[a-z-]+'$")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class ContentSecurityPolicy:
    """The site's policy: the defaults above and the sources plugins added."""

    def __init__(self) -> None:
        self._directives = {name: list(sources) for name, sources in DIRECTIVES.items()}
        self._header: str | None = None

    def allow(self, directive: str, source: str) -> None:
        """Let ``directive`` load from ``source`` too (a URL, ``host:port``, ``wss://host``)."""
        if directive not in EXTENSIBLE:
            raise ValueError(f"Content-Security-Policy: {directive!r} takes no plugin sources; "
                             f"one of {', '.join(sorted(EXTENSIBLE))} does")
        if source in REFUSED_SOURCES or not _SOURCE.match(source or ""):
            raise ValueError(f"Content-Security-Policy: {source!r} is not a source {directive} may allow")
        sources = self._directives[directive]
        if source not in sources:
            sources.append(source)
            self._header = None

    def header(self) -> str:
        if self._header is None:
            self._header = "; ".join(f"{name} {' '.join(sources)}" for name, sources in self._directives.items())
        return self._header


def content_security_policy(site: Site) -> ContentSecurityPolicy:
    """The site's policy, made on first use (so a plugin's ``site_started`` may run first)."""
    policy = getattr(site, "content_security_policy", None)
    if policy is None:
        policy = site.content_security_policy = ContentSecurityPolicy()
    return policy


def add_headers(site: Site, response: Response) -> None:
    """Give ``response`` the headers it does not set itself."""
    response.headers.setdefault("Content-Security-Policy", content_security_policy(site).header())
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
