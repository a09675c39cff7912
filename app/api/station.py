"""The caller, the scan station, the deadline board and finance figures (read)."""

import re

from flask import jsonify, request
from flask_login import current_user

from app import clock
from app.api import idempotency, inputs
from app.api.auth import require_role
from app.api.errors import ApiError, scan_status
from app.api.routes import bp
from app.api.schemas import amount, day, scan_json, store_ref, when
from app.boundary import discard
from app.extensions import db
from app.services import deadlines, finance, scan_station, scanning
from app.services.settings import rules as current_rules
from workshop.clock import RUNNING_STATES, ClockState, clock_state, days_left
from workshop.money import Month
from workshop.roles import Role
from workshop.statuses import ClaimStatus, PieceStatus
from workshop.text import N_

MONTH_TEXT = re.compile(r"^\d{4}-\d{2}$")


@bp.get("/me")
def me():
    user = current_user
    return jsonify(
        {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role.value,
            "store": store_ref(user.store) if user.store else None,
            "region": {"id": user.region.id, "code": user.region.code, "name": user.region.name}
            if user.region
            else None,
            "locale": user.locale,
        }
    )


@bp.post("/scan")
def scan():
    """The scan station's answer, the same as the bench page's (app.services.scan_station).

    ok and warning answer 200; a refusal answers 4xx (scan_status) with the same body and
    its code. With an Idempotency-Key, a retried scan (a handheld that lost the answer) gets
    the first answer again and is applied once."""
    body = inputs.json_body()
    code = inputs.text(body, "code", max_length=200)
    mode = body.get("mode") or "receive"
    if mode not in scan_station.MODES:
        raise ApiError(
            422, "invalid", N_("mode must be one of: %(choices)s."), field="mode", choices=", ".join(scan_station.MODES)
        )
    batch_id = inputs.integer(body, "batch_id", minimum=1)
    action = body.get("action")
    if action not in (None, "scan", "close"):
        raise ApiError(422, "invalid", N_("action must be “scan” or “close”."), field="action")

    def work():
        if action == "close" or scan_station.is_close_command(code):
            answer = scan_station.close(current_user, batch_id)
        else:
            answer = scan_station.scan(current_user, code, mode, batch_id)
        return scan_response(answer.result, answer.mode, answer)

    return idempotency.run(work)


def scan_response(result, mode, station=None):
    """The scan's answer with its status (4xx for a refusal); a scan that is not ok keeps nothing."""
    if result.outcome != scanning.OK:
        discard()  # a refused or repeated scan keeps nothing of what it started
    response = jsonify(scan_json(result, mode, station))
    response.status_code = scan_status(result.outcome, result.code)
    return response


@bp.get("/deadlines", endpoint="deadlines")
def deadline_board():
    """Rule 1's board: pieces whose 15-day clock runs, the earliest due first."""
    rules = current_rules()
    today = clock.today()
    page = inputs.query_int("page", minimum=1, maximum=100000, default=1)
    size = inputs.query_int("size", minimum=1, maximum=200, default=50)
    store_id = inputs.query_int("store_id", minimum=1, maximum=2**31 - 1, default=None)
    status = inputs.query_choice("status", PieceStatus)
    state = request.args.get("clock") or None
    if state not in (None, *RUNNING_STATES):
        raise ApiError(
            422,
            "invalid",
            N_("clock must be one of: %(choices)s."),
            field="clock",
            choices=", ".join(s.value for s in RUNNING_STATES),
        )
    query = deadlines.board(
        current_user, rules, today, store_id=store_id, status=status, state=ClockState(state) if state else None
    )
    found = db.paginate(query, page=page, per_page=size, error_out=False)
    counts = deadlines.counts(current_user, rules, today)
    at_risk, overdue = counts.at_risk, counts.overdue
    rate = deadlines.on_time(current_user, rules, today)
    return jsonify(
        {
            "today": day(today),
            "at_risk": at_risk,
            "overdue": overdue,
            "on_time": {"on_time": rate.on_time, "total": rate.total, "rate": rate.rate, "target": rate.target},
            "page": found.page,
            "size": size,
            "total": found.total,
            "items": [
                {
                    "id": p.id,
                    "code": p.code,
                    "status": p.status.value,
                    "store": store_ref(p.store),
                    "dispatched_at": when(p.dispatched_at),
                    "due_on": day(p.due_on),
                    "days_left": days_left(p.due_on, today),
                    "clock": clock_state(p.due_on, today, rules.at_risk_days).value,
                }
                for p in found.items
            ],
        }
    )


def parse_month(text: str) -> Month:
    try:
        if not MONTH_TEXT.match(text):
            raise ValueError
        return Month.parse(text)
    except ValueError:
        raise ApiError(404) from None


def party_json(line) -> dict:
    return {
        "blame": line.blame.value,
        "party_id": line.party_id,
        "code": line.code,
        "name": line.name,
        "pieces": line.pieces,
        "scrap": amount(line.scrap),
        "adjustments": amount(line.adjustments),
        "extra_batches": line.extra_batches,
        "extra_fees": amount(line.extra_fees),
        "total": amount(line.total),
    }


@bp.get("/finance/months/<month>")
def finance_month(month: str):
    """A month's scrap costs per supplier, per store and for head office (rule 5)."""
    require_role(Role.FINANCE)
    allocation = finance.allocation(parse_month(month))
    return jsonify(
        {
            "month": str(allocation.month),
            "closed": allocation.closed,
            "pieces": allocation.pieces,
            "total": amount(allocation.total),
            "suppliers": [party_json(line) for line in allocation.suppliers],
            "stores": [party_json(line) for line in allocation.stores],
            "hq": party_json(allocation.hq),
        }
    )


@bp.get("/finance/claims")
def finance_claims():
    require_role(Role.FINANCE)
    page = inputs.query_int("page", minimum=1, maximum=100000, default=1)
    size = inputs.query_int("size", minimum=1, maximum=200, default=50)
    status = inputs.query_choice("status", ClaimStatus)
    supplier_id = inputs.query_int("supplier_id", minimum=1, maximum=2**31 - 1, default=None)
    found = db.paginate(
        finance.claims_query(supplier_id=supplier_id, status=status), page=page, per_page=size, error_out=False
    )
    return jsonify(
        {
            "page": found.page,
            "size": size,
            "total": found.total,
            "items": [
                {
                    "id": c.id,
                    "number": c.number,
                    "due_on": day(c.due_on),
                    "supplier": {"id": c.supplier.id, "code": c.supplier.code, "name": c.supplier.name},
                    "month": str(Month.from_key(c.month)),
                    "status": c.status.value,
                    "amount": amount(c.amount),
                    "sent_on": day(c.sent_on),
                    "settled_on": day(c.settled_on),
                    "paid_amount": amount(c.paid_amount),
                    "note": c.note,
                    "updated_at": when(c.updated_at),
                }
                for c in found.items
            ],
        }
    )
