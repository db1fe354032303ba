"""Users, passwords and API keys.

Passwords are hashed with argon2id (memory-hard).  API keys are long random secrets, so a
SHA-256 of the secret is enough to store them and keeps each API request cheap; the key's
``prefix`` (shown in lists) finds the row.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from wiki.models import Account, ApiKey, User
from wiki.permissions import ROLES, Actor
from wiki.security import audit
from wiki.security.models import Group, GroupMember

_hasher = PasswordHasher()
_NAME = re.compile(r"^[^\s#<>\[\]|{}/:@][^#<>\[\]|{}/:@]{0,79}$")
_SPECIALS = "!@#$%^&*"
API_KEY_PREFIX = "tw_"
#: A key's use goes to the audit log at most this often.
API_KEY_AUDIT_INTERVAL = timedelta(hours=1)
#: ``last_used_at`` is written at most this often, so reads with a key do not each take a write lock.
API_KEY_USE_PRECISION = timedelta(minutes=1)


class AccountError(ValueError):
    """Invalid user, password or key data; the message says what was wrong."""


def password_problems(password: str) -> list[str]:
    """What a password lacks under the rules: 8+ characters, upper, lower, digit, one of !@#$%^&*."""
    problems = []
    if len(password) < 8:
        problems.append(gettext("at least 8 characters"))
    if not re.search(r"[A-Z]", password):
        problems.append(gettext("an upper-case letter"))
    if not re.search(r"[a-z]", password):
        problems.append(gettext("a lower-case letter"))
    if not re.search(r"[0-9]", password):
        problems.append(gettext("a digit"))
    if not any(c in _SPECIALS for c in password):
        problems.append(gettext("one of %(characters)s", characters=_SPECIALS))
    return problems


def check_password_rules(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise AccountError(gettext("The password needs %(problems)s.", problems=", ".join(problems)))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    """The hash of a random password nobody knows, made with the parameters of real ones."""
    return _hasher.hash(secrets.token_urlsafe(32))


def verify_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is the user's.  Without a user, or a user without a password, a
    dummy hash is checked instead, so the answer takes as long either way and does not
    tell whether the user exists."""
    stored = user.password_hash if user is not None else None
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password that meets the rules (for the first admin)."""
    while True:
        candidate = secrets.token_urlsafe(12) + secrets.choice(_SPECIALS) + "a1A"
        if not password_problems(candidate):
            return candidate


def normalise_user_name(name: str) -> str:
    name = " ".join(name.replace("_", " ").split())
    if not _NAME.match(name):
        raise AccountError(gettext("The user name '%(name)s' is not allowed: use 1-80 characters without "
                                   "%(forbidden)s.", name=name, forbidden="# < > [ ] | { } / : @"))
    return name[:1].upper() + name[1:]


def find_user(session: Session, name: str) -> User | None:
    try:
        name = normalise_user_name(name)
    except AccountError:
        return None
    return session.scalar(select(User).where(User.name == name))


def create_user(
    session: Session,
    name: str,
    role: str,
    email: str | None = None,
    password: str | None = None,
    account: str | None = None,
) -> User:
    name = normalise_user_name(name)
    if role not in ROLES:
        raise AccountError(gettext("Unknown role '%(role)s'; roles are %(roles)s.", role=role, roles=", ".join(ROLES)))
    if session.scalar(select(User.id).where(func.lower(User.name) == name.lower())) is not None:
        raise AccountError(gettext("A user named '%(name)s' already exists.", name=name))
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise AccountError(gettext("'%(address)s' is not an email address.", address=email))
    if password is not None:
        check_password_rules(password)
    account_row = None
    if account:
        if role != "customer":
            raise AccountError(gettext("Only customers belong to an account."))
        account_row = session.scalar(select(Account).where(Account.name == account))
        if account_row is None:
            account_row = Account(name=account)
            session.add(account_row)
            session.flush()
    elif role == "customer":
        raise AccountError(gettext("A customer needs an account (--account NAME)."))
    user = User(
        name=name,
        role=role,
        email=email,
        password_hash=hash_password(password) if password else None,
        account_id=account_row.id if account_row else None,
    )
    session.add(user)
    session.flush()
    return user


def actor_for(user: User, api_scope: str | None = None, session: Session | None = None) -> Actor:
    """The policy's view of ``user``, with the names of the groups they are in."""
    session = session or object_session(user)
    groups: frozenset[str] = frozenset()
    if session is not None:
        groups = frozenset(session.scalars(
            select(Group.name).join(GroupMember, GroupMember.group_id == Group.id).where(GroupMember.user_id == user.id)
        ))
    return Actor(user_id=user.id, name=user.name, role=user.role, account_id=user.account_id, groups=groups,
                 api_scope=api_scope)


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session, user: User, scope: str = "read", expires_at: datetime | None = None, label: str = ""
) -> tuple[ApiKey, str]:
    """A new key; the returned token is shown once and never stored."""
    if scope not in ("read", "write"):
        raise AccountError(gettext("Unknown scope '%(scope)s'; use read or write.", scope=scope))
    if expires_at is not None and expires_at <= datetime.now(timezone.utc):
        raise AccountError(gettext("The expiry date is in the past."))
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(user_id=user.id, prefix=prefix, secret_hash=_secret_hash(secret), scope=scope,
                 expires_at=expires_at, label=label)
    session.add(key)
    session.flush()
    return key, f"{API_KEY_PREFIX}{prefix}_{secret}"


def authenticate_api_key(session: Session, token: str, now: datetime | None = None) -> ApiKey | None:
    """The live key for ``token``, or ``None``; only reads (see ``record_api_key_use``)."""
    if not token.startswith(API_KEY_PREFIX) or token.count("_") < 2:
        return None
    prefix, _, secret = token[len(API_KEY_PREFIX):].partition("_")
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    now = now or datetime.now(timezone.utc)
    if key is None or not hmac.compare_digest(key.secret_hash, _secret_hash(secret)):
        return None
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    if key.user.disabled:
        return None
    return key


def api_key_use_due(key: ApiKey, now: datetime) -> bool:
    """Whether this use of ``key`` must be written (``last_used_at`` older than its precision)."""
    return key.last_used_at is None or now - key.last_used_at >= API_KEY_USE_PRECISION


def record_api_key_use(session: Session, key_id: int, now: datetime | None = None) -> None:
    """Set the key's ``last_used_at``, and audit its use at most once per ``API_KEY_AUDIT_INTERVAL``."""
    now = now or datetime.now(timezone.utc)
    key = session.get(ApiKey, key_id)
    if key is None:
        return
    if key.last_used_at is None or now - key.last_used_at >= API_KEY_AUDIT_INTERVAL:
        audit.record(session, "apikey.used", user_id=key.user_id, detail=f"key {key.prefix} ({key.scope})")
    key.last_used_at = now
