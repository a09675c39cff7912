"""Log-in sessions that end: one row per browser log-in, a per-user generation, lifetimes.

The cookie holds the session's random key (only its SHA-256 is stored) and the user's
session generation at log-in. A request is let in only while the row is not ended, the
generation still matches, and neither the idle nor the absolute lifetime has run out.

Raising a user's generation ends every session of that user at once: a password change and
a deactivation do it by themselves (a ``before_flush`` listener watches the user's row,
whichever page, API or command changed it), and so do "sign out everywhere" and an
administrator's sign-out of a user. Logging out ends the one session. API tokens are not
sessions: they live until revoked, and a deactivated user's tokens are refused
(app/services/tokens.py).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session, attributes, joinedload

from app.database import writes
from app.extensions import db
from app.models import LoginAttempt, LoginSession, User

# last_seen_at is written at most this often: every request would turn reads into writes.
TOUCH_EVERY = timedelta(minutes=1)
IDLE_DEFAULT = timedelta(hours=12)
ABSOLUTE_DEFAULT = timedelta(days=7)
# Sessions and log-in attempts older than this are deleted (SESSION_HISTORY_DAYS).
HISTORY_DEFAULT_DAYS = 90

LOGOUT, ENDED_BY_USER, EVERYWHERE, PASSWORD, DEACTIVATED, ADMIN = (
    "logout",
    "ended",
    "everywhere",
    "password",
    "deactivated",
    "admin",
)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta = IDLE_DEFAULT
    absolute: timedelta = ABSOLUTE_DEFAULT


def real_now() -> datetime:
    """Sessions age in real time: the business clock (``NOW``) is moved by tests and demos."""
    return datetime.now(UTC)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start(user: User, ip: str = "", user_agent: str = "", at: datetime | None = None) -> tuple[LoginSession, str]:
    """A new session for this user; the clear key goes into the cookie and is never stored."""
    at = at or real_now()
    key = secrets.token_urlsafe(32)
    row = LoginSession(
        user=user,
        key_hash=hash_key(key),
        generation=user.session_generation or 0,
        created_at=at,
        last_seen_at=at,
        ip=(ip or "")[:45],
        user_agent=(user_agent or "")[:300],
    )
    db.session.add(row)
    db.session.flush()
    return row, key


def find_live(key: str | None, generation, lifetimes: Lifetimes, at: datetime | None = None) -> LoginSession | None:
    """The live session this cookie names, with an active user of the same generation; None otherwise."""
    if not key or not isinstance(key, str) or len(key) > 100 or not isinstance(generation, int):
        return None
    at = at or real_now()
    row = db.session.scalars(
        select(LoginSession).options(joinedload(LoginSession.user)).where(LoginSession.key_hash == hash_key(key))
    ).one_or_none()
    if row is None or row.ended_at is not None:
        return None
    user = row.user
    if not user.active or user.session_generation != generation or row.generation != generation:
        return None
    if at - row.last_seen_at > lifetimes.idle or at - row.created_at > lifetimes.absolute:
        return None
    return row


def touch(row: LoginSession, at: datetime | None = None) -> bool:
    """Record that the session is in use, at most once a minute; True when it wrote (the caller commits)."""
    at = at or real_now()
    if at - row.last_seen_at < TOUCH_EVERY:
        return False
    db.session.execute(update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=at))
    return True


def end(row: LoginSession, reason: str = LOGOUT, at: datetime | None = None) -> None:
    if row.ended_at is None:
        row.ended_at = at or real_now()
        row.end_reason = reason
        db.session.flush()


def end_by_key(key: str | None, reason: str = LOGOUT, at: datetime | None = None) -> None:
    if not key or not isinstance(key, str):
        return
    row = db.session.scalars(select(LoginSession).where(LoginSession.key_hash == hash_key(key))).one_or_none()
    if row is not None:
        end(row, reason, at)


def end_all(user: User, reason: str = EVERYWHERE, at: datetime | None = None) -> None:
    """End every session of this user: a cookie saved before this no longer opens anything."""
    user.session_generation = (user.session_generation or 0) + 1
    _end_rows(db.session, user.id, reason, at or real_now())
    db.session.flush()


def _end_rows(session: Session, user_id: int, reason: str, at: datetime) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=at, end_reason=reason)
        .execution_options(synchronize_session=False)
    )


def end_one(user: User, session_id: int, at: datetime | None = None) -> LoginSession | None:
    """End one of this user's own sessions; None when it is not theirs (or does not exist)."""
    row = db.session.scalars(
        select(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == user.id)
    ).one_or_none()
    if row is not None:
        end(row, ENDED_BY_USER, at)
    return row


def active_sessions(user: User, lifetimes: Lifetimes, at: datetime | None = None) -> list[LoginSession]:
    """This user's sessions that still let a browser in, the most recently used first."""
    at = at or real_now()
    rows = db.session.scalars(
        select(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.generation == user.session_generation,
            LoginSession.created_at > at - lifetimes.absolute,
            LoginSession.last_seen_at > at - lifetimes.idle,
        )
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    )
    return list(rows)


def record_attempt(
    username: str,
    user: User | None,
    succeeded: bool,
    reason: str = "",
    ip: str = "",
    user_agent: str = "",
    at: datetime | None = None,
) -> LoginAttempt:
    attempt = LoginAttempt(
        user_id=user.id if user is not None else None,
        username=(username or "")[:60],
        succeeded=succeeded,
        reason=reason[:20],
        ip=(ip or "")[:45],
        user_agent=(user_agent or "")[:300],
        at=at or real_now(),
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def recent_attempts(user: User, limit: int = 10) -> list[LoginAttempt]:
    return list(
        db.session.scalars(
            select(LoginAttempt)
            .where(LoginAttempt.user_id == user.id)
            .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
            .limit(limit)
        )
    )


def _changed(user: User, name: str) -> bool:
    history = attributes.get_history(user, name)
    return bool(history.added) and bool(history.deleted) and history.added != history.deleted


def install() -> None:
    """A changed password or a deactivation ends every session of the user, however it was changed."""
    if event.contains(Session, "before_flush", _end_sessions_on_credential_change):
        return
    event.listen(Session, "before_flush", _end_sessions_on_credential_change)


def _end_sessions_on_credential_change(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty):
        if not isinstance(obj, User) or obj.id is None:
            continue
        password = _changed(obj, "password_hash")
        deactivated = _changed(obj, "active") and not obj.active
        if password or deactivated:
            obj.session_generation = (obj.session_generation or 0) + 1
            _end_rows(session, obj.id, PASSWORD if password else DEACTIVATED, real_now())


@writes
def prune(at: datetime | None = None) -> int:
    """Delete log-in attempts and sessions not seen for ``SESSION_HISTORY_DAYS`` (90): a session
    idle that long is long dead, and both tables would otherwise grow with every log-in.
    Cheap enough to run each minute (both deletes read an index on the time)."""
    at = at or real_now()
    days = int(current_app.config.get("SESSION_HISTORY_DAYS", HISTORY_DEFAULT_DAYS))
    before = at - timedelta(days=max(days, 1))
    options = {"synchronize_session": False}
    removed = db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < before), execution_options=options)
    ended = db.session.execute(
        delete(LoginSession).where(LoginSession.last_seen_at < before), execution_options=options
    )
    db.session.commit()
    return (removed.rowcount or 0) + (ended.rowcount or 0)
