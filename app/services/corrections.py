"""Corrections (更正): putting a mistake right while nothing later depends on it.

Each one is a move of the transition tables by its role, with a written reason, recorded as
an event that the history shows as a correction. Nothing is deleted, and a correction that
would change a closed month is refused (the way to do it is an adjustment in the open month).
"""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Batch, Piece, PieceImport, Store, User
from app.services import batches, history
from app.services.finance.months import closed_months
from app.services.registration import NewPiece, check_new_piece
from app.services.settings import Rules
from workshop.clock import local_date
from workshop.errors import AlreadyDone, InvalidTransition, RuleViolation
from workshop.money import Month, ensure_open
from workshop.statuses import BatchStatus, Direction, PieceStatus, Source
from workshop.text import N_
from workshop.transitions import BatchAction, PieceAction

# The details a store may correct, with how each reads in the event's record.
EDITABLE = ("product", "size", "colour", "defect", "description", "source", "delivery_received_on")


def _value(piece_or_data, name: str) -> object:
    value = getattr(piece_or_data, name)
    if name in ("product", "defect"):
        return value.id if value is not None else None
    if name == "source":
        return Source(value).value
    if name == "delivery_received_on":
        return value.isoformat() if value else None
    return (value or "").strip()


def _as_registered(data: NewPiece) -> NewPiece:
    if data.source != Source.DELIVERY:
        return replace(data, delivery_received_on=None)
    return data


def changes_of(piece: Piece, data: NewPiece) -> dict[str, list]:
    """What a correction would change: each detail's old and new value."""
    data = _as_registered(data)
    pairs = {name: [_value(piece, name), _value(data, name)] for name in EDITABLE}
    return {name: pair for name, pair in pairs.items() if pair[0] != pair[1]}


def edit_piece(actor: User, piece: Piece, data: NewPiece, reason: str, rules: Rules, at: datetime | None = None):
    """Correct a registered piece's details; the event keeps what each field was and became."""
    at = at or clock.now()
    data = _as_registered(data)
    changes = changes_of(piece, data)
    if not changes:
        raise RuleViolation(N_("Nothing was changed: correct a detail, or go back to the piece."))
    kept = frozenset({"product", "defect"} - changes.keys())
    check_new_piece(data, local_date(at, rules.tz), kept=kept)
    history.move(piece, PieceAction.EDIT, actor, reason=reason.strip(), data={"changes": changes}, at=at)
    piece.product = data.product
    piece.defect = data.defect
    piece.source = data.source
    piece.size = data.size.strip()
    piece.colour = data.colour.strip()
    piece.description = data.description.strip()
    piece.delivery_received_on = data.delivery_received_on


def cancel_piece(actor: User, piece: Piece, reason: str, at: datetime | None = None, data: dict | None = None) -> None:
    """A piece registered by mistake: it leaves every list, count and batch; its label is void."""
    history.move(piece, PieceAction.CANCEL, actor, reason=reason.strip(), at=at, data=data)


def take_back(actor: User, store: Store, batch: Batch, reason: str, at: datetime | None = None) -> Batch:
    """The courier never came: the parcel is taken back before the workshop starts checking it.

    Its pieces go back into the store's open batch (their clocks stop), the week's quota is
    given back, and an extra parcel's fee is no longer charged."""
    at = at or clock.now()
    if batch.extra and batch.charge_month is not None:
        ensure_open(Month.from_key(batch.charge_month), closed_months())
    data = {
        "week": str(batch.week) if batch.week else None,
        "extra": batch.extra,
        "fee": str(batch.shipping_fee) if batch.shipping_fee is not None else None,
        "pieces": len(batch.pieces),
    }
    history.move_batch_status(batch, BatchAction.TAKE_BACK, actor, reason=reason.strip(), at=at, data=data)
    batch.extra = False
    batch.shipping_fee = None
    batch.charge_month = None
    target = batches.open_or_create_batch(actor, store, Direction.OUTBOUND, at=at)
    for piece in list(batch.pieces):
        history.move(
            piece, PieceAction.TAKE_BACK, actor, reason=reason.strip(), at=at, batch=batch, data={"into": target.code}
        )
        piece.batch = target
        piece.dispatched_at = None
        piece.due_on = None
    return target


