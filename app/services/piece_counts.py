"""Figures that stay small whatever the history: pieces per store and status, and per day and
store the pieces back at their store (and how many of them in time).

The home pages, the region's store table and the on-time rate read these instead of counting
a year of pieces. They are kept exact in the transaction that changes a piece: after every
flush, the old and new (store, status, due date, day back) of each piece written — by a move
in ``history``, a correction, a script — become increments, applied in key order (two
transactions never wait on each other's counters in opposite orders). A rollback takes them
back with the rest. ``flask recount-pieces`` rebuilds both from the pieces; ``differences``
compares them with a recount (the tests do, after random sequences of moves).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import chain

from sqlalchemy import Select, case, delete, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import OnTimeDay, Piece, PieceCount, User
from app.services import scope
from workshop.clock import OnTimeRate
from workshop.statuses import PieceStatus

KEPT = ("store_id", "status", "due_on", "back_on")
Values = tuple[int | None, str | None, date | None, date | None]


def install() -> None:
    """Listen on every ORM session of the process (idempotent: create_app may run twice)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def _value(state, key: str, *, old: bool):
    history = state.attrs[key].history
    if old and history.deleted:
        return history.deleted[0]
    if history.added:
        return None if old else history.added[0]  # added without a deleted value: it was empty
    if history.unchanged:
        return history.unchanged[0]
    return getattr(state.obj(), key)  # expired and untouched: the same before and after


def _values(state, *, old: bool) -> Values:
    store_id, status, due_on, back_on = (_value(state, key, old=old) for key in KEPT)
    return store_id, (PieceStatus(status).value if status is not None else None), due_on, back_on


def _after_flush(session: Session, flush_context) -> None:
    counts: Counter[tuple[int, str]] = Counter()
    days: Counter[tuple[date, int, bool]] = Counter()

    def add(values: Values | None, sign: int) -> None:
        if values is None:
            return
        store_id, status, due_on, back_on = values
        if store_id is None or status is None:
            return
        counts[(store_id, status)] += sign
        if back_on is not None and due_on is not None:
            days[(back_on, store_id, back_on <= due_on)] += sign

    for obj in chain(session.new, session.dirty, session.deleted):
        if not isinstance(obj, Piece):
            continue
        state = inspect(obj)
        if obj in session.new:
            old, new = None, _values(state, old=False)
        elif obj in session.deleted:
            old, new = _values(state, old=True), None
        else:
            old, new = _values(state, old=True), _values(state, old=False)
            if old == new:
                continue
        add(old, -1)
        add(new, +1)
    _apply(session, counts, days)


def _upsert(session: Session, model, keys: tuple[str, ...], rows: list[dict]) -> None:
    if not rows:
        return
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(model)
    values = [k for k in rows[0] if k not in keys]
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={k: getattr(model.__table__.c, k) + getattr(statement.excluded, k) for k in values},
    )
    connection.execute(statement, rows)


def _apply(session: Session, counts: Counter, days: Counter) -> None:
    count_rows = [{"store_id": s, "status": st, "n": n} for (s, st), n in sorted(counts.items()) if n]
    merged: dict[tuple[date, int], list[int]] = {}
    for (day, store_id, in_time), n in days.items():
        pair = merged.setdefault((day, store_id), [0, 0])
        pair[0] += n
        if in_time:
            pair[1] += n
    day_rows = [
        {"back_on": d, "store_id": s, "back": b, "on_time": t} for (d, s), (b, t) in sorted(merged.items()) if b or t
    ]
    _upsert(session, PieceCount, ("store_id", "status"), count_rows)
    _upsert(session, OnTimeDay, ("back_on", "store_id"), day_rows)


# --- reading them -----------------------------------------------------------------------------


def status_counts(user: User) -> dict[PieceStatus, int]:
    """This user's pieces per status (as many rows as stores × statuses, not pieces)."""
    query = (
        select(PieceCount.status, func.sum(PieceCount.n))
        .where(scope.store_condition(user, PieceCount.store_id))
        .group_by(PieceCount.status)
    )
    return {PieceStatus(s): int(n) for s, n in db.session.execute(query) if n}


def total(user: User, statuses: Iterable[PieceStatus] | None = None, store_id: int | None = None) -> int:
    """How many pieces this user may see (of these statuses, of this store), from the counters."""
    query = select(func.coalesce(func.sum(PieceCount.n), 0)).where(scope.store_condition(user, PieceCount.store_id))
    if statuses is not None:
        query = query.where(PieceCount.status.in_([PieceStatus(s).value for s in statuses]))
    if store_id is not None:
        query = query.where(PieceCount.store_id == store_id)
    return int(db.session.scalar(query) or 0)


