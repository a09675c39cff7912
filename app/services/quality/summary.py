"""The monthly quality summary, kept exact in the transaction that changes a piece.

After every flush, each piece whose figures may have changed (graded, scrapped, blame or
cost changed, left the workshop, a grade undone…) is read as it was and as it is now; the
difference of its contributions (workshop.quality.delta) is added to the summary rows in
the same transaction, with one upsert per row (atomic on PostgreSQL under concurrent
grading). Whatever service makes the change — grading today, a correction tomorrow — the
summary follows, because it listens on the session like month_guard does.

``recount()`` rebuilds the whole summary from the pieces; the tests check that the kept
summary always equals a recount.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, event, exists, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from app.clock import chain_tz
from app.models import Batch, Piece, Product, QualityFigure, Repair, Store
from workshop.clock import local_date
from workshop.money import Month
from workshop.quality import MEASURES, Facts, Figures, Key, add_up, contributions, delta
from workshop.statuses import Blame, Grade, PieceStatus

# The piece's columns its figures are made of (relationships too: setting ``piece.product``
# changes product_id only during the flush).
WATCHED = (
    "grade",
    "graded_at",
    "status",
    "product_id",
    "product",
    "defect_id",
    "defect",
    "store_id",
    "store",
    "scrap_cost",
    "blame",
    "received_at",
    "scrapped_at",
    "return_batch_id",
    "return_batch",
)
COLUMNS = (
    "id",
    "grade",
    "graded_at",
    "status",
    "product_id",
    "defect_id",
    "store_id",
    "scrap_cost",
    "blame",
    "received_at",
    "scrapped_at",
    "return_batch_id",
)
LEFT_FOR_THE_STORE = frozenset({PieceStatus.RETURNING, PieceStatus.BACK_AT_STORE})
_NOTHING = object()


def install() -> None:
    """Listen on every ORM session of the process (idempotent: create_app may run twice)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    # A watched column set without having been read (an expired piece) still tells its old
    # value: the figures it counted in must be taken away.
    for name in COLUMNS[1:]:
        attribute = getattr(Piece, name)
        if not event.contains(attribute, "set", _keep_old_value):
            event.listen(attribute, "set", _keep_old_value, active_history=True)


def _keep_old_value(target, value, oldvalue, initiator):
    return value


# --- What one piece is worth -------------------------------------------------------------


