"""``Idempotency-Key``: a retried write returns the first answer instead of doing the work
twice — for the API's clients and for the pages' own scripts (the scan pages' queue of scans
made while the server could not be reached, static/js/scanning.js).

The record is written in the same transaction as the work, so either both are saved or
neither. Only successful answers are remembered: a refused request changed nothing, so
retrying it simply asks again. The same key with a different request is refused (422).
"""

import hashlib
import json

from flask import Response, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.i18n import translate
from app.models import IdempotencyRecord
from workshop.errors import DomainError
from workshop.text import N_

HEADER = "Idempotency-Key"
MAX_KEY = 200


class BadKey(Exception):
    """The header is there but empty or too long; each caller says so in its own shape."""

    message = N_("The Idempotency-Key header must be 1 to 200 characters.")


class KeyReused(Exception):
    """The same key came with a different request."""

    message = N_("This Idempotency-Key was already used for a different request.")


def key() -> str | None:
    value = request.headers.get(HEADER)
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > MAX_KEY:
        raise BadKey()
    return value


def fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(b"\0")
    data = request.get_json(silent=True)
    digest.update(
        json.dumps(data, sort_keys=True, separators=(",", ":")).encode() if data is not None else request.get_data()
    )
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, fp: str) -> Response:
    if record.fingerprint != fp:
        raise KeyReused()
    response = current_app.response_class(record.body, status=record.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _record(idem_key: str) -> IdempotencyRecord | None:
    return db.session.scalars(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == current_user.id, IdempotencyRecord.key == idem_key)
    ).one_or_none()


def run(work) -> Response:
    """Call ``work()`` (which flushes, never commits) once per key. The record of its answer
    is flushed with its work, so the request's one commit (app.boundary) keeps both or
    neither."""
    idem_key = key()
    if idem_key is None:
        return work()
    fp = fingerprint()
    found = _record(idem_key)
    if found is not None:
        return _replay(found, fp)
    try:
        response = work()
    except DomainError:
        # A twin request with this key may have done the work meanwhile (it held the lock we
        # waited for): then its answer is ours too; otherwise the refusal stands.
        db.session.rollback()
        found = _record(idem_key)
        if found is not None:
            return _replay(found, fp)
        raise
    if 200 <= response.status_code < 300:
        db.session.add(
            IdempotencyRecord(
                user_id=current_user.id,
                key=idem_key,
                fingerprint=fp,
                status_code=response.status_code,
                body=response.get_data(as_text=True),
            )
        )
        try:
            db.session.flush()
        except IntegrityError:
            # The same key raced in from another request and won: answer with its result.
            db.session.rollback()
            return _replay(_record(idem_key), fp)
    return response


def run_for_page(work) -> Response:
    """:func:`run` for a page's own script (the scan pages): a bad or reused key is answered
    like a refused scan, in the person's language."""
    try:
        return run(work)
    except (BadKey, KeyReused) as e:
        response = jsonify({"outcome": "refused", "code": "invalid", "message": translate(e.message)})
        response.status_code = 422
        return response
