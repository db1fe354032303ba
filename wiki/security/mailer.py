"""Security mail (lock-outs, reset links, new-device notices, 2FA and email changes, contact
invitations): queued in the outbox inside the caller's transaction and sent right after the
commit, because such mail must arrive promptly.

Each message is written in its recipient's language (``wiki.mail.recipient_language``), not in
the language of whoever caused it: an admin working in English who resets a Chinese
customer's password sends Chinese.  Callers therefore pass the subject and body as lazy
strings (``lazy_gettext(..., name=value)``), which are turned into text here, in the
recipient's language; this works in a request, from the command line and in jobs alike.

A failed send loses nothing: the message stays in the outbox with its error and a later
``wiki.mail.send_pending`` run (the outbox job) delivers it.  Security mail is not subject
to notification preferences.
"""

from __future__ import annotations

import logging

from flask_babel import gettext
from sqlalchemy.orm import Session

from wiki.mail import deliver_after_commit, queue_mail, written_for
from wiki.models import User
from wiki.site import Site

log = logging.getLogger(__name__)
CATEGORY = "security"


def link(site: Site, path: str) -> str:
    """An absolute link into the site for mail (``base_url`` + ``path``)."""
    return site.settings.base_url.rstrip("/") + path


def mail_user(site: Site, session: Session, user: User, subject: object, body: object, to: str | None = None) -> bool:
    """Queue a security message to ``user`` (or to ``to``) in the user's language; False when
    there is no address.  ``subject`` and ``body`` are lazy strings, rendered here."""
    address = to or user.email
    if not address:
        log.warning("no email address for %s; security mail %r not sent", user.name, str(subject))
        return False
    name = site.settings.site_name
    with written_for(site, user):
        text = gettext("Hello %(name)s,\n\n%(body)s\n\n-- \n%(site)s\n", name=user.name, body=str(body), site=name)
        heading = f"[{name}] {subject}"
    queue_mail(session, address, heading, text, category=CATEGORY)
    deliver_after_commit(site, session)
    return True
