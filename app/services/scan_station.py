"""The scan station's one decision: what a scanned code means in a mode, and what it does.

The bench page (/bench/scan.json) and the API (POST /api/v1/scan) both call :func:`scan`
and :func:`close`, so a handheld and the page always answer a scan the same way. The
callers commit when the outcome is ok and roll back otherwise.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models import Batch, Piece, User
from app.services import batches, history, returns, scanning, scope
from workshop.codes import CodeKind, normalise, parse_code
from workshop.errors import AlreadyDone, DomainError, InvalidCode
from workshop.statuses import ON_THE_BENCH, Direction
from workshop.text import N_
from workshop.transitions import PieceAction, move_piece

MODES = ("receive", "grade", "pack")
# Typed or scanned (from a printed command card) to close the current check.
CLOSE_COMMANDS = {"CLOSE", "关闭"}


@dataclass
class StationAnswer:
    result: scanning.ScanResult
    mode: str
    list_batch: int | None = None  # a parcel whose list of pieces the caller may show
    register_unexpected: dict | None = None  # an unknown label that may be registered on the spot
    open_card: bool = False  # grade mode: the piece's grading card may be opened
    show_piece: bool = False  # grade mode, refused: the piece's own page says where it is
    return_batch: dict | None = None  # pack mode: the return batch the piece went into


def is_close_command(text: str) -> bool:
    return normalise(text or "") in CLOSE_COMMANDS


def current_batch(actor: User, batch_id: int | None) -> Batch | None:
    if batch_id is None:
        return None
    batch = scope.find_batch(actor, batch_id)
    return batch if batch is not None and batch.direction == Direction.OUTBOUND else None


def scan(actor: User, text: str, mode: str, batch_id: int | None) -> StationAnswer:
    try:
        kind = parse_code(text).kind
    except InvalidCode as e:
        batch = current_batch(actor, batch_id)
        result = scanning.ScanResult(scanning.REFUSED, e.message, e.params, code="invalid_code")
        if batch is not None:
            result = scanning.with_counts(batch, result)
        return StationAnswer(result, mode)
    if kind == CodeKind.BATCH:
        # A slip's barcode always starts receiving that parcel, whatever the mode.
        batch, result = scanning.scan_batch(actor, text)
        if batch is None:
            return StationAnswer(result, mode)
        return StationAnswer(result, "receive", list_batch=batch.id)
    if mode == "grade":
        return _open_card(actor, text)
    if mode == "pack":
        return _pack(actor, text)
    batch = current_batch(actor, batch_id)
    if batch is None:
        return StationAnswer(
            scanning.ScanResult(
                scanning.REFUSED, N_("Scan the parcel's dispatch slip first, then its pieces."), code="no_batch"
            ),
            mode,
        )
    result = scanning.receive_scan(actor, batch, text)
    answer = StationAnswer(result, mode)
    if result.code == "unknown_piece":
        answer.register_unexpected = {"code": result.params.get("code"), "batch_id": batch.id}
    return answer


def close(actor: User, batch_id: int | None) -> StationAnswer:
    batch = current_batch(actor, batch_id)
    if batch is None:
        return StationAnswer(
            scanning.ScanResult(
                scanning.REFUSED, N_("There is no parcel to close: scan its dispatch slip first."), code="no_batch"
            ),
            "receive",
        )
    batch = scope.find_batch(actor, batch.id, for_update=True)
    try:
        counts = scanning.close_check(actor, batch)
    except AlreadyDone as e:
        return StationAnswer(
            scanning.with_counts(
                batch, scanning.ScanResult(scanning.WARNING, e.message, e.params, code="already_closed")
            ),
            "receive",
        )
    except DomainError as e:
        return StationAnswer(
            scanning.with_counts(batch, scanning.ScanResult(scanning.REFUSED, e.message, e.params, code=e.code)),
            "receive",
        )
    result = scanning.ScanResult(
        scanning.OK,
        N_("Check of batch %(code)s closed: %(received)d received, %(missing)d missing, %(unexpected)d unexpected."),
        {"code": batch.code, "received": counts.received, "missing": counts.missing, "unexpected": counts.unexpected},
        code="closed",
        batch_id=batch.id,
        counts=counts.as_dict(),
    )
    return StationAnswer(result, "receive", list_batch=batch.id)


def _open_card(actor: User, text: str) -> StationAnswer:
    code = parse_code(text)
    piece = scope.find_piece(actor, code.number)
    if piece is None:
        return StationAnswer(
            scanning.ScanResult(
                scanning.REFUSED,
                N_("%(code)s is not registered: check the label, or receive its parcel first."),
                {"code": str(code)},
                code="unknown_piece",
            ),
            "grade",
        )
    if piece.status not in ON_THE_BENCH:
        try:
            history.ensure_not_cancelled(piece)
            move_piece(piece.code, piece.status, PieceAction.GRADE, actor.role)
        except DomainError as e:
            return StationAnswer(
                scanning.ScanResult(scanning.REFUSED, e.message, e.params, code=e.code, piece_id=piece.id),
                "grade",
                show_piece=True,
            )
    result = scanning.ScanResult(
        scanning.OK, N_("Piece %(code)s: opening its card."), {"code": piece.code}, code="open_card", piece_id=piece.id
    )
    return StationAnswer(result, "grade", open_card=True)


def _pack(actor: User, text: str) -> StationAnswer:
    code = parse_code(text)
    piece = scope.find_piece(actor, code.number, for_update=True)
    if piece is None:
        return StationAnswer(
            scanning.ScanResult(
                scanning.REFUSED,
                N_("%(code)s is not registered: check the label."),
                {"code": str(code)},
                code="unknown_piece",
            ),
            "pack",
        )
    try:
        batch = batches.open_or_create_batch(actor, piece.store, Direction.RETURN)
        returns.pack_return(actor, batch, piece)
        db.session.flush()
    except AlreadyDone as e:
        return StationAnswer(
            scanning.ScanResult(scanning.WARNING, e.message, e.params, code="already_packed", piece_id=piece.id), "pack"
        )
    except DomainError as e:
        return StationAnswer(
            scanning.ScanResult(scanning.REFUSED, e.message, e.params, code=e.code, piece_id=piece.id), "pack"
        )
    count = db.session.scalar(select(func.count()).where(Piece.return_batch_id == batch.id)) or 0
    result = scanning.ScanResult(
        scanning.OK,
        N_("Piece %(code)s packed into return batch %(batch)s for %(store)s (%(n)d pieces)."),
        {"code": piece.code, "batch": batch.code, "store": piece.store.name, "n": count},
        code="packed",
        piece_id=piece.id,
    )
    return StationAnswer(
        result, "pack", return_batch={"id": batch.id, "code": batch.code, "store": piece.store.name, "count": count}
    )
