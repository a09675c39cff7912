"""Corrections (更正) and the second trip through the API: the same services, roles and
scoping as the pages; every correction needs a ``reason``."""

from flask import jsonify
from flask_login import current_user

from app import clock
from app.api import inputs
from app.api.batches import full_json
from app.api.errors import ApiError
from app.api.pieces import new_piece
from app.api.routes import bp
from app.api.schemas import piece_json
from app.extensions import db
from app.models import Piece
from app.services import catalogue, corrections, scope, trips
from app.services.settings import rules as current_rules
from workshop.statuses import Source
from workshop.text import N_

REASON_MAX = 500


def reason_of(body: dict) -> str:
    return inputs.text(body, "reason", max_length=REASON_MAX, required_=True)


def _piece(piece_id: int) -> Piece:
    # Scoping first: another store's piece is 404 whatever the role or the body.
    return scope.get_piece(current_user, piece_id, for_update=True)


def _answer(piece: Piece):
    db.session.flush()
    return jsonify(piece_json(piece))


@bp.post("/pieces/<int:piece_id>/edit")
def edit_piece(piece_id: int):
    piece = _piece(piece_id)
    body = inputs.json_body()
    corrections.edit_piece(current_user, piece, new_piece(body), reason_of(body), current_rules(), at=clock.now())
    return _answer(piece)


@bp.post("/pieces/<int:piece_id>/cancel")
def cancel_piece(piece_id: int):
    piece = _piece(piece_id)
    corrections.cancel_piece(current_user, piece, reason_of(inputs.json_body()), at=clock.now())
    return _answer(piece)


@bp.post("/pieces/<int:piece_id>/undo-grade")
def undo_grade(piece_id: int):
    piece = _piece(piece_id)
    corrections.undo_grade(current_user, piece, reason_of(inputs.json_body()), at=clock.now())
    return _answer(piece)


@bp.post("/pieces/<int:piece_id>/undo-receive")
def undo_receive(piece_id: int):
    piece = _piece(piece_id)
    corrections.undo_receive(current_user, piece, reason_of(inputs.json_body()), at=clock.now())
    return _answer(piece)


@bp.post("/pieces/<int:piece_id>/send-again")
def send_again(piece_id: int):
    piece = _piece(piece_id)
    body = inputs.json_body()
    code = inputs.text(body, "defect", max_length=20, required_=True)
    defect = catalogue.defect_by_code(code)
    if defect is None:
        raise ApiError(422, "unknown_defect", N_("No defect has the code %(defect)s."), field="defect", defect=code)
    source = inputs.choice(body, "source", Source, default=Source.CUSTOMER_RETURN)
    trip = trips.NewTrip(defect=defect, description=inputs.text(body, "description", max_length=2000), source=source)
    trips.send_again(current_user, piece, trip, at=clock.now())
    return _answer(piece)


@bp.post("/batches/<int:batch_id>/take-back")
def take_back(batch_id: int):
    batch = scope.get_batch(current_user, batch_id, for_update=True)
    target = corrections.take_back(current_user, batch.store, batch, reason_of(inputs.json_body()), at=clock.now())
    db.session.flush()
    return jsonify({"taken_back": full_json(batch), "open_batch": full_json(target)})


@bp.post("/batches/<int:batch_id>/reopen")
def reopen_check(batch_id: int):
    batch = scope.get_batch(current_user, batch_id, for_update=True)
    corrections.reopen_check(current_user, batch, reason_of(inputs.json_body()), at=clock.now())
    db.session.flush()
    return jsonify(full_json(batch))
