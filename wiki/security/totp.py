"""Two-factor sign-in: TOTP (RFC 6238, 30-second steps) with ten single-use backup codes.

Enrolment stores a fresh seed, shows it as an SVG QR code (segno) and turns the second
factor on only once a code from the app is confirmed.  A code is accepted one step either
side of now, and never for a step at or before the last one accepted (no replays).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timezone

import pyotp
import segno
from flask_babel import gettext, lazy_gettext
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wiki.accounts import AccountError
from wiki.models import User
from wiki.permissions import Actor
from wiki.security import audit
from wiki.security.hashing import digest
from wiki.security.mailer import mail_user
from wiki.security.models import BackupCode
from wiki.security.state import peek, security_of
from wiki.site import Site

STEP_SECONDS = 30
BACKUP_CODES = 10


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _refuse_impersonation(actor: Actor) -> None:
    if actor.impersonator_id is not None:
        raise AccountError(gettext("Two-factor sign-in cannot be changed while signed in as a customer."))


def is_enabled(session: Session, user_id: int) -> bool:
    state = peek(session, user_id)
    return bool(state and state.totp_enabled)


def begin_enrolment(session: Session, actor: Actor) -> str:
    """A new seed for ``actor`` (not active until confirmed); returns it (base32)."""
    _refuse_impersonation(actor)
    state = security_of(session, actor.user_id)
    if state.totp_enabled:
        raise AccountError(gettext("Two-factor sign-in is already on; turn it off first to enrol a new device."))
    state.totp_secret = pyotp.random_base32()
    return state.totp_secret


def provisioning_uri(site: Site, user_name: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user_name, issuer_name=site.settings.site_name)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code of ``uri`` (made here, so it is safe to put in the page)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def _format(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def confirm_enrolment(site: Site, session: Session, actor: Actor, code: str, ip: str = "",
                      now: datetime | None = None) -> list[str]:
    """Turn the second factor on with a first code; returns the backup codes (shown once)."""
    _refuse_impersonation(actor)
    state = security_of(session, actor.user_id, for_update=True)
    if state.totp_enabled:
        raise AccountError(gettext("Two-factor sign-in is already on."))
    if not state.totp_secret:
        raise AccountError(gettext("Start the enrolment first."))
    step = _matching_step(state.totp_secret, code, _now(now), None)
    if step is None:
        raise AccountError(gettext("That code is not correct; enter the 6-digit code your app shows now."))
    state.totp_enabled, state.totp_last_step = True, step
    codes = new_backup_codes(session, actor.user_id)
    audit.record(session, "2fa.enabled", actor=actor, ip=ip)
    mail_user(site, session, session.get(User, actor.user_id), lazy_gettext("Two-factor sign-in turned on"),
              lazy_gettext("Two-factor sign-in was turned on for your account. If this was not you, tell us at once."))
    return codes


def new_backup_codes(session: Session, user_id: int) -> list[str]:
    """Replace the user's backup codes with ten new ones (``xxxx-xxxx``); only hashes are kept."""
    session.execute(delete(BackupCode).where(BackupCode.user_id == user_id))
    codes = []
    for _ in range(BACKUP_CODES):
        raw = secrets.token_hex(4)
        codes.append(f"{raw[:4]}-{raw[4:]}")
        session.add(BackupCode(user_id=user_id, code_hash=digest(raw)))
    session.flush()
    return codes


def verify(session: Session, user_id: int, code: str, ip: str = "", now: datetime | None = None) -> bool:
    """Check a TOTP code or a backup code at sign-in; either is then used up."""
    state = security_of(session, user_id, for_update=True)
    if not state.totp_enabled or not state.totp_secret:
        return False
    step = _matching_step(state.totp_secret, code, _now(now), state.totp_last_step)
    if step is not None:
        state.totp_last_step = step
        return True
    backup = session.scalar(select(BackupCode).where(
        BackupCode.user_id == user_id, BackupCode.code_hash == digest(_format(code)), BackupCode.used_at.is_(None)))
    if backup is None:
        return False
    backup.used_at = _now(now)
    left = session.scalar(select(BackupCode.id).where(BackupCode.user_id == user_id, BackupCode.used_at.is_(None))
                          .limit(1))
    audit.record(session, "2fa.backup_code_used", user_id=user_id, ip=ip,
                 detail="backup codes left" if left else "last backup code used")
    return True


def regenerate_backup_codes(site: Site, session: Session, actor: Actor, code: str, ip: str = "",
                            now: datetime | None = None) -> list[str]:
    """Ten new backup codes (shown once) in place of all the old ones; needs a current code
    from the app (not a backup code: those are what is being replaced)."""
    _refuse_impersonation(actor)
    state = security_of(session, actor.user_id, for_update=True)
    if not state.totp_enabled or not state.totp_secret:
        raise AccountError(gettext("Two-factor sign-in is not on."))
    step = _matching_step(state.totp_secret, code, _now(now), state.totp_last_step)
    if step is None:
        raise AccountError(gettext("That code is not correct (or was already used); enter the code your app shows now."))
    state.totp_last_step = step
    codes = new_backup_codes(session, actor.user_id)
    audit.record(session, "2fa.backup_codes_regenerated", actor=actor, ip=ip)
    mail_user(site, session, session.get(User, actor.user_id), lazy_gettext("New backup codes"),
              lazy_gettext("New backup codes for two-factor sign-in were made for your account; the old ones no "
                           "longer work. If this was not you, tell us at once."))
    return codes


def remaining_backup_codes(session: Session, user_id: int) -> int:
    return len(session.scalars(select(BackupCode.id).where(BackupCode.user_id == user_id,
                                                           BackupCode.used_at.is_(None))).all())


def disable(site: Site, session: Session, actor: Actor, code: str, ip: str = "", now: datetime | None = None) -> None:
    """Turn the second factor off; needs a current code from the app."""
    _refuse_impersonation(actor)
    state = security_of(session, actor.user_id, for_update=True)
    if not state.totp_enabled:
        raise AccountError(gettext("Two-factor sign-in is not on."))
    step = _matching_step(state.totp_secret or "", code, _now(now), state.totp_last_step)
    if step is None:
        raise AccountError(gettext("That code is not correct (or was already used); enter the code your app shows now."))
    state.totp_enabled, state.totp_secret, state.totp_last_step = False, None, None
    session.execute(delete(BackupCode).where(BackupCode.user_id == actor.user_id))
    audit.record(session, "2fa.disabled", actor=actor, ip=ip)
    mail_user(site, session, session.get(User, actor.user_id), lazy_gettext("Two-factor sign-in turned off"),
              lazy_gettext("Two-factor sign-in was turned off for your account. If this was not you, tell us at once."))
