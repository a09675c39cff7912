"""The figures on each role's home page, all from scoped queries."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import Batch, Piece, Store, User
from app.services import deadlines, piece_counts, scope
from app.services.settings import Rules
from workshop.money import Month
from workshop.statuses import IN_WORKSHOP, ON_THE_WAY_IN, BatchStatus, Blame, Direction, PieceStatus


@dataclass(frozen=True)
class Figure:
    label: str  # already translated
    value: object
    tone: str = ""  # "", "warn" or "bad"
    href: str | None = None


def status_counts(user: User) -> dict[PieceStatus, int]:
    """Read from the kept counters: as many rows as stores, whatever the history."""
    return piece_counts.status_counts(user)


def open_batches_to_check(user: User) -> int:
    direction = Direction.RETURN if user.store_id else Direction.OUTBOUND
    query = scope.batches(user).where(
        Batch.direction == direction, Batch.status.in_([BatchStatus.DISPATCHED, BatchStatus.CHECKING])
    )
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def scrap_by_party(month: Month) -> dict[Blame, object]:
    rows = db.session.execute(
        select(Piece.blame, func.coalesce(func.sum(Piece.scrap_cost), 0), func.count())
        .where(Piece.scrap_month == month.key, Piece.status == PieceStatus.SCRAPPED)
        .group_by(Piece.blame)
    ).all()
    return {Blame(b): (total, n) for b, total, n in rows}


def store_rows(user: User, rules: Rules, today: date) -> list[tuple[Store, dict]]:
    """Per store of a region: pieces on the way, in the workshop, overdue."""
    stores = db.session.scalars(scope.stores(user)).all()
    counts = piece_counts.store_status_counts(user)
    overdue = deadlines.overdue_by_store(user, rules, today)
    table = {s.id: {"in_transit": 0, "in_workshop": 0, "returning": 0, "overdue": overdue.get(s.id, 0)} for s in stores}
    for store_id, status, n in counts:
        row = table.get(store_id)
        if row is None:
            continue
        if status in ON_THE_WAY_IN:
            row["in_transit"] += n
        elif status in IN_WORKSHOP:
            row["in_workshop"] += n
        elif status == PieceStatus.RETURNING:
            row["returning"] += n
    return [(s, table[s.id]) for s in stores]