def _cents(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


def facts_of(
    row: dict,
    *,
    supplier_id: int,
    region_id: int,
    repeat: bool,
    left_at: datetime | None,
    tz: ZoneInfo,
) -> Facts | None:
    """A piece's facts from its column values (None when it is not graded: it counts nowhere)."""
    if row["grade"] is None or row["graded_at"] is None:
        return None
    days = None
    if left_at is not None and row["received_at"] is not None:
        days = max((local_date(left_at, tz) - local_date(row["received_at"], tz)).days, 0)
    return Facts(
        month=Month.at(row["graded_at"], tz).key,
        supplier_id=supplier_id,
        product_id=row["product_id"],
        defect_id=row["defect_id"],
        store_id=row["store_id"],
        region_id=region_id,
        grade=Grade(row["grade"]),
        scrap_cents=_cents(row["scrap_cost"]) if row["grade"] == Grade.SCRAP else 0,
        blame=Blame(row["blame"]) if row["blame"] else None,
        repeat=repeat,
        workshop_days=days,
    )


def _left_at(row: dict, return_dispatched: datetime | None) -> datetime | None:
    """When the piece left the workshop: scrapped there, or dispatched back to its store."""
    status = row["status"]
    if status == PieceStatus.SCRAPPED:
        return row["scrapped_at"]
    if status in LEFT_FOR_THE_STORE:
        return return_dispatched
    return None


# --- Keeping it exact ----------------------------------------------------------------------


def _before(piece: Piece, attr: str):
    history = inspect(piece).attrs[attr].history
    if history.deleted:
        return history.deleted[0]
    if history.added:
        return None  # a value set on a new attribute: there was none before
    return getattr(piece, attr)


def _changed(piece: Piece) -> bool:
    state = inspect(piece)
    return any(state.attrs[attr].history.has_changes() for attr in WATCHED)


def _after_flush(session: Session, flush_context) -> None:
    touched = [p for p in list(session.new) + list(session.dirty) if isinstance(p, Piece)]
    touched = [p for p in touched if p in session.new or _changed(p)]
    if not touched:
        return
    rows_before, rows_after = [], []
    for piece in touched:
        new = piece in session.new
        rows_after.append({c: getattr(piece, c) for c in COLUMNS})
        rows_before.append(None if new else {c: (piece.id if c == "id" else _before(piece, c)) for c in COLUMNS})
    batch_before = _batches_before(session)
    conn = session.connection()
    tz = chain_tz()
    everything = [r for r in rows_before + rows_after if r is not None and r["grade"] is not None]
    if not everything:
        return
    lookups = _Lookups(conn, everything, batch_before)
    changes = add_up(
        delta(lookups.facts(before, tz, old=True) if before else None, lookups.facts(after, tz, old=False))
        for before, after in zip(rows_before, rows_after, strict=True)
    )
    apply(conn, changes)


def _batches_before(session: Session) -> dict[int, datetime | None]:
    """Return batches changed in this flush: their dispatch time before it."""
    found = {}
    for obj in session.dirty:
        if isinstance(obj, Batch):
            history = inspect(obj).attrs["dispatched_at"].history
            if history.has_changes():
                found[obj.id] = history.deleted[0] if history.deleted else None
    return found


def _pairs(conn, query) -> dict:
    return {key: value for key, value in conn.execute(query)}


class _Lookups:
    """Supplier of each product, region of each store, earlier repairs and return dispatches,
    read in a few queries for all the pieces of one flush."""

    def __init__(self, conn, rows: list[dict], batch_before: dict[int, datetime | None]):
        product_ids = {r["product_id"] for r in rows}
        store_ids = {r["store_id"] for r in rows}
        batch_ids = {r["return_batch_id"] for r in rows if r["return_batch_id"]}
        self.supplier = dict(
            conn.execute(select(Product.id, Product.supplier_id).where(Product.id.in_(product_ids))).tuples().all()
        )
        self.region = dict(
            conn.execute(select(Store.id, Store.region_id).where(Store.id.in_(store_ids))).tuples().all()
        )
        self.dispatched = (
            dict(conn.execute(select(Batch.id, Batch.dispatched_at).where(Batch.id.in_(batch_ids))).tuples().all())
            if batch_ids
            else {}
        )
        self.batch_before = batch_before
        self.conn = conn
        self._repeats: dict[tuple[int, datetime | None], bool] = {}

    def repeat(self, piece_id: int, received_at: datetime | None) -> bool:
        key = (piece_id, received_at)
        if key not in self._repeats:
            self._repeats[key] = received_at is not None and bool(
                self.conn.scalar(select(exists().where(Repair.piece_id == piece_id, Repair.repaired_at < received_at)))
            )
        return self._repeats[key]

    def facts(self, row: dict, tz: ZoneInfo, *, old: bool) -> Facts | None:
        if row["grade"] is None or row["graded_at"] is None:
            return None
        batch_id = row["return_batch_id"]
        dispatched = None
        if batch_id:
            dispatched = (
                self.batch_before[batch_id] if old and batch_id in self.batch_before else self.dispatched.get(batch_id)
            )
        return facts_of(
            row,
            supplier_id=self.supplier[row["product_id"]],
            region_id=self.region[row["store_id"]],
            repeat=self.repeat(row["id"], row["received_at"]),
            left_at=_left_at(row, dispatched),
            tz=tz,
        )


def _insert(conn):
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def apply(conn, changes: dict[Key, Figures]) -> None:
    """Add these figures to their rows, creating rows as needed (one upsert per row)."""
    if not changes:
        return
    table = QualityFigure.__table__
    insert = _insert(conn)(table)
    statement = insert.on_conflict_do_update(
        index_elements=["slice", "region_id", "month", "a", "b"],
        set_={m: table.c[m] + insert.excluded[m] for m in MEASURES},
    )
    rows = [
        {"slice": key[0].value, "month": key[1], "region_id": key[2], "a": key[3], "b": key[4]} | figures.as_dict()
        for key, figures in sorted(changes.items())
    ]
    # Sorted keys: two transactions touching the same rows lock them in the same order.
    conn.execute(statement, rows)


# --- A full recount --------------------------------------------------------------------------


def all_facts(conn, tz: ZoneInfo, chunk: int = 20_000) -> Iterator[Facts]:
    """Every graded piece's facts, read in one streamed query."""
    returned = aliased(Batch)
    earlier_repair = exists().where(Repair.piece_id == Piece.id, Repair.repaired_at < Piece.received_at)
    query = (
        select(
            *(getattr(Piece, c) for c in COLUMNS),
            Product.supplier_id,
            Store.region_id,
            earlier_repair.label("repeat"),
            returned.dispatched_at.label("return_dispatched"),
        )
        .join(Product, Product.id == Piece.product_id)
        .join(Store, Store.id == Piece.store_id)
        .outerjoin(returned, and_(returned.id == Piece.return_batch_id))
        .where(Piece.grade.is_not(None), Piece.graded_at.is_not(None))
        .execution_options(yield_per=chunk, stream_results=True)
    )
    for r in conn.execute(query):
        row = r._mapping
        facts = facts_of(
            dict(row),
            supplier_id=row["supplier_id"],
            region_id=row["region_id"],
            repeat=bool(row["repeat"]),
            left_at=_left_at(row, row["return_dispatched"]),
            tz=tz,
        )
        if facts is not None:
            yield facts


def counted(facts: Iterable[Facts]) -> dict[Key, Figures]:
    totals: dict[Key, Figures] = {}
    for one in facts:
        for key, figures in contributions(one).items():
            found = totals.get(key)
            totals[key] = figures if found is None else found + figures
    return totals


def recount(session: Session) -> int:
    """Rebuild the summary from the pieces; returns the number of rows written."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Gradings wait for the recount (and the recount for gradings in progress): no
        # change is counted twice or lost between the read and the write.
        conn.exec_driver_sql("LOCK TABLE quality_figure IN EXCLUSIVE MODE")
    totals = counted(all_facts(conn, chain_tz()))
    conn.execute(delete(QualityFigure.__table__))
    rows = [
        {"slice": key[0].value, "month": key[1], "region_id": key[2], "a": key[3], "b": key[4]} | figures.as_dict()
        for key, figures in totals.items()
    ]
    for start in range(0, len(rows), 10_000):
        conn.execute(QualityFigure.__table__.insert(), rows[start : start + 10_000])
    return len(rows)


def kept(session: Session) -> dict[Key, Figures]:
    """The summary as kept, without its all-zero rows (for comparing with a recount)."""
    from workshop.quality import Slice

    found = {}
    for row in session.connection().execute(select(QualityFigure.__table__)):
        m = row._mapping
        figures = Figures(*(m[name] for name in MEASURES))
        if not figures.is_zero:
            found[(Slice(m["slice"]), m["month"], m["region_id"], m["a"], m["b"])] = figures
    return found
