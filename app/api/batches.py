"""Batches: list, read, the store's open batch, packing, dispatch, receiving, closing the
check; return batches are packed and dispatched through the same addresses."""

from flask import jsonify
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.api import idempotency, inputs
from app.api.auth import require_role
from app.api.errors import ApiError
from app.api.routes import bp
from app.api.schemas import batch_json, member_json
from app.api.station import scan_response
from app.extensions import db
from app.models import Batch, Piece
from app.services import batches, returns, scanning, scope
from app.services.settings import rules as current_rules
from workshop.roles import Role
from workshop.statuses import BatchStatus, Direction
from workshop.text import N_

MAX_PAGE = 200


def piece_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    outbound = db.session.execute(
        select(Piece.batch_id, func.count()).where(Piece.batch_id.in_(ids)).group_by(Piece.batch_id)
    ).all()
    back = db.session.execute(
        select(Piece.return_batch_id, func.count())
        .where(Piece.return_batch_id.in_(ids))
        .group_by(Piece.return_batch_id)
    ).all()
    counts = dict(outbound)
    for batch_id, n in back:
        counts[batch_id] = counts.get(batch_id, 0) + n
    return counts


def members(batch: Batch) -> list[Piece]:
    return batch.pieces if batch.direction == Direction.OUTBOUND else batch.return_pieces


def full_json(batch: Batch) -> dict:
    pieces = members(batch)
    answer = batch_json(batch, len(pieces))
    answer["counts"] = scanning.check_counts(batch).as_dict()
    answer["pieces"] = [member_json(p) for p in pieces]
    return answer


@bp.get("/batches")
def list_batches():
    size = inputs.query_int("size", minimum=1, maximum=MAX_PAGE, default=50)
    cursor = inputs.query_int("cursor", minimum=1, maximum=2**31 - 1, default=None)
    query = scope.batches(current_user)
    direction = inputs.query_choice("direction", Direction)
    if direction is not None:
        query = query.where(Batch.direction == direction)
    status = inputs.query_choice("status", BatchStatus)
    if status is not None:
        query = query.where(Batch.status == status)
    store_id = inputs.query_int("store_id", minimum=1, maximum=2**31 - 1, default=None)
    if store_id is not None:
        query = query.where(Batch.store_id == store_id)
    if cursor is not None:
        query = query.where(Batch.id < cursor)
    found = db.session.scalars(query.options(joinedload(Batch.store)).order_by(Batch.id.desc()).limit(size + 1)).all()
    items = found[:size]
    counts = piece_counts([b.id for b in items])
    return jsonify(
        {
            "items": [batch_json(b, counts.get(b.id, 0)) for b in items],
            "next_cursor": items[-1].id if len(found) > size else None,
            "size": size,
        }
    )


@bp.get("/batches/<int:batch_id>")
def get_batch(batch_id: int):
    return jsonify(full_json(scope.get_batch(current_user, batch_id)))


@bp.post("/batches/open")
def open_batch():
    """The store's open outbound batch, opened now if there is none."""
    if current_user.store is None:
        raise ApiError(403, "forbidden", N_("A batch is opened for one store: use a token of a member of its staff."))
    existing = batches.open_batch(current_user.store, Direction.OUTBOUND)
    if existing is not None:
        return jsonify(full_json(existing)), 200
    batch = batches.open_or_create_batch(current_user, current_user.store, Direction.OUTBOUND, at=clock.now())
    db.session.flush()
    return jsonify(full_json(batch)), 201


def body_piece(body: dict) -> Piece:
    piece_id = inputs.integer(body, "piece_id", minimum=1, required_=True)
    piece = scope.find_piece(current_user, piece_id, for_update=True)
    if piece is None:
        raise ApiError(
            404, "not_found", N_("Piece %(id)d is unknown, or not yours to see."), field="piece_id", id=piece_id
        )
    return piece


@bp.post("/batches/<int:batch_id>/pieces")
def add_to_batch(batch_id: int):
    batch = scope.get_batch(current_user, batch_id, for_update=True)
    piece = body_piece(inputs.json_body())
    if batch.direction == Direction.OUTBOUND:
        batches.add_piece(current_user, batch, piece, at=clock.now())
    else:
        returns.pack_return(current_user, batch, piece, at=clock.now())
    db.session.flush()
    return jsonify(full_json(batch))


@bp.delete("/batches/<int:batch_id>/pieces/<int:piece_id>")
def remove_from_batch(batch_id: int, piece_id: int):
    batch = scope.get_batch(current_user, batch_id, for_update=True)
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    if batch.direction == Direction.OUTBOUND:
        batches.remove_piece(current_user, batch, piece, at=clock.now())
    else:
        returns.unpack_return(current_user, batch, piece, at=clock.now())
    db.session.flush()
    return jsonify(full_json(batch))


@bp.post("/batches/<int:batch_id>/dispatch")
def dispatch(batch_id: int):
    batch = scope.get_batch(current_user, batch_id, for_update=True)
    body = inputs.json_body()
    carrier = inputs.text(body, "carrier", max_length=60)
    tracking_no = inputs.text(body, "tracking_no", max_length=60)
    fee = inputs.decimal_amount(body, "shipping_fee")

    def work():
        if batch.direction == Direction.OUTBOUND:
            batches.dispatch_batch(
                current_user,
                batch,
                current_rules(),
                carrier=carrier,
                tracking_no=tracking_no,
                shipping_fee=fee,
                at=clock.now(),
            )
        else:
            returns.dispatch_return(current_user, batch, carrier=carrier, tracking_no=tracking_no, at=clock.now())
        db.session.flush()
        return jsonify(full_json(batch))

    return idempotency.run(work)


@bp.post("/batches/<int:batch_id>/receive")
def receive(batch_id: int):
    """One scanned piece of a parcel: at the workshop (outbound) or back at the store (return).

    A refusal answers 4xx with the scan's body and code; an Idempotency-Key makes a retry safe."""
    batch = scope.get_batch(current_user, batch_id, for_update=True)
    code = inputs.text(inputs.json_body(), "code", max_length=200, required_=True)

    def work():
        # Opening the parcel is the slip scan's decision (direction, dispatched, check started).
        opened, result = scanning.scan_batch(current_user, batch.code)
        if opened is not None:
            if batch.direction == Direction.OUTBOUND:
                result = scanning.receive_scan(current_user, batch, code, at=clock.now())
            else:
                result = returns.receive_back_scan(current_user, batch, code, current_rules(), at=clock.now())
        return scan_response(result, "receive")

    return idempotency.run(work)


@bp.post("/batches/<int:batch_id>/close")
def close_check(batch_id: int):
    batch = scope.get_batch(current_user, batch_id, for_update=True)
    scanning.close_check(current_user, batch, at=clock.now())
    db.session.flush()
    return jsonify(full_json(batch))


@bp.post("/return-batches/pack")
def pack_return():
    """Pack a repaired (or no-fault) piece into its store's open return batch."""
    require_role(Role.TECHNICIAN)
    piece = body_piece(inputs.json_body())
    batch = batches.open_or_create_batch(current_user, piece.store, Direction.RETURN, at=clock.now())
    returns.pack_return(current_user, batch, piece, at=clock.now())
    db.session.flush()
    return jsonify(full_json(batch))
