"""From a quality figure to its pieces: the graded pieces behind any number of the pages,
with their photos, newest first, 50 at a time by keyset (the same cost on page 1 and 1,000)."""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import Piece, Product, Repair, Store, User
from app.services import scope
from workshop.quality import Period
from workshop.statuses import Grade


@dataclass(frozen=True)
class Filter:
    """What a figure counted: every field optional but the period."""

    period: Period
    supplier_id: int | None = None
    product_id: int | None = None
    defect_id: int | None = None
    store_id: int | None = None
    region_id: int | None = None
    category: str | None = None
    grade: Grade | None = None
    repeat: bool = False


def month_bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period's first and last instants in the chain's time zone (end exclusive)."""
    start = datetime.combine(period.first.first_day, time(0), tz)
    end = datetime.combine(period.last.next().first_day, time(0), tz)
    return start, end


def query(user: User, found: Filter, tz: ZoneInfo) -> Select:
    """Scoped by app.services.scope first: a region manager never reaches another region's piece."""
    start, end = month_bounds(found.period, tz)
    q = scope.pieces(user).where(Piece.grade.is_not(None), Piece.graded_at >= start, Piece.graded_at < end)
    if found.product_id is not None:
        q = q.where(Piece.product_id == found.product_id)
    if found.supplier_id is not None:
        q = q.where(Piece.product_id.in_(select(Product.id).where(Product.supplier_id == found.supplier_id)))
    if found.category:
        q = q.where(Piece.product_id.in_(select(Product.id).where(Product.category == found.category)))
    if found.defect_id is not None:
        q = q.where(Piece.defect_id == found.defect_id)
    if found.store_id is not None:
        q = q.where(Piece.store_id == found.store_id)
    if found.region_id:
        q = q.where(Piece.store_id.in_(select(Store.id).where(Store.region_id == found.region_id)))
    if found.grade is not None:
        q = q.where(Piece.grade == found.grade)
    if found.repeat:
        q = q.where(exists().where(Repair.piece_id == Piece.id, Repair.repaired_at < Piece.received_at))
    return q


def page(
    user: User, found: Filter, tz: ZoneInfo, *, after: tuple[datetime, int] | None = None, size: int = 50
) -> tuple[list[Piece], tuple[datetime, int] | None]:
    """One page, newest grading first, and the cursor of the next page (None on the last)."""
    q = query(user, found, tz)
    if after is not None:
        at, piece_id = after
        q = q.where(or_(Piece.graded_at < at, and_(Piece.graded_at == at, Piece.id < piece_id)))
    q = (
        q.options(
            joinedload(Piece.product).joinedload(Product.supplier),
            joinedload(Piece.defect),
            joinedload(Piece.store),
            selectinload(Piece.photos),
        )
        .order_by(Piece.graded_at.desc(), Piece.id.desc())
        .limit(size + 1)
    )
    rows = list(db.session.scalars(q).unique())
    more = len(rows) > size
    rows = rows[:size]
    return rows, ((rows[-1].graded_at, rows[-1].id) if more and rows else None)
