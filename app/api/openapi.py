"""The OpenAPI 3.1 document of /api/v1, kept beside the views.

tests/app/test_api_openapi.py checks that every rule of the blueprint is documented and
every documented path exists; tests/app/test_api_schemathesis.py checks the answers
against the schemas.
"""

from workshop.clock import ClockState
from workshop.guarantee import Decision, GuaranteeCategory
from workshop.statuses import BatchStatus, Blame, ClaimStatus, Direction, Grade, PieceStatus, Source

NULL = {"type": "null"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, NULL]}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: list[str] | None = None, extra: bool = False) -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    if not extra:
        schema["additionalProperties"] = False
    return schema


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE_TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["360.00"]}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def enum(values) -> dict:
    return {"type": "string", "enum": [v.value for v in values]}


SCHEMAS = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {
                        "type": "string",
                        "description": "Stable machine code: unauthorized, forbidden, not_found, invalid, "
                        "invalid_code, wrong_batch, already_done, invalid_transition, month_closed, rate_limited, "
                        "idempotency_key_reused, unknown_product, unknown_defect, conflict…",
                    },
                    "message": {
                        "type": "string",
                        "description": "A sentence in the request's language (Accept-Language).",
                    },
                    "field": {"type": "string", "description": "The request field at fault, when there is one."},
                },
                required=["code", "message"],
            ),
        }
    ),
    "StoreRef": obj({"id": INTEGER, "code": STRING, "name": STRING}),
    "Piece": obj(
        PIECE := {
            "id": INTEGER,
            "code": {"type": "string", "examples": ["P00001234K"]},
            "status": enum(PieceStatus),
            "status_label": STRING,
            "store": ref("StoreRef"),
            "product": obj({"id": INTEGER, "style_code": STRING, "name": STRING}),
            "defect": obj({"id": INTEGER, "code": STRING, "name_zh": STRING, "name_en": STRING}),
            "size": STRING,
            "colour": STRING,
            "description": STRING,
            "source": enum(Source),
            "delivery_received_on": nullable(DATE),
            "unexpected": BOOLEAN,
            "trip": {"type": "integer", "minimum": 1, "description": "1, then 2, 3… each time it came back"},
            "registered_at": DATE_TIME,
            "labelled_at": nullable(DATE_TIME),
            "batch_id": nullable(INTEGER),
            "dispatched_at": nullable(DATE_TIME),
            "due_on": nullable(DATE),
            "received_at": nullable(DATE_TIME),
            "return_batch_id": nullable(INTEGER),
            "back_at": nullable(DATE_TIME),
            "grade": nullable(enum(Grade)),
            "graded_at": nullable(DATE_TIME),
            "blame": nullable(enum(Blame)),
            "suggested_blame": nullable(enum(Blame)),
            "blame_reason": STRING,
            "scrap_cost": nullable(MONEY),
            "scrapped_at": nullable(DATE_TIME),
        }
    ),
    "RegisteredPiece": obj(
        {
            **PIECE,
            "warning": nullable({"type": "string", "description": "Rule 3 said at the counter, when it applies."}),
            "customer_return": nullable(ref("CustomerReturn")),
        }
    ),
    "Purchase": obj(
        {
            "sold_on": {**DATE, "description": "The sale date on the receipt (not in the future)."},
            "price_paid": {**MONEY, "description": "What the customer paid, from 0.00 to 999999.99."},
            "receipt_no": {"type": "string", "maxLength": 40, "description": "The receipt or 三包 card number."},
            "worn": BOOLEAN,
            "out_of_town": {**BOOLEAN, "description": "Bought in another city: 10 days to exchange instead of 3."},
            "customer_name": {"type": "string", "maxLength": 100},
            "customer_phone": {"type": "string", "maxLength": 40},
            "serious": {**BOOLEAN, "description": "A defect the seed exchanges rather than repairs."},
            "previous_repairs": {"type": "integer", "minimum": 0, "maximum": 9},
            "exchanged_before": BOOLEAN,
            "same_kind_in_stock": nullable(BOOLEAN),
        },
        required=["sold_on", "price_paid", "receipt_no"],
    ),
    "CustomerReturn": obj(
        {
            "sold_on": DATE,
            "price_paid": MONEY,
            "receipt_no": STRING,
            "worn": BOOLEAN,
            "out_of_town": BOOLEAN,
            "customer_name": {
                "type": "string",
                "description": "Masked (张**) unless the caller is the store or the workshop.",
            },
            "customer_phone": {
                "type": "string",
                "description": "Masked (138****5678) unless the caller is the store or the workshop.",
            },
            "category": enum(GuaranteeCategory),
            "period_months": INTEGER,
            "decision": nullable(enum(Decision)),
            "suggested": nullable(enum(Decision)),
            "rule": nullable(STRING),
            "rule_text": nullable(STRING),
            "amount": nullable(MONEY),
            "depreciation": MONEY,
            "overridden": BOOLEAN,
            "reason": STRING,
            "decided_at": nullable(DATE_TIME),
            "decided_by": nullable(STRING),
            "supplier_caused": BOOLEAN,
        }
    ),
    "CounterAnswer": obj(
        {
            "piece": ref("Piece"),
            "customer_return": ref("CustomerReturn"),
            "period_ends": DATE,
            "free_exchange_ends": DATE,
            "days_since_sale": INTEGER,
            "in_period": BOOLEAN,
            "card_required": BOOLEAN,
            "options": {
                "type": "array",
                "description": "What the 三包 rules allow today, the suggestion first.",
                "items": obj(
                    {
                        "decision": enum(Decision),
                        "label": STRING,
                        "rule": STRING,
                        "text": STRING,
                        "amount": nullable(MONEY),
                        "depreciation": MONEY,
                        "to_workshop": BOOLEAN,
                    }
                ),
            },
        }
    ),
    "CounterDecision": obj(
        {
            "decision": enum(Decision),
            "reason": {
                "type": "string",
                "maxLength": 2000,
                "description": "Required when the decision is not the suggestion (the first option).",
            },
        },
        required=["decision"],
    ),
    "StoreRepair": obj(
        {
            "operations": {"type": "array", "items": {"type": "string", "maxLength": 20}, "maxItems": 20},
            "minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
            "note": {"type": "string", "maxLength": 2000},
        },
        required=["minutes"],
    ),
    "PieceList": obj(
        {
            "items": {"type": "array", "items": ref("Piece")},
            "next_cursor": nullable(
                {"type": "integer", "description": "Pass as ?cursor= for the next page; null on the last."}
            ),
            "size": INTEGER,
        }
    ),
    "NewPiece": obj(
        NEW_PIECE := {
            "product": {"type": "string", "description": "The product's style code.", "maxLength": 60},
            "defect": {"type": "string", "description": "The defect code.", "maxLength": 20},
            "source": enum(Source),
            "size": {"type": "string", "maxLength": 20},
            "colour": {"type": "string", "maxLength": 40},
            "description": {"type": "string", "maxLength": 2000},
            "delivery_received_on": nullable({**DATE, "description": "Required when source is delivery."}),
            "purchase": nullable(
                {**ref("Purchase"), "description": "A customer's return: what was bought, for the counter's answer."}
            ),
        },
        required=["product", "defect", "source"],
    ),
    "NewPieces": obj({"pieces": {"type": "array", "items": ref("NewPiece"), "minItems": 1, "maxItems": 200}}),
    "PieceItems": obj({"items": {"type": "array", "items": ref("Piece")}}),
    "Event": obj(
        {
            "id": INTEGER,
            "at": DATE_TIME,
            "action": STRING,
            "from_status": nullable(STRING),
            "to_status": nullable(STRING),
            "reason": STRING,
            "actor": nullable(STRING),
            "batch_id": nullable(INTEGER),
            "data": {"type": "object"},
        }
    ),
    "History": obj({"piece_id": INTEGER, "events": {"type": "array", "items": ref("Event")}}),
    "Photo": obj(
        {
            "id": INTEGER,
            "content_type": STRING,
            "size_bytes": INTEGER,
            "width": INTEGER,
            "height": INTEGER,
            "uploaded_at": DATE_TIME,
        }
    ),
    "Photos": obj({"piece_id": INTEGER, "photos": {"type": "array", "items": ref("Photo")}}),
    "Grading": obj(
        {
            "grade": enum(Grade),
            "blame": enum(Blame),
            "reason": {
                "type": "string",
                "maxLength": 1000,
                "description": "Required when the blame differs from the suggested one.",
            },
            "note": {"type": "string", "maxLength": 2000},
        },
        required=["grade"],
    ),
    "Repair": obj(
        {
            "operations": {"type": "array", "items": STRING, "maxItems": 20},
            "minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
            "note": {"type": "string", "maxLength": 2000},
            "parts": {
                "type": "array",
                "maxItems": 50,
                "items": obj(
                    {
                        "spare_part_id": ID,
                        "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
                    }
                ),
            },
        },
        required=["minutes"],
    ),
    "Scrap": obj({"blame": enum(Blame), "reason": {"type": "string", "maxLength": 1000}}, required=["blame"]),
    "Correction": obj(
        {"reason": {"type": "string", "minLength": 1, "maxLength": 500, "description": "Why (kept in the history)."}},
    ),
    "PieceEdit": obj(
        {
            **NEW_PIECE,
            "reason": {"type": "string", "minLength": 1, "maxLength": 500},
        },
        required=["product", "defect", "source", "reason"],
    ),
    "NewTrip": obj(
        {
            "defect": {"type": "string", "maxLength": 20, "description": "The defect code of this trip."},
            "description": {"type": "string", "maxLength": 2000},
            "source": enum([Source.CUSTOMER_RETURN, Source.SHELF]),
        },
        required=["defect"],
    ),
    "TakenBack": obj({"taken_back": ref("BatchDetail"), "open_batch": ref("BatchDetail")}),
    "Counts": obj({"expected": INTEGER, "received": INTEGER, "missing": INTEGER, "unexpected": INTEGER}),
    "Batch": obj(
        BATCH := {
            "id": INTEGER,
            "code": {"type": "string", "examples": ["B00000042X"]},
            "direction": enum(Direction),
            "status": enum(BatchStatus),
            "status_label": STRING,
            "store": ref("StoreRef"),
            "created_at": DATE_TIME,
            "iso_week": nullable(INTEGER),
            "extra": BOOLEAN,
            "shipping_fee": nullable(MONEY),
            "carrier": STRING,
            "tracking_no": STRING,
            "dispatched_at": nullable(DATE_TIME),
            "expected_count": nullable(INTEGER),
            "check_started_at": nullable(DATE_TIME),
            "closed_at": nullable(DATE_TIME),
            "piece_count": nullable(INTEGER),
        }
    ),
    "BatchDetail": obj(
        {
            **BATCH,
            "counts": ref("Counts"),
            "pieces": {
                "type": "array",
                "items": obj({"id": INTEGER, "code": STRING, "status": enum(PieceStatus), "unexpected": BOOLEAN}),
            },
        }
    ),
    "BatchList": obj(
        {"items": {"type": "array", "items": ref("Batch")}, "next_cursor": nullable(INTEGER), "size": INTEGER}
    ),
    "PieceRef": obj({"piece_id": ID}),
    "Dispatch": obj(
        {
            "carrier": {"type": "string", "maxLength": 60},
            "tracking_no": {"type": "string", "maxLength": 60},
            "shipping_fee": nullable(
                {
                    "type": "string",
                    "pattern": r"^\d{1,6}(\.\d{1,2})?$",
                    "description": "Required for an outbound batch beyond the store's weekly quota.",
                }
            ),
        },
        required=[],
    ),
    "ScanCode": obj({"code": {"type": "string", "maxLength": 200}}),
    "Scan": obj(
        {
            "code": {
                "type": "string",
                "maxLength": 200,
                "description": "A piece's or a batch's code as scanned, or CLOSE.",
            },
            "mode": {"type": "string", "enum": ["receive", "grade", "pack"], "default": "receive"},
            "batch_id": nullable(ID),
            "action": nullable({"type": "string", "enum": ["scan", "close"]}),
        },
        required=["code"],
    ),
    "ScanResult": obj(
        {
            "outcome": {"type": "string", "enum": ["ok", "warning", "refused"]},
            "code": {
                "type": "string",
                "description": "received, already_received, wrong_batch, invalid_code, unknown_piece, "
                "unknown_batch, batch_opened, closed, already_closed, open_card, packed, already_packed, no_batch…",
            },
            "message": STRING,
            "mode": nullable(STRING),
            "counts": nullable(ref("Counts")),
            "piece_id": nullable(INTEGER),
            "batch_id": nullable(INTEGER),
            "return_batch": nullable(obj({"id": INTEGER, "code": STRING, "store": STRING, "count": INTEGER})),
            "register_unexpected": nullable(obj({"code": nullable(STRING), "batch_id": INTEGER})),
            "error": obj({"code": STRING, "message": STRING}),
        },
        required=[
            "outcome",
            "code",
            "message",
            "mode",
            "counts",
            "piece_id",
            "batch_id",
            "return_batch",
            "register_unexpected",
        ],
    ),
    "Me": obj(
        {
            "id": INTEGER,
            "username": STRING,
            "display_name": STRING,
            "role": {"type": "string", "enum": ["store", "region", "technician", "finance", "admin"]},
            "store": nullable(ref("StoreRef")),
            "region": nullable(ref("StoreRef")),
            "locale": nullable(STRING),
        }
    ),
    "Deadlines": obj(
        {
            "today": DATE,
            "at_risk": INTEGER,
            "overdue": INTEGER,
            "on_time": obj(
                {
                    "on_time": INTEGER,
                    "total": INTEGER,
                    "rate": nullable({"type": "number"}),
                    "target": {"type": "number"},
                }
            ),
            "page": INTEGER,
            "size": INTEGER,
            "total": INTEGER,
            "items": {
                "type": "array",
                "items": obj(
                    {
                        "id": INTEGER,
                        "code": STRING,
                        "status": enum(PieceStatus),
                        "store": ref("StoreRef"),
                        "dispatched_at": nullable(DATE_TIME),
                        "due_on": DATE,
                        "days_left": INTEGER,
                        "clock": enum(ClockState),
                    }
                ),
            },
        }
    ),
    "PartyLine": obj(
        {
            "blame": enum(Blame),
            "party_id": nullable(INTEGER),
            "code": STRING,
            "name": STRING,
            "pieces": INTEGER,
            "scrap": MONEY,
            "adjustments": MONEY,
            "extra_batches": INTEGER,
            "extra_fees": MONEY,
            "total": MONEY,
        }
    ),
    "FinanceMonth": obj(
        {
            "month": {"type": "string", "examples": ["2026-11"]},
            "closed": BOOLEAN,
            "pieces": INTEGER,
            "total": MONEY,
            "suppliers": {"type": "array", "items": ref("PartyLine")},
            "stores": {"type": "array", "items": ref("PartyLine")},
            "hq": ref("PartyLine"),
        }
    ),
    "Claims": obj(
        {
            "page": INTEGER,
            "size": INTEGER,
            "total": INTEGER,
            "items": {
                "type": "array",
                "items": obj(
                    {
                        "id": INTEGER,
                        "number": STRING,
                        "due_on": nullable(DATE),
                        "supplier": ref("StoreRef"),
                        "month": STRING,
                        "status": enum(ClaimStatus),
                        "amount": MONEY,
                        "sent_on": nullable(DATE),
                        "settled_on": nullable(DATE),
                        "paid_amount": nullable(MONEY),
                        "note": STRING,
                        "updated_at": DATE_TIME,
                    }
                ),
            },
        }
    ),
}

