"""The API's ``Idempotency-Key`` (app.idempotency), its refusals in the API's own shape."""

from flask import Response

from app import idempotency
from app.api.errors import ApiError

HEADER = idempotency.HEADER


def run(work) -> Response:
    try:
        return idempotency.run(work)
    except idempotency.BadKey as e:
        raise ApiError(422, "invalid", e.message, field=HEADER) from None
    except idempotency.KeyReused as e:
        raise ApiError(422, "idempotency_key_reused", e.message, field=HEADER) from None
