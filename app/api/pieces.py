"""Pieces: list, read, register (single and bulk), history, photos, grading, repair, scrap."""

from datetime import datetime, time, timedelta

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock
from app.api import counter as counter_api
from app.api import idempotency, inputs
from app.api.auth import require_role
from app.api.errors import ApiError
from app.api.routes import bp
from app.api.schemas import event_json, photo_json, piece_json
from app.extensions import db
from app.i18n import translate
from app.models import Piece, RepairOperation, Store
from app.services import catalogue, counter, grading, photos, registration, scope, timeline
from app.services.settings import rules as current_rules
from workshop.roles import Role
from workshop.statuses import Blame, Grade, PieceStatus, Source
from workshop.text import N_

MAX_PAGE = 200
MAX_BULK = 200


def page_size() -> int:
    return inputs.query_int("size", minimum=1, maximum=MAX_PAGE, default=50)


def with_details(query):
    return query.options(joinedload(Piece.store), joinedload(Piece.product), joinedload(Piece.defect))


@bp.get("/pieces")
def list_pieces():
    rules = current_rules()
    size = page_size()
    cursor = inputs.query_int("cursor", minimum=1, maximum=2**31 - 1, default=None)
    query = scope.pieces(current_user)
    status = inputs.query_choice("status", PieceStatus)
    if status is not None:
        query = query.where(Piece.status == status)
    store_id = inputs.query_int("store_id", minimum=1, maximum=2**31 - 1, default=None)
    if store_id is not None:
        query = query.where(Piece.store_id == store_id)
    since = inputs.query_date("registered_from")
    if since is not None:
        query = query.where(Piece.registered_at >= datetime.combine(since, time(), rules.tz))
    until = inputs.query_date("registered_to")
    if until is not None:
        query = query.where(Piece.registered_at < datetime.combine(until + timedelta(days=1), time(), rules.tz))
    if cursor is not None:
        query = query.where(Piece.id < cursor)
    # Newest first, by id: the cursor is the last id seen, so pages never shift or repeat.
    found = db.session.scalars(with_details(query).order_by(Piece.id.desc()).limit(size + 1)).all()
    items = found[:size]
    next_cursor = items[-1].id if len(found) > size else None
    return jsonify({"items": [piece_json(p) for p in items], "next_cursor": next_cursor, "size": size})


@bp.get("/pieces/<int:piece_id>")
def get_piece(piece_id: int):
    piece = scope.get_piece(current_user, piece_id)
    return jsonify(piece_json(piece))


@bp.get("/pieces/<int:piece_id>/history")
def piece_history(piece_id: int):
    piece = scope.get_piece(current_user, piece_id)
    return jsonify({"piece_id": piece.id, "events": [event_json(e) for e in timeline.piece_events(piece.id)]})


# --- Registering ---------------------------------------------------------------------


def acting_store() -> Store:
    if current_user.store is None:
        raise ApiError(403, "forbidden", N_("Registering acts for one store: use a token of a member of its staff."))
    return current_user.store


def new_piece(data, prefix: str = "") -> registration.NewPiece:
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", N_("Each piece must be a JSON object."), field=prefix or None)
    try:
        style = inputs.text(data, "product", max_length=60, required_=True)
        product = catalogue.product_by_style_code(style)
        if product is None:
            raise ApiError(
                422, "unknown_product", N_("No product has the style code %(style)s."), field="product", style=style
            )
        defect_code = inputs.text(data, "defect", max_length=20, required_=True)
        defect = catalogue.defect_by_code(defect_code)
        if defect is None:
            raise ApiError(
                422, "unknown_defect", N_("No defect has the code %(defect)s."), field="defect", defect=defect_code
            )
        return registration.NewPiece(
            product=product,
            defect=defect,
            source=inputs.choice(data, "source", Source, required_=True),
            size=inputs.text(data, "size", max_length=20),
            colour=inputs.text(data, "colour", max_length=40),
            description=inputs.text(data, "description", max_length=2000),
            delivery_received_on=inputs.iso_date(data, "delivery_received_on"),
            purchase=counter_api.purchase(data.get("purchase")),
        )
    except ApiError as e:
        if prefix and e.field:
            e.field = f"{prefix}.{e.field}"
        raise


def warning_json(data: registration.NewPiece, rules, today) -> str | None:
    warning = registration.counter_warning(data, rules, today)
    return warning.text(translate) if warning is not None else None


@bp.post("/pieces")
def register_piece():
    store = acting_store()
    body = inputs.json_body()

    def work():
        rules = current_rules()
        now = clock.now()
        data = new_piece(body)
        piece = registration.register_piece(current_user, store, data, rules, at=now)
        db.session.flush()
        answer = piece_json(piece)
        answer["warning"] = warning_json(data, rules, clock.local_date(now))
        answer["customer_return"] = counter_api.return_json(counter.current(piece)) if data.purchase else None
        return jsonify(answer), 201

    return idempotency.run(lambda: _response(work()))


