"""Files attached to tickets: checked like form uploads (a few kinds, recognised by extension and
first bytes, capped in size: ``wiki.fields.forms.uploads.check``), kept by SHA-256 in the same
upload folder, and recorded against the ticket, so only readers of the ticket can download
them (as attachments with ``nosniff``, never shown inline).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.tickets.models import TicketAttachment
from plugins.tickets.ticket import Ticket
from wiki.fields.forms.uploads import Upload, UploadError, check, upload_folder
from wiki.permissions import Actor

MAX_PER_TICKET = 50


def attach(site, session: Session, actor: Actor, item: Ticket, upload: Upload,
           now: datetime | None = None) -> TicketAttachment:
    """Keep the file for ``item``; raises ``UploadError`` naming what is wrong with it."""
    site.policy.check(actor, "edit", item.title, item.page)
    name, content_type = check(site, "attachment", upload)
    count = len(attachments(session, item.page.id))
    if count >= MAX_PER_TICKET:
        raise UploadError(gettext("attachment: a ticket holds at most %(most)s files", most=MAX_PER_TICKET))
    digest = hashlib.sha256(upload.data).hexdigest()
    path = stored_path(site, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(upload.data)
        partial.replace(path)
    row = TicketAttachment(page_id=item.page.id, filename=name, content_type=content_type, size=len(upload.data),
                           sha256=digest, user_text=actor.attribution, uploaded_at=now or datetime.now(timezone.utc))
    session.add(row)
    session.flush()
    return row


def attachments(session: Session, page_id: int) -> list[TicketAttachment]:
    return list(session.scalars(select(TicketAttachment).where(TicketAttachment.page_id == page_id)
                                .order_by(TicketAttachment.id)))


def stored_path(site, digest: str) -> Path:
    return upload_folder(site) / digest[:2] / digest


def download_url(number: int, row: TicketAttachment) -> str:
    return f"/tickets/{number}/attachments/{row.id}"
