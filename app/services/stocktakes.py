"""Stocktakes (盘点): a location's shelves counted — by scanning part labels or typing — the
differences with the books listed with their reasons, and posted to the ledger only once the
lead approves. Each line keeps the books as they were when it was counted, so parts issued
while the count goes on are not counted as missing."""

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import PartStock, SparePart, StockLocation, Stocktake, StocktakeLine, User
from app.services import history, scope, stock
from workshop.errors import NotFound, RuleViolation
from workshop.statuses import StocktakeStatus
from workshop.stock import MAX_QUANTITY, ZERO_COST, MovementKind, line_value, variance
from workshop.text import N_
from workshop.transitions import StocktakeAction

OPEN = (StocktakeStatus.COUNTING, StocktakeStatus.SUBMITTED)


def start(actor: User, location: StockLocation) -> Stocktake:
    running = db.session.scalar(
        select(Stocktake).where(Stocktake.location_id == location.id, Stocktake.status.in_(OPEN)).limit(1)
    )
    if running is not None:
        raise RuleViolation(
            N_("Stocktake %(number)s of this location is still open: finish or cancel it first."), number=running.number
        )
    stocktake = Stocktake(location_id=location.id, started_by_id=actor.id, started_at=clock.now())
    history.move_stocktake_status(stocktake, StocktakeAction.OPEN, actor)
    return stocktake


def get(user: User, stocktake_id: int, *, for_update: bool = False) -> Stocktake:
    query = select(Stocktake).where(Stocktake.id == stocktake_id)
    found = db.session.scalar(query.with_for_update() if for_update else query)
    if found is None:
        raise NotFound()
    scope.get_stock_location(user, found.location_id)  # NotFound when not this user's to see
    return found


def _ensure_counting(stocktake: Stocktake) -> None:
    if stocktake.status != StocktakeStatus.COUNTING:
        raise RuleViolation(
            N_("Stocktake %(number)s is %(status)s: counts can no longer change."),
            number=stocktake.number,
            status=StocktakeStatus(stocktake.status).label,
        )


def count(actor: User, stocktake: Stocktake, part: SparePart, quantity: int | None, reason: str = "") -> StocktakeLine:
    """Record a count: ``quantity`` typed replaces the line's count; ``None`` (a label scanned)
    adds one unit to it."""
    _ensure_counting(stocktake)
    if quantity is not None and not 0 <= quantity <= MAX_QUANTITY:
        raise RuleViolation(N_("A count is a whole number, 0 or more."))
    line = db.session.scalar(
        select(StocktakeLine)
        .where(StocktakeLine.stocktake_id == stocktake.id, StocktakeLine.part_id == part.id)
        .with_for_update()
    )
    on_hand = db.session.scalar(
        select(PartStock.on_hand).where(PartStock.location_id == stocktake.location_id, PartStock.part_id == part.id)
    )
    if line is None:
        line = StocktakeLine(stocktake_id=stocktake.id, part_id=part.id, book=on_hand or 0, counted=0)
        db.session.add(line)
    line.counted = quantity if quantity is not None else min(line.counted + 1, MAX_QUANTITY)
    if reason.strip():
        line.reason = reason.strip()[:2000]
    line.counted_at = clock.now()
    line.counted_by_id = actor.id
    db.session.flush()
    return line


def lines(stocktake: Stocktake, *, differences_only: bool = False) -> list[tuple[StocktakeLine, PartStock | None]]:
    query = (
        select(StocktakeLine, PartStock)
        .join(SparePart, SparePart.id == StocktakeLine.part_id)
        .outerjoin(
            PartStock, and_(PartStock.part_id == StocktakeLine.part_id, PartStock.location_id == stocktake.location_id)
        )
        .where(StocktakeLine.stocktake_id == stocktake.id)
        .options(joinedload(StocktakeLine.part))
        .order_by(SparePart.code)
    )
    if differences_only:
        query = query.where(StocktakeLine.counted != StocktakeLine.book)
    return [(line, shelf) for line, shelf in db.session.execute(query)]


def difference_value(line: StocktakeLine, shelf: PartStock | None):
    return line_value(variance(line.book, line.counted), shelf.average_cost if shelf is not None else ZERO_COST)


def counted_lines(stocktake: Stocktake) -> int:
    return db.session.scalar(
        select(func.count()).select_from(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id)
    )


def submit(actor: User, stocktake: Stocktake) -> None:
    """Counting is over: every difference must say why before the lead is asked."""
    differing = lines(stocktake, differences_only=True)
    missing = [line.part.code for line, _shelf in differing if not line.reason.strip()]
    if missing:
        raise RuleViolation(
            N_("Write the reason of each difference before submitting: %(parts)s."), parts=", ".join(missing[:10])
        )
    if counted_lines(stocktake) == 0:
        raise RuleViolation(N_("Nothing is counted yet."))
    history.move_stocktake_status(stocktake, StocktakeAction.SUBMIT, actor, data={"differences": len(differing)})


def post(actor: User, stocktake: Stocktake, *, at: datetime | None = None) -> int:
    """The lead approves: each difference becomes a ledger movement with its reason. Refused
    as a whole (nothing posted) when a shortage is more than the shelf now holds."""
    at = at or clock.now()
    location = db.session.get(StockLocation, stocktake.location_id)
    differing = lines(stocktake, differences_only=True)
    history.move_stocktake_status(stocktake, StocktakeAction.POST, actor, at=at, data={"differences": len(differing)})
    for line, _shelf in differing:
        difference = variance(line.book, line.counted)
        doc = stock.Doc(reason=line.reason, stocktake_id=stocktake.id)
        if difference > 0:
            stock.add(actor, location, line.part, MovementKind.COUNT, difference, None, doc, at=at)
        else:
            stock.take(actor, location, line.part, MovementKind.COUNT, -difference, doc, at=at)
    stocktake.posted_at = at
    stocktake.posted_by_id = actor.id
    return len(differing)


def cancel(actor: User, stocktake: Stocktake, reason: str = "") -> None:
    history.move_stocktake_status(stocktake, StocktakeAction.CANCEL, actor, reason=reason)


def for_location(
    location: StockLocation, before: int | None = None, limit: int = 50
) -> tuple[list[Stocktake], int | None]:
    query = select(Stocktake).where(Stocktake.location_id == location.id)
    if before:
        query = query.where(Stocktake.id < before)
    found = list(db.session.scalars(query.order_by(Stocktake.id.desc()).limit(limit + 1)))
    return found[:limit], found[limit - 1].id if len(found) > limit else None


def sheet_rows(location: StockLocation) -> list[tuple[SparePart, PartStock | None]]:
    """Every active part (and any other still on the shelf) with its shelf at this location, by code."""
    query = (
        select(SparePart, PartStock)
        .outerjoin(PartStock, and_(PartStock.part_id == SparePart.id, PartStock.location_id == location.id))
        .where(SparePart.active.is_(True) | (PartStock.on_hand > 0))
        .order_by(SparePart.code)
    )
    return [(part, shelf) for part, shelf in db.session.execute(query)]
