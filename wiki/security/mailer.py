"""Security mail (lock-outs, reset links, new-device notices): queued in the outbox inside the
caller's transaction and sent right after the commit, because such mail must arrive promptly.

A failed send loses nothing: the message stays in the outbox with its error and a later
``wiki.mail.send_pending`` run (the outbox job) delivers it.  Security mail is not subject
to notification preferences.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from wiki.mail import queue_mail, send_pending
from wiki.models import User
from wiki.pages import after_commit
from wiki.site import Site

log = logging.getLogger(__name__)
CATEGORY = "security"


def link(site: Site, path: str) -> str:
    """An absolute link into the site for mail (``base_url`` + ``path``)."""
    return site.settings.base_url.rstrip("/") + path


def send_soon(site: Site, session: Session) -> None:
    """Deliver the outbox once ``session`` has committed (if a mail server is configured)."""
    if not site.settings.smtp_url or session.info.get("security_mail_scheduled"):
        return
    session.info["security_mail_scheduled"] = True

    def _send() -> None:
        session.info.pop("security_mail_scheduled", None)
        try:
            send_pending(site.db, site.settings.smtp_url, site.settings.mail_from)
        except Exception:  # the message stays queued; never fail the request that sent it
            log.exception("security mail could not be sent now; it stays in the outbox")

    after_commit(session, _send)


def mail_user(site: Site, session: Session, user: User, subject: str, body: str, to: str | None = None) -> bool:
    """Queue a security message to ``user`` (or to ``to``); False when there is no address."""
    address = to or user.email
    if not address:
        log.warning("no email address for %s; security mail %r not sent", user.name, subject)
        return False
    greeting = f"Hello {user.name},\n\n"
    footer = f"\n\n-- \n{site.settings.site_name}\n"
    queue_mail(session, address, f"[{site.settings.site_name}] {subject}", greeting + body + footer, category=CATEGORY)
    send_soon(site, session)
    return True