def undo_grade(actor: User, piece: Piece, reason: str, at: datetime | None = None) -> None:
    """Back to received, the card open again, while the piece has not moved on."""
    if piece.scrap_month is not None:
        ensure_open(Month.from_key(piece.scrap_month), closed_months())
    data = {
        "grade": piece.grade.value if piece.grade else None,
        "blame": piece.blame.value if piece.blame else None,
        "cost": str(piece.scrap_cost) if piece.scrap_cost is not None else None,
        "month": str(Month.from_key(piece.scrap_month)) if piece.scrap_month else None,
    }
    with db.session.no_autoflush:
        history.move(piece, PieceAction.UNDO_GRADE, actor, reason=reason.strip(), at=at, data=data)
        piece.grade = None
        piece.graded_at = None
        piece.graded_by = None
        piece.suggested_blame = None
        piece.blame = None
        piece.blame_reason = ""
        piece.blame_reason_id = None
        piece.blame_reason_params = None
        piece.blame_overridden = False
        piece.blamed_supplier_id = None
        piece.scrap_cost = None
        piece.scrapped_at = None
        piece.scrap_month = None


def undo_receive(actor: User, piece: Piece, reason: str, at: datetime | None = None) -> None:
    """A receive scan made by mistake: the piece is expected again (missing if its check is closed)."""
    if piece.unexpected:
        raise InvalidTransition(
            N_(
                "Piece %(code)s was registered on the spot as unexpected: its receive scan cannot be undone. "
                "Grade it, or ask an administrator."
            ),
            code=piece.code,
        )
    batch = piece.batch
    target = PieceStatus.MISSING if batch is not None and batch.status == BatchStatus.CLOSED else PieceStatus.IN_TRANSIT
    history.move(
        piece,
        PieceAction.UNDO_RECEIVE,
        actor,
        target=target,
        reason=reason.strip(),
        at=at,
        batch=batch,
        data={"batch": batch.code if batch is not None else None},
    )
    piece.received_at = None


def reopen_check(actor: User, batch: Batch, reason: str, at: datetime | None = None) -> None:
    """A check closed too early: open again; its missing pieces are expected again."""
    at = at or clock.now()
    history.move_batch_status(batch, BatchAction.REOPEN_CHECK, actor, reason=reason.strip(), at=at)
    batch.closed_at = None
    batch.closed_by = None
    if batch.direction == Direction.OUTBOUND:
        missing = db.session.scalars(
            select(Piece).where(Piece.batch_id == batch.id, Piece.status == PieceStatus.MISSING).with_for_update()
        ).all()
        for piece in missing:
            history.move(piece, PieceAction.UNMARK_MISSING, actor, reason=reason.strip(), at=at, batch=batch)


def cancel_import(actor: User, record: PieceImport, reason: str, at: datetime | None = None) -> int:
    """Cancel every piece of a spreadsheet import, while none of them is packed; how many."""
    at = at or clock.now()
    if record.cancelled_at is not None:
        raise AlreadyDone(N_("Import %(number)d is already cancelled. Nothing was changed."), number=record.id)
    if not reason.strip():
        raise RuleViolation(N_("Write why: a correction needs a reason."))
    pieces = db.session.scalars(
        select(Piece).where(Piece.import_id == record.id).order_by(Piece.id).with_for_update()
    ).all()
    moved_on = next((p for p in pieces if p.status not in (PieceStatus.REGISTERED, PieceStatus.CANCELLED)), None)
    if moved_on is not None:
        raise InvalidTransition(
            N_(
                "Import %(number)d cannot be cancelled: piece %(code)s is already %(status)s. "
                "Take it out of its batch first, or cancel the other pieces one by one."
            ),
            number=record.id,
            code=moved_on.code,
            status=moved_on.status.label,
        )
    cancelled = 0
    for piece in pieces:
        if piece.status == PieceStatus.REGISTERED:
            cancel_piece(actor, piece, reason, at=at, data={"import": record.id})
            cancelled += 1
    history.record_import_cancel(record, actor, reason.strip(), at, cancelled)
    record.cancelled_at = at
    record.cancelled_by = actor
    record.cancel_reason = reason.strip()
    return cancelled
