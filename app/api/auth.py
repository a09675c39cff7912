"""Who is calling the API: a personal token (``Authorization: Bearer wst_…``) or the
browser's log-in session.

A token request is stateless: the user is set for this request only (``g._login_user``,
Flask-Login's own slot) and no session cookie is ever written, so a token cannot turn
into a cookie. Token requests need no CSRF token (a browser never adds the header by
itself); cookie-session writes to the API are CSRF-checked like any form.
"""

import hashlib

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from app import ratelimits
from app.api.errors import ApiError
from app.extensions import csrf, db
from app.services import tokens
from workshop.text import N_

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Pages of the API that anyone may read: the document and its reference page.
PUBLIC_ENDPOINTS = {"api.openapi_document", "api.reference", "api.viewer"}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def rate_key() -> str:
    """Token requests are limited per token, a logged-in browser per user, the rest per address."""
    token = bearer_token()
    if token:
        return "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]
    user_id = session.get("_user_id")
    if user_id:
        return "user:" + str(user_id)[:20]
    return "ip:" + (get_remote_address() or "")


def failed_auth_key() -> str:
    return "auth-fail:" + (get_remote_address() or "")


def refuse_bad_token() -> None:
    """Count a refused token against its address; past the limit, refused tokens get 429.

    Counted in the limiter's storage (shared by every worker with RATELIMIT_STORAGE_URI=redis://…).
    A valid token never reaches this, so it is never slowed by the bad ones."""
    g.api_auth_failed = True
    if not ratelimits.hit("API_AUTH_FAILURE_LIMIT", "api-auth-failure", failed_auth_key()):
        raise ApiError(
            429, retry_after=ratelimits.retry_after("API_AUTH_FAILURE_LIMIT", "api-auth-failure", failed_auth_key())
        )
    raise ApiError(401, "unauthorized", N_("This API token is not valid, or it was revoked."))


def authenticate() -> None:
    """Runs before every API view: sets the user, or refuses with 401."""
    token = bearer_token()
    if token is not None:
        found = tokens.authenticate(token)
        if found is None:
            refuse_bad_token()
        g._login_user = found.user
        g.api_token_id = found.id
        _touch(found)
        # Nothing of a token request may end up in a session cookie.
        session.modified = False
        g.api_stateless = True
        return
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    # Without a token nor a session the answer is "log in", before any question of CSRF.
    if not current_user.is_authenticated:
        raise ApiError(401)
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def _touch(token) -> None:
    try:
        if tokens.touch(token):
            db.session.commit()
    except OperationalError:
        # Marking "last used" is a courtesy; a busy database must not refuse the request.
        db.session.rollback()


def keep_token_requests_stateless(response):
    if g.get("api_stateless"):
        # Flask-Login and Flask-Babel may have read the session; never send it back.
        session.modified = False
        session.accessed = False
        response.headers.pop("Set-Cookie", None)
        response.headers["Cache-Control"] = "no-store"
    return response


def require_role(*roles) -> None:
    """403 unless the caller has one of these roles (an administrator always may)."""
    from workshop.roles import Role

    if current_user.role not in roles and current_user.role != Role.ADMIN:
        raise ApiError(403)
