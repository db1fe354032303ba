"""Managing API keys from the web (``Special:ApiKeys``): a user lists, creates and revokes
their own keys; admins see and revoke everyone's.  The secret is shown once at creation
(``wiki.accounts.create_api_key`` keeps only its hash)."""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from wiki.accounts import AccountError, create_api_key
from wiki.models import ApiKey, User
from wiki.permissions import Actor, PermissionDenied
from wiki.security import audit


def _require_user(actor: Actor) -> None:
    if actor.is_anonymous:
        raise PermissionDenied(gettext("Sign in to manage API keys."))
    if actor.api_scope is not None:
        raise PermissionDenied(gettext("API keys cannot be managed with an API key."))


def visible_keys(session: Session, actor: Actor, everyone: bool = False) -> list[ApiKey]:
    """The actor's keys, or every user's for an admin who asks."""
    _require_user(actor)
    query = select(ApiKey).order_by(ApiKey.id.desc())
    if not (everyone and actor.is_admin):
        query = query.where(ApiKey.user_id == actor.user_id)
    return list(session.scalars(query))


def create(session: Session, actor: Actor, scope: str, expires_at: datetime | None, label: str,
           ip: str = "") -> tuple[ApiKey, str]:
    _require_user(actor)
    if actor.impersonator_id is not None:
        raise AccountError(gettext("API keys cannot be created while signed in as a customer."))
    user = session.get(User, actor.user_id)
    key, token = create_api_key(session, user, scope=scope, expires_at=expires_at, label=label.strip()[:200])
    audit.record(session, "apikey.created", actor=actor, ip=ip, detail=f"key {key.prefix} ({scope})")
    return key, token


def revoke(session: Session, actor: Actor, key_id: int, ip: str = "") -> ApiKey:
    _require_user(actor)
    key = session.get(ApiKey, key_id)
    if key is None or (key.user_id != actor.user_id and not actor.is_admin):
        raise AccountError(gettext("There is no API key %(id)s of yours.", id=key_id))
    if key.revoked_at is not None:
        raise AccountError(gettext("The key %(key)s is already revoked.", key=key.prefix))
    key.revoked_at = datetime.now(timezone.utc)
    audit.record(session, "apikey.revoked", actor=actor, user_id=key.user_id, ip=ip, detail=f"key {key.prefix}")
    return key
