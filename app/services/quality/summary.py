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

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    event,
    exists,
    func,
    inspect,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from app.clock import chain_tz
from app.models import Batch, Piece, Product, QualityFigure, Repair, Store
from workshop.clock import local_date
from workshop.money import Month
from workshop.quality import CHAIN, MEASURES, Facts, Figures, Key, Slice, add_up, delta
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
        after = {c: getattr(piece, c) for c in COLUMNS}
        before = None if new else {c: (piece.id if c == "id" else _before(piece, c)) for c in COLUMNS}
        if before is not None and _same_figures(before, after):
            continue  # packed, scanned back at the store…: nothing the figures count changed
        rows_after.append(after)
        rows_before.append(before)
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


def _stage(status) -> int:
    """What a status means for the days in the workshop: still there, scrapped, or sent back."""
    return 1 if status == PieceStatus.SCRAPPED else 2 if status in LEFT_FOR_THE_STORE else 0


def _same_figures(before: dict, after: dict) -> bool:
    return _stage(before["status"]) == _stage(after["status"]) and all(
        before[c] == after[c] for c in COLUMNS if c != "status"
    )


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
#
# A second, independent count of the same figures, in SQL: the pieces' facts once into a
# temporary table, then one GROUP BY per cut. The tests compare it with the kept summary, so
# the two ways of counting check each other. Local dates and months are the chain's: PostgreSQL
# converts with AT TIME ZONE; SQLite (no time zones) calls two small Python functions.


def _local_date_text(value) -> date | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    return moment.astimezone(_SQLITE_TZ[0]).date()


def _sqlite_month(value) -> int | None:
    day = _local_date_text(value)
    return day.year * 100 + day.month if day else None


def _sqlite_days(received, left) -> int | None:
    start, end = _local_date_text(received), _local_date_text(left)
    if start is None or end is None:
        return None
    return max((end - start).days, 0)


_SQLITE_TZ: list[ZoneInfo] = [ZoneInfo("UTC")]


def _facts_select(dialect: str, tz: ZoneInfo):
    returned = aliased(Batch)
    left = case(
        (Piece.status == PieceStatus.SCRAPPED, Piece.scrapped_at),
        (Piece.status.in_(sorted(LEFT_FOR_THE_STORE)), returned.dispatched_at),
        else_=None,
    )
    if dialect == "postgresql":
        local = func.timezone(tz.key, Piece.graded_at)
        month = cast(func.extract("year", local) * 100 + func.extract("month", local), Integer)
        days = case(
            (
                and_(left.is_not(None), Piece.received_at.is_not(None)),
                func.greatest(
                    cast(func.timezone(tz.key, left), Date) - cast(func.timezone(tz.key, Piece.received_at), Date), 0
                ),
            ),
            else_=None,
        )
    else:
        month = func.quality_month(Piece.graded_at)
        days = func.quality_days(Piece.received_at, left)
    cents = func.round(Piece.scrap_cost * 100)
    scrapped = Piece.grade == Grade.SCRAP
    earlier_repair = exists().where(Repair.piece_id == Piece.id, Repair.repaired_at < Piece.received_at)
    return (
        select(
            month.label("month"),
            Store.region_id.label("region_id"),
            Product.supplier_id.label("supplier_id"),
            Piece.product_id.label("product_id"),
            Piece.defect_id.label("defect_id"),
            Piece.store_id.label("store_id"),
            case((Piece.grade == Grade.REPAIRABLE, 1), else_=0).label("repairable"),
            case((Piece.grade == Grade.NO_FAULT, 1), else_=0).label("no_fault"),
            case((scrapped, 1), else_=0).label("scrapped"),
            case((scrapped, func.coalesce(cents, 0)), else_=0).label("scrap_cents"),
            case((and_(scrapped, Piece.blame == Blame.SUPPLIER), func.coalesce(cents, 0)), else_=0).label(
                "supplier_cents"
            ),
            case((earlier_repair, 1), else_=0).label("repeats"),
            days.label("days"),
        )
        .join(Product, Product.id == Piece.product_id)
        .join(Store, Store.id == Piece.store_id)
        .outerjoin(returned, returned.id == Piece.return_batch_id)
        .where(Piece.grade.is_not(None), Piece.graded_at.is_not(None))
    )


