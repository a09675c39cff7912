"""The JSON API v1: the same services as the pages, reached with a personal token.

The views live in app/api/pieces.py, batches.py, station.py and docs.py; this module holds
the blueprint and what every API request goes through (authentication, CSRF for cookie
sessions, rate limits, JSON errors).
"""

from flask import Blueprint, current_app
from werkzeug.exceptions import HTTPException

from app.api import auth
from app.api.errors import ApiError, from_api_error, from_http
from app.extensions import csrf, limiter

bp = Blueprint("api", __name__, template_folder="templates", url_prefix="/api/v1")

# Token requests carry no CSRF token; cookie-session writes are checked in auth.authenticate.
csrf.exempt(bp)
# One bucket for the whole API per token (not one per address), so a leaked token is slowed
# however it is used. Storage: RATELIMIT_STORAGE_URI (memory:// per process; redis://… shared).
limiter.shared_limit(
    lambda: current_app.config.get("API_RATE_LIMIT", "600 per minute"),
    scope="api",
    key_func=auth.rate_key,
)(bp)
# A guesser of tokens is slowed per address in app/api/auth.py: only refused tokens are
# counted and only refused tokens are slowed, so a broken integration behind a shop's router
# never locks out the valid tokens and browsers behind the same address.

MAX_ID = 2**31 - 1


@bp.url_value_preprocessor
def _ids_in_range(endpoint, values):
    # An id beyond the database's integer is nobody's: 404, not a database overflow.
    for name in ("piece_id", "batch_id"):
        if values and name in values and values[name] > MAX_ID:
            raise ApiError(404)


bp.before_request(auth.authenticate)
bp.after_request(auth.keep_token_requests_stateless)


# app.boundary has already rolled back whatever the view did.
@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    return from_api_error(e)


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    return from_http(e)


from app.api import batches, corrections, counter, docs, pieces, spares, station  # noqa: E402,F401  (the views register on bp)
