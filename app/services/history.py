"""Applying a move: check it with the domain's table, change the status, write the event.

This is the only code that assigns ``Piece.status``, ``Batch.status``, ``Claim.status``
or ``AccountingMonth.closed``.
"""

from datetime import datetime

from sqlalchemy import inspect as sa_inspect

from app import clock
from app.extensions import db
from app.models import AccountingMonth, Batch, Claim, Event, Piece, User
from workshop.money import Month
from workshop.statuses import BatchStatus, ClaimStatus, MonthStatus, PieceStatus
from workshop.transitions import (
    BatchAction,
    ClaimAction,
    MonthAction,
    Move,
    PieceAction,
    move_batch,
    move_claim,
    move_month,
    move_piece,
)


def _record(m: Move, actor: User, at: datetime | None, reason: str, data: dict | None, **about: object) -> Event:
    """The history event of a move: who, when, from what, to what, why."""
    event = Event(
        at=at or clock.now(),
        actor=actor,
        action=m.action,
        from_status=m.from_status,
        to_status=m.to_status,
        reason=reason,
        data=data or {},
        **about,
    )
    db.session.add(event)
    return event


def move(
    piece: Piece,
    action: PieceAction,
    actor: User,
    *,
    target: PieceStatus | None = None,
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
    batch: Batch | None = None,
) -> Event:
    current = PieceStatus(piece.status) if piece.status is not None else None
    code = piece.code if piece.id else "-"
    m = move_piece(code, current, action, actor.role, target)
    piece.status = PieceStatus(m.to_status)
    if piece.id is None or not sa_inspect(piece).persistent:
        # A new piece is written before its event refers to it (an unexpected piece comes
        # with its label's number as id, so ``id is None`` alone does not tell it is new).
        db.session.add(piece)
        db.session.flush()
    return _record(m, actor, at, reason, data, piece_id=piece.id, batch_id=batch.id if batch is not None else None)


def move_batch_status(
    batch: Batch,
    action: BatchAction,
    actor: User,
    *,
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> Event:
    current = BatchStatus(batch.status) if batch.status is not None else None
    code = batch.code if batch.id else "-"
    m = move_batch(code, batch.direction, current, action, actor.role)
    batch.status = BatchStatus(m.to_status)
    if batch.id is None:
        db.session.add(batch)
        db.session.flush()
    return _record(m, actor, at, reason, data, batch_id=batch.id)


def move_month_status(
    record: AccountingMonth,
    action: MonthAction,
    actor: User,
    *,
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> Event:
    """Close or reopen a month; the event goes into the same flush (month_guard insists)."""
    status = MonthStatus.CLOSED if record.closed else MonthStatus.OPEN
    m = move_month(str(Month.from_key(record.month)), status, action, actor.role, reason)
    record.closed = MonthStatus(m.to_status) == MonthStatus.CLOSED
    db.session.add(record)
    return _record(m, actor, at, reason.strip(), data, month=record.month)


def move_claim_status(
    claim: Claim,
    action: ClaimAction,
    actor: User,
    *,
    data: dict | None = None,
    at: datetime | None = None,
    reason: str = "",
    piece_id: int | None = None,
) -> Event:
    current = ClaimStatus(claim.status) if claim.status is not None else None
    m = move_claim(current, action, actor.role, reason)
    claim.status = ClaimStatus(m.to_status)
    if claim.id is None:
        db.session.add(claim)
        db.session.flush()
    return _record(
        m,
        actor,
        at,
        reason.strip(),
        {"claim": claim.id, "supplier_id": claim.supplier_id} | (data or {}),
        month=claim.month,
        piece_id=piece_id,
    )
