"""A piece's or a batch's history, read for people."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Event, RepairOperation


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


def operation_names(locale: str) -> dict[str, str]:
    """Repair operations by code, named in the reader's language (a short catalogue)."""
    return {o.code: o.name(locale) for o in db.session.scalars(select(RepairOperation))}
