"""Files uploaded through forms: checked, stored under the instance folder, given a ``File:`` page.

Only a few kinds are accepted (PNG, JPEG, GIF, PDF, plain text), recognised by their
extension *and* their first bytes; the size is capped (``[plugins.fields]
max_upload_bytes``, 5 MiB by default).  Bytes are stored by SHA-256 under
``instance/uploads``, never under the name the browser sent, and served only as
attachments to readers of the ``File:`` page.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask_babel import gettext, lazy_gettext
from sqlalchemy.orm import Session

from wiki.fields.models import FieldFile
from wiki.namespaces import FILE
from wiki.pages import save_page
from wiki.permissions import Actor
from wiki.titles import Title

KINDS = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".txt": ("text/plain", ()),
}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\- ]+")


class UploadError(ValueError):
    """The file is refused; the message says why."""


class UploadTooLarge(UploadError):
    """The file is over the size limit (the API answers 413)."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def max_bytes(site) -> int:
    return int(site.settings.plugins.get("fields", {}).get("max_upload_bytes", DEFAULT_MAX_BYTES))


def upload_folder(site) -> Path:
    return Path(site.settings.instance_path) / "uploads"


def check(site, field: str, upload: Upload) -> tuple[str, str]:
    """The safe file name and content type; raises ``UploadError`` naming the field."""
    name = _UNSAFE.sub("_", Path(upload.filename.replace("\\", "/")).name).strip(" ._")[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in KINDS:
        raise UploadError(lazy_gettext("%(field)s: files of type %(type)s are not accepted; allowed are %(allowed)s",
                                       field=field, type=suffix or gettext("(no extension)"),
                                       allowed=", ".join(sorted(KINDS))))
    limit = max_bytes(site)
    if len(upload.data) > limit:
        raise UploadTooLarge(lazy_gettext("%(field)s: the file is %(size)s bytes; at most %(most)s bytes are allowed",
                                          field=field, size=f"{len(upload.data):,}", most=f"{limit:,}"))
    if not upload.data:
        raise UploadError(lazy_gettext("%(field)s: the file is empty", field=field))
    content_type, signatures = KINDS[suffix]
    if signatures and not upload.data.startswith(signatures):
        raise UploadError(lazy_gettext("%(field)s: the file's content is not %(type)s as its name %(name)s says",
                                       field=field, type=content_type, name=repr(name)))
    if not signatures:
        try:
            upload.data.decode("utf-8")
        except UnicodeDecodeError:
            raise UploadError(lazy_gettext("%(field)s: a .txt file must be UTF-8 text", field=field)) from None
    return name, content_type


def store(site, session: Session, actor: Actor, field: str, upload: Upload, now: datetime | None = None) -> Title:
    """Keep the bytes and create the ``File:`` page (in the caller's transaction)."""
    name, content_type = check(site, field, upload)
    digest = hashlib.sha256(upload.data).hexdigest()
    path = upload_folder(site) / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(upload.data)
        temporary.replace(path)
    stem, suffix = Path(name).stem or "upload", Path(name).suffix.lower()
    title = site.titles.make(FILE, f"{stem}-{digest[:10]}{suffix}")
    now = now or datetime.now(timezone.utc)
    text = (f"Uploaded with a form by {actor.name}.\n\n* Type: {content_type}\n* Size: {len(upload.data):,} bytes\n"
            f"* [Download](/api/v1/files/{title.dbkey})\n")
    result = save_page(site, session, title, text, actor, summary=f"Upload for {field}", account_id=actor.account_id,
                       now=now)
    if session.get(FieldFile, result.page.id) is None:
        session.add(FieldFile(page_id=result.page.id, sha256=digest, content_type=content_type,
                              size=len(upload.data), filename=name, uploaded_at=now))
    return title


def path_of(site, record: FieldFile) -> Path:
    return upload_folder(site) / record.sha256[:2] / record.sha256