ERRORS = {
    "400": "The body is not a JSON object.",
    "401": "No valid token (or log-in).",
    "403": "The caller's role may not do this.",
    "404": "Unknown, or not the caller's to see (another store's piece or batch is 404, never 403).",
    "409": "Refused by the state of things: wrong batch, already done, a closed month, a move the table does not allow.",
    "413": "The upload is too large.",
    "415": "The body is not application/json.",
    "422": "A field is missing or not valid, or a rule refused the request.",
    "429": "Too many requests: wait and retry (Retry-After).",
}
READ_ERRORS = ("401", "403", "404", "422", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "409", "415", "422", "429")


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def error_responses(codes) -> dict:
    return {code: {"description": ERRORS[code], "content": json_content(ref("Error"))} for code in codes}


def path_id(name: str, what: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": what, "schema": ID}


def query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (≤ 200): a retry with the same key and body returns the first answer "
    "(header Idempotent-Replayed: true); the same key with another body is 422 idempotency_key_reused.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[!-~]+$"},
}
SIZE = query("size", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "Items per page (at most 200).")
CURSOR = query("cursor", ID, "The next_cursor of the previous page.")
PAGE = query("page", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1})


def op(
    summary: str,
    ok: dict,
    *,
    status: str = "200",
    tags=(),
    body: dict | None = None,
    params=(),
    errors=READ_ERRORS,
    description: str = "",
    extra: dict | None = None,
    secure: bool = True,
) -> dict:
    operation = {
        "summary": summary,
        "tags": list(tags),
        "responses": {status: ok, **error_responses(errors), **(extra or {})},
    }
    if description:
        operation["description"] = description
    if params:
        operation["parameters"] = list(params)
    if body is not None:
        operation["requestBody"] = {"required": True, "content": json_content(body)}
    if not secure:
        operation["security"] = []
    return operation