# (slice, its a and b in the facts, whether it has chain-wide rows)
CUTS = (
    (Slice.TOTAL, None, None, True),
    (Slice.SUPPLIER, "supplier_id", None, True),
    (Slice.DEFECT, "defect_id", None, True),
    (Slice.SUPPLIER_DEFECT, "supplier_id", "defect_id", True),
    (Slice.PRODUCT, "supplier_id", "product_id", True),
    (Slice.STORE, "store_id", None, False),
)


def recount(session: Session) -> int:
    """Rebuild the summary from the pieces; returns the number of rows written."""
    conn = session.connection()
    dialect = conn.dialect.name
    tz = chain_tz()
    if dialect == "postgresql":
        # Gradings wait for the recount (and the recount for gradings in progress): no
        # change is counted twice or lost between the read and the write.
        conn.exec_driver_sql("LOCK TABLE quality_figure IN EXCLUSIVE MODE")
    else:
        _SQLITE_TZ[0] = tz
        raw = conn.connection.driver_connection
        raw.create_function("quality_month", 1, _sqlite_month, deterministic=True)
        raw.create_function("quality_days", 2, _sqlite_days, deterministic=True)
    facts = Table(
        "quality_facts",
        MetaData(),
        *(Column(name, BigInteger) for name in FACT_COLUMNS),
        prefixes=["TEMPORARY"],
    )
    facts.drop(conn, checkfirst=True)
    facts.create(conn)
    conn.execute(facts.insert().from_select(list(FACT_COLUMNS), _facts_select(dialect, tz)))
    conn.execute(delete(QualityFigure.__table__))
    target = QualityFigure.__table__
    for part, a, b, chain in CUTS:
        for regional in (False, True) if chain else (True,):
            sums = [
                func.count().label("pieces"),
                func.sum(facts.c.repairable),
                func.sum(facts.c.no_fault),
                func.sum(facts.c.scrapped),
                func.sum(facts.c.scrap_cents),
                func.sum(facts.c.supplier_cents),
                func.sum(facts.c.repeats),
                func.coalesce(func.sum(facts.c.days), 0),
                func.count(facts.c.days),
            ]
            keys = [
                literal(part.value, String).label("slice"),
                (facts.c.region_id if regional else literal(CHAIN, Integer)).label("region_id"),
                facts.c.month,
                (facts.c[a] if a else literal(0, Integer)).label("a"),
                (facts.c[b] if b else literal(0, Integer)).label("b"),
            ]
            groups = [facts.c.month] + ([facts.c.region_id] if regional else [])
            groups += [facts.c[c] for c in (a, b) if c]
            query = select(*keys, *sums).group_by(*groups)
            conn.execute(target.insert().from_select(["slice", "region_id", "month", "a", "b", *MEASURES], query))
    facts.drop(conn)
    return conn.execute(select(func.count()).select_from(target)).scalar_one()


FACT_COLUMNS = (
    "month",
    "region_id",
    "supplier_id",
    "product_id",
    "defect_id",
    "store_id",
    "repairable",
    "no_fault",
    "scrapped",
    "scrap_cents",
    "supplier_cents",
    "repeats",
    "days",
)


def kept(session: Session) -> dict[Key, Figures]:
    """The summary as kept, without its all-zero rows (for comparing with a recount)."""
    found = {}
    for row in session.connection().execute(select(QualityFigure.__table__)):
        m = row._mapping
        figures = Figures(*(int(m[name]) for name in MEASURES))
        if not figures.is_zero:
            found[(Slice(m["slice"]), m["month"], m["region_id"], m["a"], m["b"])] = figures
    return found