@bp.post("/pieces/bulk")
def register_pieces():
    """All or nothing: one refused piece and none is registered, with the refusal's index."""
    store = acting_store()
    body = inputs.json_body()
    items = body.get("pieces")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BULK:
        raise ApiError(422, "invalid", N_("pieces must be a list of 1 to %(n)d pieces."), field="pieces", n=MAX_BULK)

    def work():
        rules = current_rules()
        datas = [new_piece(item, prefix=f"pieces[{index}]") for index, item in enumerate(items)]
        made = registration.register_all(current_user, store, datas, rules, at=clock.now())
        db.session.flush()
        return jsonify({"items": [piece_json(p) for p in made]}), 201

    return idempotency.run(lambda: _response(work()))


def _response(result):
    body, status = result
    body.status_code = status
    return body


# --- Photos --------------------------------------------------------------------------


@bp.post("/pieces/<int:piece_id>/photos")
def add_photos(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    files = [f for f in request.files.getlist("photo") if getattr(f, "filename", "")]
    if not files:
        raise ApiError(
            422, "invalid", N_("Send one or more photos as multipart form fields named “photo”."), field="photo"
        )
    uploads = [photos.read_upload(f.stream, f.filename) for f in files]
    added = photos.add_photos(current_user, piece, uploads, at=clock.now())
    return jsonify({"piece_id": piece.id, "photos": [photo_json(p) for p in added]}), 201


# --- Grading, repair, scrap ----------------------------------------------------------


def blame_choice(data: dict, required_: bool):
    blame = inputs.choice(data, "blame", Blame, required_=required_)
    if blame is None:
        return None
    return grading.BlameChoice(blame, inputs.text(data, "reason", max_length=1000))


@bp.post("/pieces/<int:piece_id>/grade")
def grade_piece(piece_id: int):
    # Scoping first: another store's piece is 404 whatever the role or the body.
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    require_role(Role.TECHNICIAN)
    body = inputs.json_body()
    grade = inputs.choice(body, "grade", Grade, required_=True)
    blame = blame_choice(body, required_=False)
    note = inputs.text(body, "note", max_length=2000)
    grading.grade_piece(
        current_user, piece, grade, current_rules(), blame=blame, note=note, at=clock.now(), translate=translate
    )
    db.session.flush()
    return jsonify(piece_json(piece))


@bp.post("/pieces/<int:piece_id>/repair")
def repair_piece(piece_id: int):
    # Scoping first: another store's piece is 404 whatever the role or the body.
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    require_role(Role.TECHNICIAN)
    body = inputs.json_body()
    operations = body.get("operations", [])
    if not isinstance(operations, list) or not all(isinstance(o, str) for o in operations) or len(operations) > 20:
        raise ApiError(422, "invalid", N_("operations must be a list of repair operation codes."), field="operations")
    known = set(db.session.scalars(select(RepairOperation.code).where(RepairOperation.active.is_(True))))
    unknown = [o for o in operations if o not in known]
    if unknown:
        raise ApiError(
            422, "invalid", N_("Unknown repair operation %(operation)s."), field="operations", operation=unknown[0][:20]
        )
    parts = body.get("parts", [])
    if not isinstance(parts, list) or len(parts) > 50:
        raise ApiError(422, "invalid", N_("parts must be a list of {spare_part_id, quantity}."), field="parts")
    part_pairs = []
    for index, part in enumerate(parts):
        if not isinstance(part, dict):
            raise ApiError(
                422, "invalid", N_("parts must be a list of {spare_part_id, quantity}."), field=f"parts[{index}]"
            )
        part_pairs.append(
            (
                inputs.integer(part, "spare_part_id", minimum=1, required_=True),
                inputs.integer(part, "quantity", minimum=1, maximum=1000, required_=True),
            )
        )
    record = grading.RepairRecord(
        operations=tuple(operations),
        minutes=inputs.integer(body, "minutes", maximum=24 * 60, required_=True),
        note=inputs.text(body, "note", max_length=2000),
        parts=tuple(part_pairs),
    )
    grading.record_repair(current_user, piece, record, at=clock.now())
    db.session.flush()
    return jsonify(piece_json(piece))


@bp.post("/pieces/<int:piece_id>/scrap")
def scrap_piece(piece_id: int):
    # Scoping first: another store's piece is 404 whatever the role or the body.
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    require_role(Role.TECHNICIAN)
    body = inputs.json_body()
    blame = blame_choice(body, required_=True)
    grading.scrap_after_all(current_user, piece, current_rules(), blame, at=clock.now(), translate=translate)
    db.session.flush()
    return jsonify(piece_json(piece))
