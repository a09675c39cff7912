"""三包 at the counter through the API: a customer's purchase with its registration, the
counter's answer, the decision, the store's own repair (app.services.counter)."""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.api import inputs
from app.api.auth import require_role
from app.api.errors import ApiError
from app.api.routes import bp
from app.api.schemas import amount, day, piece_json, when
from app.extensions import db
from app.models import CustomerReturn, Piece
from app.services import counter, scope
from app.services.settings import rules as current_rules
from workshop.guarantee import CounterAnswer, Decision
from workshop.roles import Role
from workshop.text import N_


def purchase(data) -> counter.Purchase | None:
    """The optional ``purchase`` of a new piece (a customer's return)."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", N_("purchase must be a JSON object."), field="purchase")
    try:
        sold_on = inputs.iso_date(data, "sold_on")
        if sold_on is None:
            raise inputs.required("sold_on")
        price = inputs.decimal_amount(data, "price_paid")
        if price is None:
            raise inputs.required("price_paid")
        return counter.Purchase(
            sold_on=sold_on,
            price_paid=price,
            receipt_no=inputs.text(data, "receipt_no", max_length=40, required_=True),
            worn=inputs.boolean(data, "worn"),
            out_of_town=inputs.boolean(data, "out_of_town"),
            customer_name=inputs.text(data, "customer_name", max_length=100),
            customer_phone=inputs.text(data, "customer_phone", max_length=40),
            serious=inputs.boolean(data, "serious"),
            previous_repairs=inputs.integer(data, "previous_repairs", maximum=counter.MAX_REPAIRS, default=0),
            exchanged_before=inputs.boolean(data, "exchanged_before"),
            same_kind_in_stock=inputs.boolean(data, "same_kind_in_stock", default=None),
        )
    except ApiError as e:
        e.field = f"purchase.{e.field}" if e.field else "purchase"
        raise


def return_json(record: CustomerReturn | None) -> dict | None:
    """A customer return as the caller may read it: the customer masked unless store or workshop."""
    if record is None:
        return None
    return {
        "sold_on": day(record.sold_on),
        "price_paid": amount(record.price_paid),
        "receipt_no": record.receipt_no,
        "worn": record.worn,
        "out_of_town": record.out_of_town,
        "customer_name": counter.customer_name(record, current_user),
        "customer_phone": counter.customer_phone(record, current_user),
        "category": record.category.value,
        "period_months": record.period_months,
        "decision": record.decision.value if record.decision else None,
        "suggested": record.suggested.value if record.suggested else None,
        "rule": record.rule,
        "rule_text": counter.rule_text(record, _) or None,
        "amount": amount(record.amount),
        "depreciation": amount(record.depreciation),
        "overridden": record.overridden,
        "reason": record.reason,
        "decided_at": when(record.decided_at),
        "decided_by": record.decided_by.display_name if record.decided_by else None,
        "supplier_caused": record.supplier_caused,
    }


def answer_json(piece: Piece, record: CustomerReturn, found: CounterAnswer) -> dict:
    return {
        "piece": piece_json(piece),
        "customer_return": return_json(record),
        "period_ends": day(found.period_ends),
        "free_exchange_ends": day(found.free_exchange_ends),
        "days_since_sale": found.days_since_sale,
        "in_period": found.in_period,
        "card_required": found.card_required,
        "options": [
            {
                "decision": o.decision.value,
                "label": _(o.decision.label),
                "rule": o.rule.value,
                "text": o.text(_),
                "amount": amount(o.amount),
                "depreciation": amount(o.depreciation),
                "to_workshop": o.decision.to_workshop,
            }
            for o in found.options
        ],
    }


def _record_of(piece: Piece) -> CustomerReturn:
    record = counter.current(piece)
    if record is None:
        raise ApiError(
            404,
            "not_found",
            N_("Piece %(piece)s has no purchase recorded: it is not a customer's return."),
            piece=piece.code,
        )
    return record


@bp.get("/pieces/<int:piece_id>/counter")
def counter_answer(piece_id: int):
    piece = scope.get_piece(current_user, piece_id)
    record = _record_of(piece)
    return jsonify(answer_json(piece, record, counter.answer(record, clock.today())))


@bp.post("/pieces/<int:piece_id>/counter")
def counter_decision(piece_id: int):
    # Scoping first: another store's piece is 404 whatever the role or the body.
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    require_role(Role.STORE)
    body = inputs.json_body()
    decision = inputs.choice(body, "decision", Decision, required_=True)
    reason = inputs.text(body, "reason", max_length=2000)
    record = counter.decide(current_user, piece, decision, reason, current_rules(), at=clock.now())
    db.session.flush()
    return jsonify(answer_json(piece, record, counter.answer(record, clock.today())))


@bp.post("/pieces/<int:piece_id>/store-repair")
def store_repair(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    require_role(Role.STORE)
    body = inputs.json_body()
    operations = body.get("operations", [])
    if not isinstance(operations, list) or not all(isinstance(o, str) for o in operations) or len(operations) > 20:
        raise ApiError(422, "invalid", N_("operations must be a list of repair operation codes."), field="operations")
    minutes = inputs.integer(body, "minutes", minimum=1, maximum=counter.MAX_MINUTES, required_=True)
    note = inputs.text(body, "note", max_length=2000)
    counter.repair_at_store(current_user, piece, [o[:20] for o in operations], minutes, note, at=clock.now())
    db.session.flush()
    return jsonify(piece_json(piece))