def store_status_counts(user: User) -> list[tuple[int, PieceStatus, int]]:
    query = select(PieceCount.store_id, PieceCount.status, PieceCount.n).where(
        scope.store_condition(user, PieceCount.store_id), PieceCount.n != 0
    )
    return [(store_id, PieceStatus(status), n) for store_id, status, n in db.session.execute(query)]


def on_time(user: User, today: date, days: int, target: float) -> OnTimeRate:
    """Pieces back in the last ``days`` days before ``today`` (included), and how many in time."""
    since = today - timedelta(days=days)
    back, in_time = db.session.execute(
        select(func.coalesce(func.sum(OnTimeDay.back), 0), func.coalesce(func.sum(OnTimeDay.on_time), 0)).where(
            OnTimeDay.back_on > since, scope.store_condition(user, OnTimeDay.store_id)
        )
    ).one()
    return OnTimeRate(int(in_time), int(back), target)


def on_time_by_store(user: User, today: date, days: int) -> list[tuple[int, int, int]]:
    """(store, back in time, back) per store this user may see, over the last ``days`` days."""
    since = today - timedelta(days=days)
    return [
        (store_id, int(in_time), int(back))
        for store_id, in_time, back in db.session.execute(
            select(OnTimeDay.store_id, func.sum(OnTimeDay.on_time), func.sum(OnTimeDay.back))
            .where(OnTimeDay.back_on > since, scope.store_condition(user, OnTimeDay.store_id))
            .group_by(OnTimeDay.store_id)
            .having(func.sum(OnTimeDay.back) > 0)
        )
    ]


# --- counting again ---------------------------------------------------------------------------


def _recounted_statuses() -> Select:
    return select(Piece.store_id, Piece.status, func.count()).group_by(Piece.store_id, Piece.status)


def _recounted_days() -> Select:
    in_time = func.sum(case((Piece.back_on <= Piece.due_on, 1), else_=0))
    return (
        select(Piece.back_on, Piece.store_id, func.count(), in_time)
        .where(Piece.back_on.is_not(None), Piece.due_on.is_not(None))
        .group_by(Piece.back_on, Piece.store_id)
    )


def recount() -> tuple[int, int]:
    """Rebuild both tables from the pieces; returns their row counts."""
    db.session.flush()
    db.session.execute(delete(PieceCount))
    db.session.execute(delete(OnTimeDay))
    counts = db.session.execute(
        PieceCount.__table__.insert().from_select(["store_id", "status", "n"], _recounted_statuses())
    )
    days = db.session.execute(
        OnTimeDay.__table__.insert().from_select(["back_on", "store_id", "back", "on_time"], _recounted_days())
    )
    return counts.rowcount, days.rowcount


def _kept() -> tuple[dict, dict]:
    counts = {
        (s, str(st)): n
        for s, st, n in db.session.execute(select(PieceCount.store_id, PieceCount.status, PieceCount.n))
        if n
    }
    days = {
        (d, s): (b, t)
        for d, s, b, t in db.session.execute(
            select(OnTimeDay.back_on, OnTimeDay.store_id, OnTimeDay.back, OnTimeDay.on_time)
        )
        if b or t
    }
    return counts, days


def differences() -> list[str]:
    """Where the kept figures differ from a recount (empty when they agree)."""
    db.session.flush()
    counts, days = _kept()
    fresh_counts = {(s, PieceStatus(st).value): n for s, st, n in db.session.execute(_recounted_statuses())}
    fresh_days = {(d, s): (b, int(t or 0)) for d, s, b, t in db.session.execute(_recounted_days())}
    found = []
    for key in sorted(set(counts) | set(fresh_counts), key=str):
        if counts.get(key, 0) != fresh_counts.get(key, 0):
            found.append(f"piece_count {key}: kept {counts.get(key, 0)}, counted {fresh_counts.get(key, 0)}")
    for key in sorted(set(days) | set(fresh_days), key=str):
        if days.get(key, (0, 0)) != fresh_days.get(key, (0, 0)):
            found.append(f"on_time_day {key}: kept {days.get(key, (0, 0))}, counted {fresh_days.get(key, (0, 0))}")
    return found
