"""One request boundary: every view runs as a use case that commits once or keeps nothing.

``create_app`` wraps every view function here (indico's request handler, the API's error
handler, for every page), so a view only loads, checks access, validates its form, calls
one service and answers. Around it:

- the answer is below 400 and the view did not :func:`discard` its work: the transaction
  commits, once. Two people changing the same thing at the same instant (a unique key, a
  lock) is a *conflict*: nothing is kept and the person is told to try again;
- a :class:`~workshop.errors.DomainError` (a refusal): nothing is kept and the person reads
  its sentence in their language with the error's status — the API and JSON pages as
  JSON; a page as a flash over the view's own fallback (see :func:`on_refusal`: usually its
  form again, with what was typed), or else back to the page they came from;
- anything else: nothing is kept, and the error handlers answer (a 500 shows the request
  id; app.logs has the traceback).

Each use case writes one log line (app.logs.use_case).
"""

from collections.abc import Callable
from functools import wraps
from time import perf_counter
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from app import logs
from app.errors import json_error, render_error
from app.extensions import db
from app.i18n import error_text, translate
from workshop.errors import (
    AlreadyDone,
    DomainError,
    InvalidCode,
    InvalidTransition,
    MonthClosed,
    NotFound,
    NotPermitted,
    WrongBatch,
)
from workshop.text import N_

CONFLICT = N_("Someone else changed this at the same moment; nothing was saved. Try again.")
# PostgreSQL's codes for "two transactions collided": serialization failure, deadlock, lock not available.
CONFLICT_SQLSTATES = {"40001", "40P01", "55P03"}

Fallback = Callable[..., Any]


def status_of(error: DomainError) -> int:
    """The HTTP status of a refusal: whose it is not (403/404), a wrong state (409), bad input (422)."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, (AlreadyDone, InvalidTransition, WrongBatch, MonthClosed)):
        return 409
    if isinstance(error, InvalidCode):
        return 422
    return 422


def is_conflict(error: Exception) -> bool:
    """Whether a database error means another transaction got there first (try again)."""
    if isinstance(error, IntegrityError):
        return True
    if isinstance(error, OperationalError):
        code = getattr(getattr(error, "orig", None), "sqlstate", None)
        return code in CONFLICT_SQLSTATES or "database is locked" in str(error)
    return False


def on_refusal(fallback: Fallback) -> Callable[[Fallback], Fallback]:
    """Declare what a page shows when its use case is refused or conflicts.

    ``fallback(error, **view_args)`` returns a response, usually the form again; its status
    becomes the refusal's (409 or 422) unless it sets one itself. ``error`` is the
    DomainError, or None for a conflict. The sentence is already flashed (not for a page's
    script, which gets JSON: its fallback answers the sentence itself)."""

    def mark(view: Fallback) -> Fallback:
        view.__refusal__ = fallback  # type: ignore[attr-defined]
        return view

    return mark


def discard() -> None:
    """The use case answered a refusal of its own (a scan answered "refused"): keep nothing it did."""
    g.discard_changes = True


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.endswith(".json") or request.is_json


def _back() -> Response:
    """Back where the person came from (same site only), else home."""
    target = request.referrer or ""
    parts = urlsplit(target)
    if parts.netloc and parts.netloc != request.host:
        target = ""
    if not target or parts.path == request.path and request.method != "GET":
        target = url_for("main.home")
    return redirect(target, 303)


def _refused(view: Fallback, kwargs: dict, error: DomainError | None) -> Response:
    status = status_of(error) if error is not None else 409
    message = error_text(error) if error is not None else translate(CONFLICT)
    code = error.code if error is not None else "conflict"
    if isinstance(error, NotFound):
        said = error_text(error)
        return current_app.make_response(render_error(404, said if error.message != NotFound().message else None))
    fallback = getattr(view, "__refusal__", None)
    if fallback is None and wants_json():
        return json_error(status, code, message, field=getattr(error, "field", None))
    if not wants_json():  # a script's own answer says it; a flash would show on the next page
        flash(message, "warn" if isinstance(error, AlreadyDone) else "error")
    if fallback is None:
        return _back()
    response = current_app.make_response(fallback(error, **kwargs))
    if response.status_code == 200:
        response.status_code = status
    return response


def _user() -> str:
    return str(current_user.get_id()) if getattr(current_user, "is_authenticated", False) else "-"


def _object(kwargs: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in kwargs.items())


def use_case(view: Fallback, endpoint: str) -> Fallback:
    @wraps(view)
    def run(**kwargs: Any) -> Response:
        started = perf_counter()
        outcome = "ok"
        try:
            response = current_app.make_response(view(**kwargs))
            if response.status_code >= 400 or g.get("discard_changes"):
                db.session.rollback()
                outcome = "discarded" if response.status_code < 400 else f"http:{response.status_code}"
                return response
            db.session.commit()  # month_guard may still refuse here: a DomainError like any other
            return response
        except DomainError as error:
            db.session.rollback()
            outcome = f"refused:{error.code}"
            return _refused(view, kwargs, error)
        except DBAPIError as error:
            db.session.rollback()
            if not is_conflict(error):
                outcome = "error"
                raise
            outcome = "conflict"
            return _refused(view, kwargs, None)
        except HTTPException as error:
            db.session.rollback()
            outcome = f"http:{error.code}"
            raise
        except Exception:
            db.session.rollback()
            outcome = "error"
            raise
        finally:
            logs.use_case(endpoint, _object(kwargs), outcome, (perf_counter() - started) * 1000, _user())

    return run


def init_app(app: Flask) -> None:
    """Wrap every view registered so far (call it after the blueprints)."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static" and not getattr(view, "__use_case__", False):
            wrapped = use_case(view, endpoint)
            wrapped.__use_case__ = True  # type: ignore[attr-defined]
            app.view_functions[endpoint] = wrapped
