"""Schemathesis against the live OpenAPI document: for every operation, generated requests
(as a store clerk and as a technician) get no server error, and every answer matches the
document's status codes and schemas. Bounded to a few examples per operation.

The operations are driven from one test (``operation.as_strategy()`` under Hypothesis)
rather than ``schemathesis.pytest.from_fixture``, whose lazy loader does not run under
pytest 9 (it reads ``request.node._nodeid``)."""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import SparePart  # noqa: E402
from app.services import stock  # noqa: E402
from tests.app.api_support import chain, dispatched, new_piece, token_for  # noqa: E402,F401 (fixtures)

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
EXAMPLES = 10


def test_every_operation_keeps_to_the_document_for_a_store_clerk_and_a_technician(app, chain, make_piece):
    pieces = [make_piece(store=chain.store, user=chain.clerk) for _ in range(3)]
    batch = dispatched(chain.clerk, chain.store, pieces[:2])  # something to find: pieces and a dispatched batch
    headers = [
        {"Authorization": f"Bearer {token_for(user)}", "Accept-Language": language}
        for user, language in ((chain.clerk, "en"), (chain.tech, "zh-CN"), (chain.finance, "en"))
    ]
    # Besides random ids and bodies (mostly 404 and 422), requests on real things.
    part = SparePart(code="ZIP-5", name_zh="5号拉链", name_en="Zip no. 5", unit="条")
    db.session.add(part)
    db.session.flush()
    location = stock.workshop_location()
    real = {
        "piece_id": pieces[0].id,
        "batch_id": batch.id,
        "month": "2026-11",
        "location_id": location.id,
        "part_id": part.id,
    }
    bodies = {
        "POST /pieces": new_piece(),
        "POST /pieces/bulk": {"pieces": [new_piece(), new_piece(size="M")]},
        "POST /scan": {"code": batch.code},
        "POST /batches/{batch_id}/receive": {"code": pieces[0].code},
        "POST /pieces/{piece_id}/grade": {"grade": "repairable"},
        "POST /batches/{batch_id}/pieces": {"piece_id": pieces[2].id},
        "POST /stock/locations/{location_id}/receipts": {
            "lines": [{"part_id": part.id, "quantity": 3, "unit_price": "2.50"}]
        },
    }
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    failures = []
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        variants = [operation.as_strategy()]
        if names:
            variants.append(operation.as_strategy(path_parameters={n: real[n] for n in names}))
        if operation.label in bodies:
            variants.append(
                operation.as_strategy(path_parameters={n: real[n] for n in names}, body=bodies[operation.label])
            )

        @given(case=st.one_of(variants))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            for header in headers:
                db.session.commit()
                # Each request in its own app context, as in production (its own session and g).
                with app.app_context():
                    case.call_and_validate(headers=header, checks=CHECKS)
                db.session.commit()

        try:
            check()
        except Exception as e:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}: {str(e)[:1500]}")
    assert not failures, "\n\n".join(failures)
