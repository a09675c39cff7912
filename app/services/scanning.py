"""Checking a parcel by scanning (rule 7), at the workshop and back at the store.

A scan never raises for a person's ordinary mistakes: it answers with an outcome (ok,
warning, refused), a sentence, and the counts of the check so far.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Batch, Piece, User
from app.services import history, reminders, scope
from app.services.settings import rules as current_rules
from workshop.clock import due_date
from workshop.codes import CodeKind, parse_code
from workshop.errors import AlreadyDone, DomainError, InvalidCode
from workshop.statuses import ARRIVED_AT_WORKSHOP, BatchStatus, Direction, PieceStatus, Source
from workshop.text import N_
from workshop.transitions import BatchAction, PieceAction, allowed_piece_actions

OK, WARNING, REFUSED = "ok", "warning", "refused"


@dataclass
class ScanResult:
    outcome: str
    message: str
    params: dict = field(default_factory=dict)
    code: str = ""  # machine-readable: received, already_received, wrong_batch, unknown_piece…
    piece_id: int | None = None
    batch_id: int | None = None
    counts: dict | None = None


@dataclass(frozen=True)
class CheckCounts:
    expected: int
    received: int
    missing: int
    unexpected: int

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "received": self.received,
            "missing": self.missing,
            "unexpected": self.unexpected,
        }


def check_counts(batch: Batch) -> CheckCounts:
    if batch.direction == Direction.OUTBOUND:
        column = Piece.batch_id
        arrived = ARRIVED_AT_WORKSHOP
        missing_states = {PieceStatus.MISSING}
    else:
        column = Piece.return_batch_id
        arrived = {PieceStatus.BACK_AT_STORE}
        missing_states = set()
    rows = dict(
        db.session.execute(select(Piece.status, func.count()).where(column == batch.id).group_by(Piece.status)).all()
    )
    unexpected = db.session.scalar(select(func.count()).where(column == batch.id, Piece.unexpected.is_(True))) or 0
    total = sum(rows.values())
    received = sum(n for s, n in rows.items() if s in arrived)
    still_out = sum(n for s, n in rows.items() if s not in arrived)
    missing = sum(n for s, n in rows.items() if s in missing_states)
    if batch.status != BatchStatus.CLOSED:
        missing = still_out
    return CheckCounts(expected=total - unexpected, received=received, missing=missing, unexpected=unexpected)


def start_check(actor: User, batch: Batch, at: datetime | None = None) -> None:
    if batch.status == BatchStatus.DISPATCHED:
        history.move_batch_status(batch, BatchAction.START_CHECK, actor, at=at)
        batch.check_started_at = at or clock.now()


def scan_batch(actor: User, text: str) -> tuple[Batch | None, ScanResult]:
    """The first scan of a check: the slip's barcode opens the batch."""
    try:
        code = parse_code(text, expect=CodeKind.BATCH)
    except InvalidCode as e:
        return None, ScanResult(REFUSED, e.message, e.params, code="invalid_code")
    batch = scope.find_batch(actor, code.number, for_update=True)
    if batch is None:
        return None, ScanResult(
            REFUSED, N_("Batch %(code)s is unknown: check the slip."), {"code": str(code)}, code="unknown_batch"
        )
    receiver_direction = Direction.RETURN if actor.store_id else Direction.OUTBOUND
    if batch.direction != receiver_direction:
        return None, ScanResult(
            REFUSED,
            N_("Batch %(code)s is not a parcel you receive here."),
            {"code": batch.code},
            code="wrong_direction",
            batch_id=batch.id,
        )
    if batch.status == BatchStatus.OPEN:
        return None, ScanResult(
            REFUSED,
            N_("Batch %(code)s has not been dispatched yet: its sender must dispatch it first."),
            {"code": batch.code},
            code="not_dispatched",
            batch_id=batch.id,
        )
    try:
        start_check(actor, batch)
    except DomainError as e:
        return None, ScanResult(REFUSED, e.message, e.params, code=e.code, batch_id=batch.id)
    counts = check_counts(batch)
    message = N_("Batch %(code)s from %(store)s: %(expected)d pieces expected. Scan its pieces.")
    if batch.status == BatchStatus.CLOSED:
        message = N_(
            "Batch %(code)s from %(store)s is already checked and closed; pieces that turn up late can still be scanned."
        )
    return batch, ScanResult(
        OK,
        message,
        {"code": batch.code, "store": batch.store.name, "expected": counts.expected},
        code="batch_opened",
        batch_id=batch.id,
        counts=counts.as_dict(),
    )


