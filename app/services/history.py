"""Applying a move: check it with the domain's table, change the status, write the event.

This is the only code that assigns ``Piece.status`` or ``Batch.status``.
"""

from datetime import datetime

from sqlalchemy import inspect as sa_inspect

from app.extensions import db
from app.models import Batch, Event, Piece, User, utcnow
from workshop.statuses import BatchStatus, PieceStatus
from workshop.transitions import BatchAction, PieceAction, move_batch, move_piece


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
    event = Event(
        at=at or utcnow(),
        actor=actor,
        action=m.action,
        from_status=m.from_status,
        to_status=m.to_status,
        reason=reason,
        data=data or {},
        batch_id=batch.id if batch is not None else None,
    )
    if piece.id is None or not sa_inspect(piece).persistent:
        # A new piece is written before its event refers to it (an unexpected piece comes
        # with its label's number as id, so ``id is None`` alone does not tell it is new).
        db.session.add(piece)
        db.session.flush()
    event.piece_id = piece.id
    db.session.add(event)
    return event


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
    event = Event(
        at=at or utcnow(),
        actor=actor,
        batch_id=batch.id,
        action=f"batch_{m.action}",
        from_status=m.from_status,
        to_status=m.to_status,
        reason=reason,
        data=data or {},
    )
    db.session.add(event)
    return event
