"""A piece's or a batch's history, read for people."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Event, Piece, RepairOperation
from app.services.settings import Rules
from workshop.clock import ClockReading, read_clock
from workshop.statuses import CLOCK_RUNNING


def piece_events(piece_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event).where(Event.piece_id == piece_id).options(selectinload(Event.actor)).order_by(Event.id)
        )
    )


def batch_events(batch_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.batch_id == batch_id, Event.piece_id.is_(None))
            .options(selectinload(Event.actor))
            .order_by(Event.id)
        )
    )


def piece_clock(piece: Piece, rules: Rules, today: date) -> ClockReading | None:
    """The 15-day clock of a piece that has been dispatched (None before)."""
    if piece.due_on is None:
        return None
    return read_clock(piece.due_on, today, piece.status in CLOCK_RUNNING, rules.at_risk_days, piece.back_on)


def operation_names(locale: str) -> dict[str, str]:
    """Repair operations by code, named in the reader's language (a short catalogue)."""
    return {o.code: o.name(locale) for o in db.session.scalars(select(RepairOperation))}
