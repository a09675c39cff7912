"""Sending pieces back to their store, and the store receiving them (the clock stops)."""

from datetime import datetime

from app.extensions import db
from app.models import Batch, Piece, User, utcnow
from app.services import history, reminders, scope
from app.services.scanning import OK, REFUSED, WARNING, ScanResult, _with_counts
from app.services.settings import Rules
from workshop.clock import local_date
from workshop.codes import CodeKind, parse_code
from workshop.errors import AlreadyDone, DomainError, InvalidCode, RuleViolation, WrongBatch
from workshop.statuses import BatchStatus, PieceStatus
from workshop.text import N_
from workshop.transitions import BatchAction, PieceAction


def pack_return(actor: User, batch: Batch, piece: Piece, at: datetime | None = None) -> None:
    if piece.store_id != batch.store_id:
        raise WrongBatch(
            N_("Piece %(code)s belongs to %(store)s: it goes into that store's return batch."),
            code=piece.code,
            store=piece.store.name,
        )
    if batch.status != BatchStatus.OPEN:
        raise RuleViolation(N_("Batch %(code)s is already dispatched: nothing can be added to it."), code=batch.code)
    history.move(piece, PieceAction.PACK_RETURN, actor, at=at, batch=batch)
    piece.return_batch = batch


def unpack_return(actor: User, batch: Batch, piece: Piece, at: datetime | None = None) -> None:
    if piece.return_batch_id != batch.id:
        raise WrongBatch(N_("Piece %(code)s is not in batch %(batch)s."), code=piece.code, batch=batch.code)
    back_to = PieceStatus.REPAIRED if piece.grade == "repairable" else PieceStatus.NO_FAULT
    history.move(piece, PieceAction.UNPACK_RETURN, actor, target=back_to, at=at, batch=batch)
    piece.return_batch = None


def dispatch_return(actor: User, batch: Batch, *, carrier: str, tracking_no: str, at: datetime | None = None) -> None:
    at = at or utcnow()
    if not batch.return_pieces:
        raise RuleViolation(N_("Batch %(code)s is empty: add pieces before dispatching it."), code=batch.code)
    history.move_batch_status(batch, BatchAction.DISPATCH, actor, at=at)
    batch.carrier = carrier.strip()
    batch.tracking_no = tracking_no.strip()
    batch.dispatched_at = at
    batch.dispatched_by = actor
    batch.expected_count = len(batch.return_pieces)
    for piece in batch.return_pieces:
        history.move(piece, PieceAction.DISPATCH_RETURN, actor, at=at, batch=batch)
    reminders.return_dispatched(db.session, batch)


def receive_back_scan(actor: User, batch: Batch, text: str, rules: Rules, at: datetime | None = None) -> ScanResult:
    """The store scans a piece of a return parcel: it is back, its clock stops."""
    at = at or utcnow()
    try:
        code = parse_code(text, expect=CodeKind.PIECE)
    except InvalidCode as e:
        return _with_counts(batch, ScanResult(REFUSED, e.message, e.params, code="invalid_code"))
    piece = scope.find_piece(actor, code.number, for_update=True)
    if piece is None:
        return _with_counts(
            batch,
            ScanResult(
                REFUSED, N_("%(code)s is not one of your store's pieces."), {"code": str(code)}, code="unknown_piece"
            ),
        )
    if piece.return_batch_id != batch.id:
        message = N_("Piece %(code)s is not in return batch %(batch)s; it is %(status)s.")
        return _with_counts(
            batch,
            ScanResult(
                REFUSED,
                message,
                {"code": piece.code, "batch": batch.code, "status": piece.status.label},
                code="wrong_batch",
                piece_id=piece.id,
            ),
        )
    try:
        history.move(piece, PieceAction.RECEIVE_BACK, actor, at=at, batch=batch)
    except AlreadyDone as e:
        return _with_counts(batch, ScanResult(WARNING, e.message, e.params, code="already_received", piece_id=piece.id))
    except DomainError as e:
        return _with_counts(batch, ScanResult(REFUSED, e.message, e.params, code=e.code, piece_id=piece.id))
    piece.back_at = at
    piece.back_on = local_date(at, rules.tz)
    db.session.flush()
    return _with_counts(
        batch,
        ScanResult(
            OK, N_("Piece %(code)s is back at the store."), {"code": piece.code}, code="received", piece_id=piece.id
        ),
    )
