"""Rule 1 for every page, the API, the dashboards and the alerts: the 15-day clocks.

The states and their boundaries are the domain's (``workshop.clock.due_window`` and
``clock_state``); this module only turns them into queries over what a user may see.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Piece, Store, User
from app.services import scope
from app.services.settings import Rules
from workshop.clock import (
    RUNNING_STATES,
    ClockReading,
    ClockState,
    OnTimeRate,
    due_window,
    on_time_rate,
    read_clock,
)
from workshop.statuses import CLOCK_RUNNING, PieceStatus

ON_TIME_DAYS = 30


def running(query: Select) -> Select:
    """Pieces whose clock runs: dispatched and neither back nor scrapped."""
    return query.where(Piece.status.in_(list(CLOCK_RUNNING)), Piece.due_on.is_not(None))


def in_state(query: Select, state: ClockState, today: date, rules: Rules) -> Select:
    window = due_window(state, today, rules.at_risk_days)
    if window.first is not None:
        query = query.where(Piece.due_on >= window.first)
    if window.last is not None:
        query = query.where(Piece.due_on <= window.last)
    return query


def board(
    user: User,
    rules: Rules,
    today: date,
    *,
    store_id: int | None = None,
    status: PieceStatus | None = None,
    state: ClockState | None = None,
) -> Select:
    """The deadline board: running clocks this user may see, the earliest due first."""
    query = running(scope.pieces(user))
    if store_id:
        query = query.where(Piece.store_id == store_id)
    if status is not None and status in CLOCK_RUNNING:
        query = query.where(Piece.status == status)
    if state in RUNNING_STATES:
        query = in_state(query, state, today, rules)
    return query.options(joinedload(Piece.store), joinedload(Piece.product)).order_by(Piece.due_on, Piece.id)


@dataclass(frozen=True)
class Counts:
    at_risk: int
    overdue: int


def counts(user: User, rules: Rules, today: date) -> Counts:
    """How many running clocks this user may see are at risk, and overdue."""

    def count(state: ClockState) -> int:
        query = in_state(running(scope.pieces(user)), state, today, rules)
        return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0

    return Counts(at_risk=count(ClockState.AT_RISK), overdue=count(ClockState.OVERDUE))


def overdue_by_store(user: User, rules: Rules, today: date) -> dict[int, int]:
    query = in_state(running(scope.pieces(user)), ClockState.OVERDUE, today, rules)
    return dict(
        db.session.execute(query.with_only_columns(Piece.store_id, func.count()).group_by(Piece.store_id)).all()
    )


def on_time(user: User, rules: Rules, today: date, days: int = ON_TIME_DAYS) -> OnTimeRate:
    """The share of pieces back at their store in the last ``days`` days that came back in time."""
    since = today - timedelta(days=days)
    rows = db.session.execute(
        scope.pieces(user)
        .with_only_columns(Piece.due_on, Piece.back_on)
        .where(Piece.back_on.is_not(None), Piece.back_on > since, Piece.due_on.is_not(None))
    ).all()
    return on_time_rate([(due, back) for due, back in rows], rules.on_time_target)


def on_time_by_store(
    user: User, rules: Rules, today: date, days: int = ON_TIME_DAYS, limit: int = 200
) -> list[tuple[Store, OnTimeRate]]:
    """Per store this user may see, the on-time rate of the pieces back in the last ``days`` days,
    the worst first; counted in the database (one row per store, never a row per piece).
    "On time" is the domain's: back on or before the due date (``workshop.clock.on_time_rate``)."""
    since = today - timedelta(days=days)
    on_time_count = func.sum(case((Piece.back_on <= Piece.due_on, 1), else_=0))
    rows = db.session.execute(
        scope.pieces(user)
        .with_only_columns(Piece.store_id, on_time_count, func.count())
        .where(Piece.back_on.is_not(None), Piece.back_on > since, Piece.due_on.is_not(None))
        .group_by(Piece.store_id)
    ).all()
    rates = {store_id: OnTimeRate(int(on_time or 0), total, rules.on_time_target) for store_id, on_time, total in rows}
    stores = db.session.scalars(select(Store).where(Store.id.in_(list(rates)))).all() if rates else []
    table = [(store, rates[store.id]) for store in stores]
    table.sort(key=lambda row: (row[1].rate if row[1].rate is not None else 2.0, row[0].code))
    return table[:limit]


def reading(piece: Piece, rules: Rules, today: date) -> ClockReading | None:
    """One piece's clock, once it has been dispatched (None before)."""
    if piece.due_on is None:
        return None
    return read_clock(piece.due_on, today, piece.status in CLOCK_RUNNING, rules.at_risk_days, piece.back_on)


def queue(user: User, statuses: frozenset[PieceStatus], limit: int = 50) -> list:
    """A technician's queue: pieces in these statuses per store, the earliest due first."""
    return list(
        db.session.execute(
            scope.pieces(user)
            .with_only_columns(Store.name, Piece.store_id, func.count(), func.min(Piece.due_on))
            .join(Store, Store.id == Piece.store_id)
            .where(Piece.status.in_(list(statuses)))
            .group_by(Store.name, Piece.store_id)
            .order_by(func.min(Piece.due_on), Store.name)
            .limit(limit)
        ).all()
    )