def answer(schema_name: str, description: str = "OK") -> dict:
    return {"description": description, "content": json_content(ref(schema_name))}


# A refused scan is 4xx with the scan's body (outcome refused, its code, the counts so far);
# the same statuses also answer bad input or scope in the usual Error shape.
SCAN_REFUSALS = {
    "403": "Refused: your role may not do this scan (code forbidden).",
    "404": "Refused: no piece or parcel of that code is yours to see (unknown_piece, unknown_batch), or no such batch.",
    "409": "Refused: the piece or parcel is not in the state this scan needs "
    "(wrong_batch, wrong_direction, not_dispatched, no_batch, invalid_transition, month_closed…).",
    "422": "Refused: not a valid code (invalid_code), or the body is not valid.",
}
SCAN_RESPONSES = {
    status: {"description": text, "content": json_content({"anyOf": [ref("ScanResult"), ref("Error")]})}
    for status, text in SCAN_REFUSALS.items()
}
SCAN_DESCRIPTION = (
    "ok and warning (already received: scanning twice is harmless) answer 200; a refused scan answers "
    "403, 404, 409 or 422 with the same body, outcome refused and its stable code (also under error.code). "
    "Send an Idempotency-Key so that a scan retried after a lost answer is applied once."
)


PIECE_ID = path_id("piece_id", "The piece's id (the number in its code).")
BATCH_ID = path_id("batch_id", "The batch's id (the number in its code).")

