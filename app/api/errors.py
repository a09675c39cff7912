"""Errors under /api/: one JSON shape with a stable machine code and a sentence in the
request's language — never an HTML page, never a stack trace."""

from werkzeug.exceptions import HTTPException

from app.errors import json_error as error_response
from app.i18n import translate
from workshop.text import N_

# The generic sentence and code for each status the API answers with.
STATUS_TEXT = {
    400: ("bad_request", N_("The request could not be understood: send a JSON object as the body.")),
    401: ("unauthorized", N_("Send a valid API token as “Authorization: Bearer …”, or log in.")),
    403: ("forbidden", N_("Your role may not do this.")),
    404: ("not_found", N_("There is nothing here, or it is not yours to see.")),
    405: ("method_not_allowed", N_("This address cannot be used that way.")),
    409: ("conflict", N_("Someone else changed this at the same moment; nothing was saved. Try again.")),
    413: ("too_large", N_("What you sent is too large.")),
    415: ("unsupported_media_type", N_("Send the body as application/json.")),
    422: ("invalid", N_("The request is not valid.")),
    429: ("rate_limited", N_("Too many requests in a short time. Wait a minute and try again.")),
    500: (
        "server_error",
        N_(
            "Something went wrong on our side and nothing was changed. Try again; if it keeps happening, tell your administrator."
        ),
    ),
}


class ApiError(Exception):
    """A refusal decided by the API layer itself (bad input, a missing token…)."""

    def __init__(
        self, status: int, code: str | None = None, message: str | None = None, field: str | None = None, **params
    ) -> None:
        super().__init__(message or code)
        self.status = status
        self.code = code or STATUS_TEXT.get(status, STATUS_TEXT[500])[0]
        self.message = message or STATUS_TEXT.get(status, STATUS_TEXT[500])[1]
        self.params = params
        self.field = field


# A refused scan's code → its HTTP status: 404 nothing of that code (or not yours), 403 not
# your role, 409 the piece or parcel is not in the state the scan needs, 422 not a valid code.
SCAN_STATUS = {
    "invalid_code": 422,
    "invalid": 422,
    "unknown_batch": 404,
    "unknown_piece": 404,
    "forbidden": 403,
}


def scan_status(outcome: str, code: str) -> int:
    """200 for an ok or warning scan (scanning twice is harmless), 4xx for a refusal."""
    if outcome != "refused":
        return 200
    return SCAN_STATUS.get(code, 409)


def from_api_error(error: ApiError):
    headers = {"WWW-Authenticate": 'Bearer realm="api"'} if error.status == 401 else {}
    if error.status == 429 and "retry_after" in error.params:
        headers["Retry-After"] = str(error.params["retry_after"])
    return error_response(error.status, error.code, translate(error.message, error.params), error.field, headers)


def from_http(error: HTTPException):
    status = error.code or 500
    code, message = STATUS_TEXT.get(status, STATUS_TEXT[500])
    response = error_response(status, code, translate(message))
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response
