"""Friendly error pages in the user's language — never a stack trace, never a bare 500."""

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app import logs
from app.extensions import db
from app.inputs import body_limit
from workshop.text import N_

MESSAGES = {
    400: (N_("Bad request"), N_("The request could not be understood. Go back and try again.")),
    401: (N_("Log in"), N_("Send a valid API token as “Authorization: Bearer …”, or log in.")),
    403: (
        N_("Not allowed"),
        N_("You are not allowed to see this page. If you think you should be, ask your administrator."),
    ),
    404: (
        N_("Not found"),
        N_("There is nothing here, or it is not yours to see. Check the address or go back to the home page."),
    ),
    405: (N_("Not allowed"), N_("This page cannot be used that way.")),
    413: (N_("Too large"), N_("What you sent is too large for this page. Nothing was saved.")),
    429: (N_("Too many attempts"), N_("Too many attempts in a short time. Wait a minute and try again.")),
    500: (
        N_("Something went wrong"),
        N_(
            "Something went wrong on our side and nothing was changed. Try again; if it keeps happening, tell your administrator."
        ),
    ),
}


# The stable machine codes of the JSON API's errors (app/api/errors.py has the rest).
JSON_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def json_error(status: int, code: str, message: str, field: str | None = None, headers: dict | None = None) -> Response:
    """The one JSON shape of every refusal and error: a stable code and a sentence."""
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def render_error(status: int, detail: str | None = None):
    title, message = MESSAGES.get(status, MESSAGES[500])
    if wants_json():
        return json_error(status, JSON_CODES.get(status, "error"), detail or _(message))
    return render_template(
        "errors/error.html", status=status, title=_(title), message=detail or _(message), request_id=logs.request_id()
    ), status


def too_large_detail() -> str:
    """What this page takes, in the person's language: the limit is the endpoint's own."""
    return _(
        "What you sent is too large: this page takes at most %(size)s MB at a time "
        "(a photo at most 10 MB, five at once; a spreadsheet at most 5 MB). Nothing was saved.",
        size=body_limit() // (1024 * 1024),
    )


def init_app(app: Flask) -> None:
    for status in (400, 401, 403, 404, 405, 429):
        app.register_error_handler(status, lambda e, status=status: render_error(status))
    app.register_error_handler(413, lambda e: render_error(413, too_large_detail()))

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return render_error(400, _("The form had expired or was sent twice. Nothing was saved: fill it in again."))

    @app.errorhandler(500)
    def _server_error(e):
        db.session.rollback()
        return render_error(500)
