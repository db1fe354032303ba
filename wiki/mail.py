"""Outgoing mail: queued in the database inside the caller's transaction, sent over SMTP later.

``queue_mail`` never talks to the network, so a save that sends notifications stays one
transaction; ``send_pending`` delivers what is due and backs off on failures (1, 2, 4 ...
minutes, at most an hour), so a mail server that is down loses nothing.

Mail is written in its recipient's language (``recipient_language``), not in the language
of whoever caused it: senders build subjects and bodies as lazy strings and turn them into
text inside ``written_for(site, user)`` (``written_in(language)`` for a given language).  That also works outside a request (the command line,
scheduled jobs), where there is no app: a small translation-only Flask app is then used.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from functools import cache
from urllib.parse import unquote, urlparse

from flask import Flask, current_app, has_app_context
from flask_babel import Babel, force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.i18n import SUPPORTED, TRANSLATIONS
from wiki.models import OutgoingMail, User
from wiki.pages import after_commit
from wiki.site import Site

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
BATCH = 100
_QUEUED_ABOUT = "mail_queued_about"
_DELIVERY_SCHEDULED = "mail_delivery_scheduled"


def recipient_language(user: User, default_language: str) -> str:
    """The language to write to ``user`` in: theirs when set, else the site's default, else English."""
    for language in (user.language, default_language):
        if language in SUPPORTED:
            return language
    return "en"


@cache
def _translation_app() -> Flask:
    """An app that only carries the catalogs, for mail written where no app is active."""
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app)
    return app


@contextmanager
def written_in(language: str) -> Iterator[None]:
    """Within the block, ``gettext`` and lazy strings translate into ``language``."""
    if has_app_context() and "babel" in current_app.extensions:
        with force_locale(language):
            yield
        return
    with _translation_app().app_context(), force_locale(language):
        yield


def written_for(site: Site, user: User) -> AbstractContextManager[None]:
    """``written_in`` the language ``user`` reads mail in (``recipient_language``)."""
    return written_in(recipient_language(user, site.settings.default_language))


def queue_mail(session: Session, to: str, subject: str, body: str, category: str = "general",
               html_body: str | None = None, about: int | None = None, general: bool = False) -> OutgoingMail | None:
    """Add a message to the outbox (sent after the transaction commits, by ``send_pending``).

    One change, one mail per person: a ``general`` notice ``about`` a page (the watchlist's)
    is not queued when a mail about that page to the same address is already queued in this
    transaction, and a specific mail about the page (a ticket reply) replaces a general one
    queued before it.  Returns the queued mail, or ``None`` when it was not needed.
    """
    if not to or "@" not in to:
        raise ValueError(f"{to!r} is not an email address")
    queued = _queued_about(session)
    if about is not None and (to, about) in queued:
        earlier, earlier_general = queued[(to, about)]
        if general:
            return None
        if earlier_general and earlier in session.new:
            session.expunge(earlier)
        elif earlier_general:
            session.delete(earlier)
    subject = " ".join(subject.split())[:500]
    mail = OutgoingMail(to_address=to, subject=subject, body=body, html_body=html_body, category=category)
    session.add(mail)
    if about is not None:
        queued[(to, about)] = (mail, general)
    return mail


def deliver_after_commit(site: Site, session: Session) -> None:
    """Deliver the outbox once ``session``'s transaction commits, when a mail server is set;
    once per transaction, however many senders queued mail in it.  A failure leaves the mail
    queued for the outbox job (``collab.send_mail``) and never fails the caller."""
    if not site.settings.smtp_url:
        return
    transaction = session.get_transaction()
    if session.info.get(_DELIVERY_SCHEDULED) is transaction:
        return
    session.info[_DELIVERY_SCHEDULED] = transaction
    after_commit(session, lambda: _deliver_quietly(site))


def _deliver_quietly(site: Site) -> None:
    try:
        send_pending(site.db, site.settings.smtp_url, site.settings.mail_from)
    except Exception:  # the outbox keeps the mail; the outbox job retries
        log.exception("mail could not be sent now; it stays in the outbox")


def _queued_about(session: Session) -> dict[tuple[str, int], tuple[OutgoingMail, bool]]:
    """The mails about pages queued in the session's current transaction, by (address, page id)."""
    transaction = session.get_transaction()
    kept = session.info.get(_QUEUED_ABOUT)
    if kept is None or kept[0] is not transaction:
        kept = session.info[_QUEUED_ABOUT] = (transaction, {})
    return kept[1]


def _connect(smtp_url: str) -> smtplib.SMTP:
    """``smtp://user:pass@host:port`` (STARTTLS with ``?starttls=1``) or ``smtps://...``."""
    url = urlparse(smtp_url)
    if url.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP URL must start with smtp:// or smtps://, not {smtp_url!r}")
    host, port = url.hostname or "127.0.0.1", url.port or (465 if url.scheme == "smtps" else 25)
    client = smtplib.SMTP_SSL(host, port, timeout=30) if url.scheme == "smtps" else smtplib.SMTP(host, port, timeout=30)
    if "starttls=1" in (url.query or ""):
        client.starttls()
    if url.username:
        client.login(unquote(url.username), unquote(url.password or ""))
    return client


#: Headers are sent folded at RFC 5322's hard limit, not at 78 characters: when Python's folder
#: breaks a subject in another script between encoded words at a space, the space is lost
#: ("حسابك مقفل" arrives as "حسابكمقفل"); subjects under about 400 characters never fold.
_HEADER_POLICY = email.policy.default.clone(max_line_length=998)


def _message(mail: OutgoingMail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg.set_content(mail.body)  # encoded for 78-character lines, as before
    if mail.html_body:
        msg.add_alternative(mail.html_body, subtype="html")
    msg.policy = _HEADER_POLICY  # used when the message is written out, i.e. for folding headers
    return msg


def send_pending(db, smtp_url: str, sender: str, now: datetime | None = None) -> tuple[int, int]:
    """Send every due message; returns (sent, failed).  Safe to run from two places at once:
    each message is claimed by moving its next attempt forward before it is sent."""
    if not smtp_url:
        return 0, 0
    now = now or datetime.now(timezone.utc)
    with db.write() as session:
        due = session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.sent_at.is_(None), OutgoingMail.next_attempt_at <= now)
            .order_by(OutgoingMail.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for mail in due:
            mail.next_attempt_at = now + timedelta(minutes=5)
        claimed = [(m.id, _message(m, sender)) for m in due]
    sent = failed = 0
    if not claimed:
        return 0, 0
    try:
        client = _connect(smtp_url)
    except (OSError, smtplib.SMTPException) as exc:
        _record_failure(db, [mid for mid, _ in claimed], str(exc), now)
        return 0, len(claimed)
    with client:
        for mail_id, msg in claimed:
            try:
                client.send_message(msg)
            except (OSError, smtplib.SMTPException) as exc:
                _record_failure(db, [mail_id], str(exc), now)
                failed += 1
                continue
            with db.write() as session:
                session.get(OutgoingMail, mail_id).sent_at = datetime.now(timezone.utc)
            sent += 1
    return sent, failed


def _record_failure(db, ids: list[int], error: str, now: datetime) -> None:
    log.warning("mail not sent (%s messages): %s", len(ids), error)
    with db.write() as session:
        for mail in session.scalars(select(OutgoingMail).where(OutgoingMail.id.in_(ids))):
            mail.attempts += 1
            mail.last_error = error[:2000]
            mail.next_attempt_at = now + min(timedelta(minutes=2 ** (mail.attempts - 1)), MAX_BACKOFF)