PATHS = {
    "/me": {"get": op("Who the token acts for: role, store, region", answer("Me"), tags=["caller"])},
    "/pieces": {
        "get": op(
            "List pieces the caller may see, newest first",
            answer("PieceList"),
            tags=["pieces"],
            params=[
                query("status", enum(PieceStatus)),
                query("store_id", ID),
                query("registered_from", DATE, "Registered on or after this day (the chain's time zone)."),
                query("registered_to", DATE, "Registered on or before this day."),
                CURSOR,
                SIZE,
            ],
        ),
        "post": op(
            "Register a piece at the caller's store",
            answer("RegisteredPiece", "Registered"),
            status="201",
            tags=["pieces"],
            body=ref("NewPiece"),
            params=[IDEMPOTENCY_KEY],
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/bulk": {
        "post": op(
            "Register up to 200 pieces at once, all or none",
            answer("PieceItems", "Registered"),
            status="201",
            tags=["pieces"],
            body=ref("NewPieces"),
            params=[IDEMPOTENCY_KEY],
            errors=WRITE_ERRORS,
            description="One refused piece and none is registered; error.field says which (pieces[3].product).",
        ),
    },
    "/pieces/{piece_id}": {"get": op("Read one piece", answer("Piece"), tags=["pieces"], params=[PIECE_ID])},
    "/pieces/{piece_id}/history": {
        "get": op(
            "A piece's history: every change, who and when", answer("History"), tags=["pieces"], params=[PIECE_ID]
        ),
    },
    "/pieces/{piece_id}/photos": {
        "post": {
            **op(
                "Add photos (JPEG, PNG or WebP, ≤ 10 MB each, ≤ 5 per piece)",
                answer("Photos", "Added"),
                status="201",
                tags=["pieces"],
                params=[PIECE_ID],
                errors=("401", "403", "404", "409", "413", "422", "429"),
            ),
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": obj(
                            {
                                "photo": {
                                    "type": "array",
                                    "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                                },
                            }
                        )
                    }
                },
            },
        },
    },
    "/pieces/{piece_id}/grade": {
        "post": op(
            "Grade a received piece: repairable, no fault, or scrap (with blame)",
            answer("Piece"),
            tags=["workshop"],
            params=[PIECE_ID],
            body=ref("Grading"),
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/{piece_id}/repair": {
        "post": op(
            "Record the repair of a repairable piece",
            answer("Piece"),
            tags=["workshop"],
            params=[PIECE_ID],
            body=ref("Repair"),
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/{piece_id}/counter": {
        "get": op(
            "The counter's answer for a customer's return: the 三包 options today, and the decision so far",
            answer("CounterAnswer"),
            tags=["counter"],
            params=[PIECE_ID],
        ),
        "post": op(
            "Record the counter's decision (store staff): one of the options, with a reason when not the suggestion",
            answer("CounterAnswer"),
            tags=["counter"],
            params=[PIECE_ID],
            body=ref("CounterDecision"),
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/{piece_id}/store-repair": {
        "post": op(
            "Record the store's own repair of a customer's piece (its decision was a repair at the store)",
            answer("Piece"),
            tags=["counter"],
            params=[PIECE_ID],
            body=ref("StoreRepair"),
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/{piece_id}/scrap": {
        "post": op(
            "Scrap a repairable piece after all (with blame)",
            answer("Piece"),
            tags=["workshop"],
            params=[PIECE_ID],
            body=ref("Scrap"),
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/{piece_id}/edit": {
        "post": op(
            "Correct a registered piece's details (store, until it is packed), with a reason",
            answer("Piece"),
            tags=["corrections"],
            params=[PIECE_ID],
            body=ref("PieceEdit"),
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/{piece_id}/cancel": {
        "post": op(
            "Cancel a registered piece (store): it leaves every list and count, its label is void",
            answer("Piece"),
            tags=["corrections"],
            params=[PIECE_ID],
            body=ref("Correction"),
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/{piece_id}/undo-grade": {
        "post": op(
            "Undo a grade (workshop) while the piece has not moved on and its month is open",
            answer("Piece"),
            tags=["corrections"],
            params=[PIECE_ID],
            body=ref("Correction"),
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/{piece_id}/undo-receive": {
        "post": op(
            "Undo a receive scan (workshop) while the piece is not graded",
            answer("Piece"),
            tags=["corrections"],
            params=[PIECE_ID],
            body=ref("Correction"),
            errors=WRITE_ERRORS,
        ),
    },
    "/pieces/{piece_id}/send-again": {
        "post": op(
            "Send a piece back at its store in again (store): the same piece, its next trip",
            answer("Piece"),
            tags=["corrections"],
            params=[PIECE_ID],
            body=ref("NewTrip"),
            errors=WRITE_ERRORS,
        ),
    },
    "/batches/{batch_id}/take-back": {
        "post": op(
            "Take back a dispatched parcel the workshop has not started checking (store): the quota is given back",
            answer("TakenBack"),
            tags=["corrections"],
            params=[BATCH_ID],
            body=ref("Correction"),
            errors=WRITE_ERRORS,
        ),
    },
    "/batches/{batch_id}/reopen": {
        "post": op(
            "Reopen a closed check (its checker): missing pieces are expected again",
            answer("BatchDetail"),
            tags=["corrections"],
            params=[BATCH_ID],
            body=ref("Correction"),
            errors=WRITE_ERRORS,
        ),
    },
    "/batches": {
        "get": op(
            "List batches the caller may see, newest first",
            answer("BatchList"),
            tags=["batches"],
            params=[
                query("direction", enum(Direction)),
                query("status", enum(BatchStatus)),
                query("store_id", ID),
                CURSOR,
                SIZE,
            ],
        ),
    },
    "/batches/open": {
        "post": op(
            "The store's open outbound batch (opened now if there is none)",
            answer("BatchDetail", "Already open"),
            tags=["batches"],
            errors=("401", "403", "409", "429"),
            extra={"201": answer("BatchDetail", "Opened now")},
        ),
    },
    "/batches/{batch_id}": {
        "get": op(
            "Read a batch with its pieces and check counts", answer("BatchDetail"), tags=["batches"], params=[BATCH_ID]
        )
    },
    "/batches/{batch_id}/pieces": {
        "post": op(
            "Add a piece to an open batch (outbound: the store; return: the workshop)",
            answer("BatchDetail"),
            tags=["batches"],
            params=[BATCH_ID],
            body=ref("PieceRef"),
            errors=WRITE_ERRORS,
        ),
    },
    "/batches/{batch_id}/pieces/{piece_id}": {
        "delete": op(
            "Take a piece out of an open batch",
            answer("BatchDetail"),
            tags=["batches"],
            params=[BATCH_ID, PIECE_ID],
            errors=("401", "403", "404", "409", "422", "429"),
        ),
    },
    "/batches/{batch_id}/dispatch": {
        "post": op(
            "Dispatch a batch (outbound starts the 15-day clocks; return sends pieces back)",
            answer("BatchDetail"),
            tags=["batches"],
            params=[BATCH_ID, IDEMPOTENCY_KEY],
            body=ref("Dispatch"),
            errors=WRITE_ERRORS,
        ),
    },
    "/batches/{batch_id}/receive": {
        "post": op(
            "Receive one scanned piece of a dispatched parcel",
            answer("ScanResult", "The scan's answer: ok or warning"),
            tags=["batches"],
            params=[BATCH_ID, IDEMPOTENCY_KEY],
            body=ref("ScanCode"),
            errors=WRITE_ERRORS,
            extra=SCAN_RESPONSES,
            description=SCAN_DESCRIPTION,
        ),
    },
    "/batches/{batch_id}/close": {
        "post": op(
            "Close the check of a parcel: unscanned pieces become missing",
            answer("BatchDetail"),
            tags=["batches"],
            params=[BATCH_ID],
            errors=("401", "403", "404", "409", "422", "429"),
        ),
    },
    "/return-batches/pack": {
        "post": op(
            "Pack a repaired or no-fault piece into its store's open return batch",
            answer("BatchDetail"),
            tags=["workshop"],
            body=ref("PieceRef"),
            errors=WRITE_ERRORS,
        ),
    },
    "/scan": {
        "post": op(
            "The scan station: one scanned code in a mode, as the bench page answers it",
            answer("ScanResult", "The scan's answer: ok or warning"),
            tags=["workshop"],
            params=[IDEMPOTENCY_KEY],
            body=ref("Scan"),
            errors=("400", "401", "403", "409", "415", "422", "429"),
            extra=SCAN_RESPONSES,
            description=SCAN_DESCRIPTION,
        ),
    },
    "/deadlines": {
        "get": op(
            "The deadline board (rule 1): running clocks, earliest due first",
            answer("Deadlines"),
            tags=["workshop"],
            params=[
                query("clock", {"type": "string", "enum": ["overdue", "at_risk", "on_track"]}),
                query("status", enum(PieceStatus)),
                query("store_id", ID),
                PAGE,
                SIZE,
            ],
        ),
    },
    "/finance/months/{month}": {
        "get": op(
            "A month's scrap costs per supplier, store and head office",
            answer("FinanceMonth"),
            tags=["finance"],
            params=[
                {
                    "name": "month",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                    "example": "2026-11",
                }
            ],
        ),
    },
    "/finance/claims": {
        "get": op(
            "Supplier claims (open → sent → settled)",
            answer("Claims"),
            tags=["finance"],
            params=[query("status", enum(ClaimStatus)), query("supplier_id", ID), PAGE, SIZE],
        ),
    },
    "/openapi.json": {
        "get": op(
            "This document",
            {"description": "The OpenAPI document", "content": json_content({"type": "object"})},
            tags=["reference"],
            errors=("429",),
            secure=False,
        )
    },
    "/docs/viewer": {
        "get": op(
            "The same reference in Redoc (vendored, no CDN)",
            {"description": "An HTML page", "content": {"text/html": {"schema": STRING}}},
            tags=["reference"],
            errors=("429",),
            secure=False,
        )
    },
    "/docs": {
        "get": op(
            "The readable reference of this document",
            {"description": "An HTML page", "content": {"text/html": {"schema": STRING}}},
            tags=["reference"],
            errors=("429",),
            secure=False,
        )
    },
}


# --- Spare parts ------------------------------------------------------------------------

COST = {"type": "string", "pattern": r"^-?\d+\.\d{4}$", "examples": ["1.7500"], "description": "Four places."}
# A query string with a character no text may hold (a NUL) is refused before any view: 400.
TEXT_QUERY_ERRORS = ("400", *READ_ERRORS)
LOCATION_ID = path_id("location_id", "A stock location: the workshop's store room or a store's own shelf.")
PART_ID = path_id("part_id", "A spare part.")
SCHEMAS.update(
    {
        "SparePart": obj(
            {"id": INTEGER, "code": STRING, "name_zh": STRING, "name_en": STRING, "unit": STRING, "active": BOOLEAN}
        ),
        "SparePartList": obj(
            {"items": {"type": "array", "items": ref("SparePart")}, "next_cursor": nullable(INTEGER), "size": INTEGER}
        ),
        "StockLocation": obj({"id": INTEGER, "store_id": nullable(INTEGER), "name": STRING}),
        "StockLocations": obj({"items": {"type": "array", "items": ref("StockLocation")}}),
        "StockRow": obj(
            {
                "part": ref("SparePart"),
                "on_hand": INTEGER,
                "average_cost": COST,
                "value": MONEY,
                "reorder_point": INTEGER,
                "reorder_quantity": INTEGER,
                "to_order": INTEGER,
                "shelf": STRING,
            }
        ),
        "StockPage": obj(
            {
                "location": ref("StockLocation"),
                "items": {"type": "array", "items": ref("StockRow")},
                "next_after": nullable({"type": "string", "description": "Pass as ?after= for the next page."}),
            }
        ),
        "StockMovement": obj(
            {
                "id": INTEGER,
                "kind": {
                    "type": "string",
                    "enum": ["receive", "issue", "return", "transfer_out", "transfer_in", "write_off", "count"],
                },
                "quantity": {"type": "integer", "description": "Signed: out is negative."},
                "unit_cost": COST,
                "value": MONEY,
                "balance": {"type": "integer", "minimum": 0, "description": "On hand after this movement."},
                "at": DATE_TIME,
                "actor_id": nullable(INTEGER),
                "reason": STRING,
                "receipt_id": nullable(INTEGER),
                "repair_id": nullable(INTEGER),
                "requisition_id": nullable(INTEGER),
                "stocktake_id": nullable(INTEGER),
                "other_location_id": nullable(INTEGER),
            }
        ),
        "StockLedger": obj(
            {
                "on_hand": INTEGER,
                "items": {"type": "array", "items": ref("StockMovement")},
                "next_cursor": nullable(INTEGER),
            }
        ),
        "NewStockReceipt": obj(
            {
                "supplier_id": nullable(ID),
                "delivery_note": {"type": "string", "maxLength": 60},
                "note": {"type": "string", "maxLength": 2000},
                "lines": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 200,
                    "items": obj(
                        {
                            "part_id": ID,
                            "quantity": {"type": "integer", "minimum": 1, "maximum": 100000},
                            "unit_price": MONEY,
                        }
                    ),
                },
            },
            required=["lines"],
        ),
        "StockReceipt": obj(
            {
                "id": INTEGER,
                "number": STRING,
                "location_id": INTEGER,
                "supplier_id": nullable(INTEGER),
                "delivery_note": STRING,
                "received_at": DATE_TIME,
                "lines": {
                    "type": "array",
                    "items": obj({"part_id": INTEGER, "quantity": INTEGER, "unit_price": MONEY}),
                },
            }
        ),
    }
)
PATHS.update(
    {
        "/parts": {
            "get": op(
                "The spare parts catalogue, by id",
                answer("SparePartList"),
                tags=["spare parts"],
                params=[
                    query("q", {"type": "string", "maxLength": 60}, "Code prefix or part of a name."),
                    CURSOR,
                    SIZE,
                ],
                errors=TEXT_QUERY_ERRORS,
            )
        },
        "/parts/{part_id}": {"get": op("One spare part", answer("SparePart"), tags=["spare parts"], params=[PART_ID])},
        "/stock/locations": {
            "get": op(
                "Where parts are kept that the caller may see",
                answer("StockLocations"),
                tags=["spare parts"],
                errors=("401", "429"),
            )
        },
        "/stock/locations/{location_id}/parts": {
            "get": op(
                "The stock of one location, by part code",
                answer("StockPage"),
                tags=["spare parts"],
                params=[
                    LOCATION_ID,
                    query("q", {"type": "string", "maxLength": 60}),
                    query("after", {"type": "string", "maxLength": 20}, "The next_after of the previous page."),
                    query("to_order", {"type": "string", "enum": ["1"]}, "Only parts at or below their reorder point."),
                ],
                errors=TEXT_QUERY_ERRORS,
            )
        },
        "/stock/locations/{location_id}/parts/{part_id}/movements": {
            "get": op(
                "A part's ledger at one location, newest first",
                answer("StockLedger"),
                tags=["spare parts"],
                params=[LOCATION_ID, PART_ID, CURSOR, SIZE],
            )
        },
        "/stock/locations/{location_id}/receipts": {
            "post": op(
                "Receive parts into stock (a receipt, 接收单)",
                answer("StockReceipt", "Received"),
                status="201",
                tags=["spare parts"],
                body=ref("NewStockReceipt"),
                params=[LOCATION_ID],
                errors=WRITE_ERRORS,
            )
        },
    }
)


def document(server_url: str = "/api/v1") -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Repair workshop API",
            "version": "1.0.0",
            "description": (
                "The same services as the pages, for tills, ERP systems and handheld scanners. Authenticate with a personal "
                "token from your profile page: `Authorization: Bearer wst_…`. A token acts with its user's role and "
                "store/region scope. Times are ISO 8601 in UTC with their offset, days are YYYY-MM-DD, money is a decimal "
                'string. Errors are `{"error": {"code", "message"}}` with the message in the Accept-Language\'s language.'
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token (wst_…)."}
            },
            "schemas": SCHEMAS,
        },
        "paths": PATHS,
    }