def receive_scan(actor: User, batch: Batch, text: str, at: datetime | None = None) -> ScanResult:
    """One scanned piece of an outbound parcel at the workshop."""
    at = at or clock.now()
    try:
        code = parse_code(text, expect=CodeKind.PIECE)
    except InvalidCode as e:
        return with_counts(batch, ScanResult(REFUSED, e.message, e.params, code="invalid_code"))
    piece = scope.find_piece(actor, code.number, for_update=True)
    if piece is None:
        return with_counts(
            batch,
            ScanResult(
                WARNING,
                N_("%(code)s is not registered. If this piece is in the parcel, register it as unexpected."),
                {"code": str(code)},
                code="unknown_piece",
            ),
        )
    try:
        history.ensure_not_cancelled(piece)
    except DomainError as e:
        return with_counts(batch, ScanResult(REFUSED, e.message, e.params, code=e.code, piece_id=piece.id))
    if piece.batch_id != batch.id:
        other = piece.batch
        if other is None:
            message = N_(
                "Piece %(code)s of %(store)s was never put in a batch; it is %(status)s. Set it aside and tell the store."
            )
            params = {"code": piece.code, "store": piece.store.name, "status": piece.status.label}
        else:
            message = N_(
                "Piece %(code)s belongs to batch %(batch)s of %(store)s, not to this one. Set it aside and check that batch."
            )
            params = {"code": piece.code, "batch": other.code, "store": piece.store.name}
        return with_counts(batch, ScanResult(REFUSED, message, params, code="wrong_batch", piece_id=piece.id))
    try:
        history.move(piece, PieceAction.RECEIVE, actor, at=at, batch=batch)
    except AlreadyDone as e:
        return with_counts(batch, ScanResult(WARNING, e.message, e.params, code="already_received", piece_id=piece.id))
    except DomainError as e:
        return with_counts(batch, ScanResult(REFUSED, e.message, e.params, code=e.code, piece_id=piece.id))
    piece.received_at = at
    db.session.flush()
    return with_counts(
        batch, ScanResult(OK, N_("Piece %(code)s received."), {"code": piece.code}, code="received", piece_id=piece.id)
    )


def register_unexpected(actor: User, batch: Batch, text: str, *, product, defect, at: datetime | None = None) -> Piece:
    """A well-formed label nobody registered: record it on the spot, then receive it."""
    at = at or clock.now()
    rules = current_rules()
    code = parse_code(text, expect=CodeKind.PIECE)
    if db.session.get(Piece, code.number) is not None:
        raise AlreadyDone(N_("Piece %(code)s is already registered."), code=str(code))
    piece = Piece(
        id=code.number,
        store=batch.store,
        product=product,
        defect=defect,
        source=Source.CUSTOMER_RETURN,
        registered_at=at,
        registered_by=actor,
        unexpected=True,
        batch=batch,
        description="",
        # It travelled in this parcel: its clock started with the parcel's.
        dispatched_at=batch.dispatched_at,
        due_on=due_date(batch.dispatched_at, rules.tz, rules.limit_days),
    )
    piece.status = None
    history.move(piece, PieceAction.REGISTER_UNEXPECTED, actor, at=at, batch=batch)
    history.move(piece, PieceAction.RECEIVE, actor, at=at, batch=batch)
    piece.received_at = at
    db.session.flush()
    _bump_sequence("piece", code.number)
    return piece


def _bump_sequence(table: str, value: int) -> None:
    # A piece inserted with its label's number must not collide with the next new piece.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            db.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(:v, (SELECT last_value FROM {table}_id_seq)))"
            ),
            {"v": value},
        )


def close_check(actor: User, batch: Batch, at: datetime | None = None) -> CheckCounts:
    """Close the check: pieces not scanned become *missing*; who closed it is recorded."""
    at = at or clock.now()
    history.move_batch_status(batch, BatchAction.CLOSE_CHECK, actor, at=at)
    batch.closed_at = at
    batch.closed_by = actor
    if batch.direction == Direction.OUTBOUND:
        for piece in batch.pieces:
            if PieceAction.MARK_MISSING in allowed_piece_actions(piece.status, actor.role):
                history.move(piece, PieceAction.MARK_MISSING, actor, at=at, batch=batch)
    db.session.flush()
    reminders.check_closed(db.session, batch)
    return check_counts(batch)


def with_counts(batch: Batch, result: ScanResult) -> ScanResult:
    result.batch_id = batch.id
    result.counts = check_counts(batch).as_dict()
    return result
