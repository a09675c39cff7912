"""The browser's log-in, kept honest on every request (the rows are app/services/sessions.py).

- Logging in checks the per-address and per-account limits (both in the limiter's storage,
  RATELIMIT_STORAGE_URI: Redis when several workers or servers run), records the attempt,
  starts a server-side session and puts its key and the user's generation in the cookie.
- Flask-Login's user loader lets a cookie in only while its session is live (not ended,
  same generation, within the idle and absolute lifetimes).
- Before each request the session's "last seen" is written, at most once a minute.
- Logging out ends the session on the server, so a copy of the cookie opens nothing.
"""

from datetime import datetime

from flask import Flask, abort, current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app import ratelimits
from app.extensions import db, login_manager
from app.models import User
from app.services import sessions

KEY, GENERATION = "sid", "sgen"


def lifetimes() -> sessions.Lifetimes:
    config = current_app.config
    return sessions.Lifetimes(
        idle=config.get("SESSION_IDLE_LIFETIME", sessions.IDLE_DEFAULT),
        absolute=config.get("SESSION_ABSOLUTE_LIFETIME", sessions.ABSOLUTE_DEFAULT),
    )


def now() -> datetime:
    """Sessions age in real time, not by the business clock (``NOW``) that tests and demos move
    forward by days; ``SESSION_NOW`` replaces it in the tests of the lifetimes."""
    override = current_app.config.get("SESSION_NOW")
    return override() if override is not None else sessions.real_now()


def client() -> tuple[str, str]:
    return (get_remote_address() or "")[:45], (request.user_agent.string or "")[:300]


def _account_key(username: str) -> str:
    return username.strip().casefold()[:60]


def account_limited(username: str) -> bool:
    """True when this account had too many refused log-ins lately (counted in the shared storage)."""
    return not ratelimits.allowed("LOGIN_ACCOUNT_LIMIT", "login-account", _account_key(username))


def _count_failure(username: str) -> None:
    ratelimits.hit("LOGIN_ACCOUNT_LIMIT", "login-account", _account_key(username))


def attempt(username: str, password: str) -> User | None:
    """Log in with a name and password: the user when it worked, None when refused (429 when
    the account is locked for a while). The caller commits: the attempt is recorded either way."""
    username = (username or "").strip()[:60]
    ip, agent = client()
    if account_limited(username):
        user = db.session.scalars(select(User).where(User.username == username)).one_or_none()
        sessions.record_attempt(username, user, False, "limited", ip, agent, at=now())
        db.session.commit()
        abort(429)
    user = db.session.scalars(select(User).where(User.username == username)).one_or_none()
    reason = None
    if user is None:
        reason = "unknown"
    elif not user.check_password(password or ""):
        reason = "password"
    elif not user.active:
        reason = "inactive"
    if reason is not None:
        _count_failure(username)
        sessions.record_attempt(username, user, False, reason, ip, agent, at=now())
        return None
    sessions.record_attempt(username, user, True, "", ip, agent, at=now())
    log_in(user)
    return user


def log_in(user: User) -> None:
    row, key = sessions.start(user, *client(), at=now())
    locale = session.get("locale")
    session.clear()  # a fresh session on log-in: nothing of a previous one carries over but the language
    if locale:
        session["locale"] = locale
    login_user(user)
    session[KEY] = key
    session[GENERATION] = row.generation
    session.permanent = True


def log_out() -> None:
    sessions.end_by_key(session.get(KEY), sessions.LOGOUT, at=now())
    logout_user()
    session.pop(KEY, None)
    session.pop(GENERATION, None)


def load_user(user_id: str) -> User | None:
    row = sessions.find_live(session.get(KEY), session.get(GENERATION), lifetimes(), at=now())
    if row is None or str(row.user_id) != user_id:
        return None
    g.login_session = row
    return row.user


def current_session_id() -> int | None:
    row = g.get("login_session")
    return row.id if row is not None else None


def _is_token_request() -> bool:
    return request.path.startswith("/api/") and request.headers.get("Authorization", "").lower().startswith("bearer ")


def check_request() -> None:
    """Before each request: a cookie whose session ended is logged out; a live one is touched."""
    if request.endpoint == "static" or _is_token_request() or "_user_id" not in session:
        return
    if not current_user.is_authenticated:
        # Ended, expired, or from before sessions were recorded: forget it in the browser too.
        logout_user()
        session.pop(KEY, None)
        session.pop(GENERATION, None)
        return
    row = g.get("login_session")
    try:
        if row is not None and sessions.touch(row, at=now()):
            db.session.commit()
    except OperationalError:
        # "Last seen" is a courtesy; a busy database must not refuse the request.
        db.session.rollback()


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    # The cookie itself lasts no longer than the absolute lifetime; the server ends it sooner.
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SESSION_ABSOLUTE_LIFETIME"]
    app.before_request(check_request)
    sessions.install()
