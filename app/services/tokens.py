"""Personal API tokens: created and revoked by their owner, stored only as a hash.

A token is ``wst_`` + 8 visible characters (its prefix, shown in lists so a person can tell
tokens apart) + a long random secret. Only the SHA-256 of the whole token is stored, so a
copy of the database does not let anyone act as a user.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app import clock
from app.extensions import db
from app.models import ApiToken, User
from workshop.errors import RuleViolation
from workshop.text import N_

SCHEME = "wst_"
PREFIX_LENGTH = len(SCHEME) + 8
# Writing last_used_at on every request would turn every read into a write; once a
# minute is enough to tell which tokens are still in use.
TOUCH_EVERY = timedelta(minutes=1)
MAX_ACTIVE = 20


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str, at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for this user; the clear token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise RuleViolation(N_("Give the token a name, e.g. the device or system that uses it."))
    if len(name) > 100:
        raise RuleViolation(N_("A token's name may be at most 100 characters."))
    if len(active_tokens(user)) >= MAX_ACTIVE:
        raise RuleViolation(N_("You have %(n)d active tokens: revoke one you no longer use first."), n=MAX_ACTIVE)
    clear = SCHEME + secrets.token_hex(4) + "_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name, prefix=clear[:PREFIX_LENGTH], token_hash=hash_token(clear), created_at=at or clock.now()
    )
    db.session.add(token)
    db.session.flush()
    return token, clear


def active_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
        )
    )


def revoke_token(user: User, token_id: int, at: datetime | None = None) -> ApiToken | None:
    """Revoke one of this user's own tokens; None when it is not theirs (or does not exist)."""
    token = db.session.scalars(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).one_or_none()
    if token is not None and token.revoked_at is None:
        token.revoked_at = at or clock.now()
        db.session.flush()
    return token


def authenticate(clear: str) -> ApiToken | None:
    """The live token for this secret, with an active user; None otherwise."""
    if not clear.startswith(SCHEME) or len(clear) > 200:
        return None
    token = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(clear))).one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def touch(token: ApiToken, at: datetime | None = None) -> bool:
    """Record the use, at most once a minute; True when it wrote (the caller commits)."""
    at = at or clock.now()
    if token.last_used_at is not None and at - token.last_used_at < TOUCH_EVERY:
        return False
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=at))
    return True
