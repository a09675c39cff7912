"""Spare parts in stock: every movement is a ledger row written with the change of the shelf
it records, in the caller's transaction, so the books and the shelf always agree (账物一致).

A shelf never goes below zero. Taking units off it is one conditional UPDATE (``on_hand >=
wanted``): of two technicians taking the last unit at the same instant, the second one's
update waits for the first's commit, finds nothing left and is refused with what is there.
Adding units locks the shelf's row first, so its moving-average cost is computed from the
quantity and cost it really has.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import (
    PartStock,
    Repair,
    SparePart,
    StockLocation,
    StockMovement,
    StockReceipt,
    StockReceiptLine,
    Store,
    Supplier,
    User,
)
from app.services import alerts, scope, settings
from app.services.alerts import Audience
from workshop.errors import NotFound, RuleViolation
from workshop.stock import (
    ZERO_COST,
    MovementKind,
    NotEnoughStock,
    check_quantity,
    check_unit_price,
    cost,
    crossed_reorder_point,
    line_value,
    moving_average,
    to_order,
)
from workshop.text import N_

WORKSHOP_KEY = "workshop"
PAGE_SIZE = 50


# --- Locations and shelves -----------------------------------------------------------


def _location(key: str, store_id: int | None) -> StockLocation:
    found = db.session.scalar(select(StockLocation).where(StockLocation.key == key))
    if found is None:
        alerts.insert_once(db.session, StockLocation, ["key"], key=key, store_id=store_id)
        found = db.session.scalar(select(StockLocation).where(StockLocation.key == key))
    return found


def workshop_location() -> StockLocation:
    """The workshop's store room (备件库), made the first time it is asked for."""
    return _location(WORKSHOP_KEY, None)


def store_location(store: Store) -> StockLocation:
    """A store's own shelf, for a store that repairs locally (发往服务站的备用件单独建帐)."""
    return _location(f"store:{store.id}", store.id)


def location_name(location: StockLocation) -> str:
    return location.store.name if location.store is not None else settings.workshop().name


def get_part(part_id: int) -> SparePart:
    part = db.session.get(SparePart, part_id)
    if part is None:
        raise NotFound(N_("Unknown spare part."))
    return part


def part_by_code(code: str) -> SparePart | None:
    return db.session.scalar(select(SparePart).where(SparePart.code == code.strip().upper()[:20]))


def shelf_id(location: StockLocation, part_id: int) -> int:
    """The id of this part's shelf at this location, made (empty) the first time."""
    query = select(PartStock.id).where(PartStock.location_id == location.id, PartStock.part_id == part_id)
    found = db.session.scalar(query)
    if found is None:
        alerts.insert_once(
            db.session,
            PartStock,
            ["location_id", "part_id"],
            location_id=location.id,
            part_id=part_id,
            on_hand=0,
            average_cost=ZERO_COST,
            reorder_point=0,
            reorder_quantity=0,
            shelf="",
        )
        found = db.session.scalar(query)
    return found


def find_shelf(location: StockLocation, part_id: int) -> PartStock | None:
    return db.session.scalar(
        select(PartStock).where(PartStock.location_id == location.id, PartStock.part_id == part_id)
    )


# --- Movements -------------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """The document a movement belongs to, and why it happened."""

    reason: str = ""
    receipt_id: int | None = None
    repair_id: int | None = None
    requisition_id: int | None = None
    stocktake_id: int | None = None
    other_location_id: int | None = None


def _write(
    stock_id: int,
    location: StockLocation,
    part: SparePart,
    kind: MovementKind,
    quantity: int,
    unit_cost: Decimal,
    balance: int,
    actor: User | None,
    at: datetime,
    doc: Doc,
) -> StockMovement:
    movement = StockMovement(
        stock_id=stock_id,
        location_id=location.id,
        part_id=part.id,
        kind=kind,
        quantity=quantity,
        unit_cost=cost(unit_cost),
        value=line_value(quantity, unit_cost),
        balance=balance,
        at=at,
        actor_id=actor.id if actor is not None else None,
        reason=doc.reason.strip(),
        receipt_id=doc.receipt_id,
        repair_id=doc.repair_id,
        requisition_id=doc.requisition_id,
        stocktake_id=doc.stocktake_id,
        other_location_id=doc.other_location_id,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def add(
    actor: User | None,
    location: StockLocation,
    part: SparePart,
    kind: MovementKind,
    quantity: int,
    unit_cost: Decimal | None,
    doc: Doc,
    *,
    at: datetime | None = None,
) -> StockMovement:
    """Put units on the shelf; ``unit_cost`` None keeps the average (a count found more)."""
    check_quantity(quantity)
    stock_id = shelf_id(location, part.id)
    # The row is locked until the commit: the average is computed from what is really there.
    on_hand, average = db.session.execute(
        select(PartStock.on_hand, PartStock.average_cost).where(PartStock.id == stock_id).with_for_update()
    ).one()
    price = average if unit_cost is None else unit_cost
    new_average = moving_average(on_hand, average, quantity, price)
    db.session.execute(
        update(PartStock)
        .where(PartStock.id == stock_id)
        .values(on_hand=PartStock.on_hand + quantity, average_cost=new_average),
        execution_options={"synchronize_session": False},
    )
    _expire(stock_id)
    return _write(stock_id, location, part, kind, quantity, price, on_hand + quantity, actor, at or clock.now(), doc)


def take(
    actor: User | None,
    location: StockLocation,
    part: SparePart,
    kind: MovementKind,
    quantity: int,
    doc: Doc,
    *,
    at: datetime | None = None,
) -> StockMovement:
    """Take units off the shelf at its average cost; refused, with what is there, when they are not."""
    check_quantity(quantity)
    stock_id = shelf_id(location, part.id)
    taken = db.session.execute(
        update(PartStock)
        .where(PartStock.id == stock_id, PartStock.on_hand >= quantity)
        .values(on_hand=PartStock.on_hand - quantity)
        .returning(PartStock.on_hand, PartStock.average_cost, PartStock.reorder_point),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    if taken is None:
        on_hand = db.session.scalar(select(PartStock.on_hand).where(PartStock.id == stock_id)) or 0
        raise NotEnoughStock(f"{part.code} {part.name_zh}", on_hand, quantity)
    _expire(stock_id)
    after, average, reorder_point = taken
    movement = _write(stock_id, location, part, kind, -quantity, average, after, actor, at or clock.now(), doc)
    if crossed_reorder_point(after + quantity, after, reorder_point):
        _tell_reorder(location, part, movement, reorder_point)
    return movement


def _expire(stock_id: int) -> None:
    """A shelf loaded in this session reads the database again after an UPDATE behind its back."""
    loaded = db.session.identity_map.get(db.session.identity_key(PartStock, stock_id))  # type: ignore[arg-type]
    if loaded is not None:
        db.session.expire(loaded)


def _tell_reorder(location: StockLocation, part: SparePart, movement: StockMovement, reorder_point: int) -> None:
    """The workshop (or the store) hears, once per crossing, that a part must be ordered."""
    audience = Audience.store(location.store_id) if location.store_id else Audience.workshop()
    alerts.notify(
        db.session,
        key=f"reorder:{location.id}:{part.id}:{movement.id}",
        kind="reorder",
        message=N_("Spare part %(part)s is down to %(on_hand)d at %(location)s (reorder point %(point)d): order more."),
        params={
            "part": f"{part.code} {part.name_zh} / {part.name_en}",
            "on_hand": movement.balance,
            "location": location_name(location),
            "point": reorder_point,
        },
        link=alerts.path_for("spares.to_order", location_id=location.id),
        audiences=[audience],
    )


# --- Receiving -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLineIn:
    part_id: int
    quantity: int
    unit_price: Decimal


def receive(
    actor: User,
    location: StockLocation,
    lines: Sequence[ReceiptLineIn],
    *,
    supplier_id: int | None = None,
    delivery_note: str = "",
    note: str = "",
    at: datetime | None = None,
) -> StockReceipt:
    """Parts into stock with a receipt (接收单): each line on its shelf's ledger at its price."""
    at = at or clock.now()
    if not lines:
        raise RuleViolation(N_("A receipt needs at least one part with its quantity."))
    if len(lines) > 200:
        raise RuleViolation(N_("At most %(n)d lines on one receipt."), n=200)
    if supplier_id is not None and db.session.get(Supplier, supplier_id) is None:
        raise RuleViolation(N_("Unknown supplier."))
    parts = {}
    for line in lines:
        check_quantity(line.quantity)
        check_unit_price(line.unit_price)
        found = db.session.get(SparePart, line.part_id)
        if found is None:
            raise RuleViolation(N_("Unknown spare part."))
        parts[line.part_id] = found
    receipt = StockReceipt(
        location_id=location.id,
        supplier_id=supplier_id,
        delivery_note=delivery_note.strip()[:60],
        note=note.strip(),
        received_at=at,
        received_by_id=actor.id,
    )
    db.session.add(receipt)
    db.session.flush()
    for line in lines:
        db.session.add(
            StockReceiptLine(receipt=receipt, part_id=line.part_id, quantity=line.quantity, unit_price=line.unit_price)
        )
        add(
            actor,
            location,
            parts[line.part_id],
            MovementKind.RECEIVE,
            line.quantity,
            line.unit_price,
            Doc(receipt_id=receipt.id),
            at=at,
        )
    return receipt


def get_receipt(user: User, receipt_id: int) -> StockReceipt:
    receipt = db.session.get(StockReceipt, receipt_id)
    if (
        receipt is None
        or db.session.scalar(scope.stock_locations(user).where(StockLocation.id == receipt.location_id)) is None
    ):
        raise NotFound()
    return receipt


# --- Issuing to a repair, and back -----------------------------------------------------


def issue_to_repair(actor: User, repair: Repair, part: SparePart, quantity: int, requisition_id: int | None = None):
    return take(
        actor,
        workshop_location(),
        part,
        MovementKind.ISSUE,
        quantity,
        Doc(repair_id=repair.id, requisition_id=requisition_id),
        at=repair.repaired_at,
    )


def return_unused(actor: User, repair: Repair, part: SparePart, quantity: int, reason: str = "") -> StockMovement:
    """Parts issued to a repair but not used go back on the shelf at the cost they left at."""
    issued = db.session.execute(
        select(func.coalesce(func.sum(StockMovement.quantity), 0), func.max(StockMovement.unit_cost)).where(
            StockMovement.repair_id == repair.id,
            StockMovement.part_id == part.id,
            StockMovement.kind.in_([MovementKind.ISSUE, MovementKind.RETURN]),
        )
    ).one()
    still_out = -int(issued[0])
    if quantity > still_out:
        raise RuleViolation(
            N_("Only %(n)d of %(part)s were issued to this repair and not returned."),
            n=still_out,
            part=f"{part.code} {part.name_zh}",
        )
    return add(
        actor,
        workshop_location(),
        part,
        MovementKind.RETURN,
        quantity,
        issued[1] or ZERO_COST,
        Doc(repair_id=repair.id, reason=reason),
    )


def return_unused_for_piece(actor: User, piece_id: int, part: SparePart, quantity: int, reason: str = ""):
    """Return parts to the shelf from the piece's latest repair that drew this part."""
    repair = db.session.scalar(
        select(Repair)
        .join(StockMovement, StockMovement.repair_id == Repair.id)
        .where(Repair.piece_id == piece_id, StockMovement.part_id == part.id, StockMovement.kind == MovementKind.ISSUE)
        .order_by(Repair.id.desc())
        .limit(1)
    )
    if repair is None:
        raise RuleViolation(N_("No repair of this piece drew %(part)s."), part=f"{part.code} {part.name_zh}")
    return return_unused(actor, repair, part, quantity, reason)


# --- Transfers to stores, write-offs, reorder points ------------------------------------------


def transfer(
    actor: User, source: StockLocation, target: StockLocation, part: SparePart, quantity: int, reason: str = ""
) -> tuple[StockMovement, StockMovement]:
    """Parts sent to a store that repairs locally: out of one ledger, into the store's own."""
    if source.id == target.id:
        raise RuleViolation(N_("Choose another location to send the parts to."))
    at = clock.now()
    out = take(
        actor, source, part, MovementKind.TRANSFER_OUT, quantity, Doc(reason, other_location_id=target.id), at=at
    )
    into = add(
        actor,
        target,
        part,
        MovementKind.TRANSFER_IN,
        quantity,
        out.unit_cost,
        Doc(reason, other_location_id=source.id),
        at=at,
    )
    return out, into


def write_off(actor: User, location: StockLocation, part: SparePart, quantity: int, reason: str) -> StockMovement:
    if not reason.strip():
        raise RuleViolation(N_("Write why the parts are written off."))
    return take(actor, location, part, MovementKind.WRITE_OFF, quantity, Doc(reason))


def set_reorder(location: StockLocation, part: SparePart, point: int, quantity: int, shelf: str) -> PartStock:
    if not (0 <= point <= 100_000 and 0 <= quantity <= 100_000):
        raise RuleViolation(N_("A quantity is a whole number from 0 to 100,000."))
    stock = db.session.get(PartStock, shelf_id(location, part.id))
    stock.reorder_point = point
    stock.reorder_quantity = quantity
    stock.shelf = shelf.strip()[:40]
    return stock


# --- Reading: the stock page, a part's ledger, the parts to order ---------------------------------------


@dataclass(frozen=True)
class StockRow:
    part: SparePart
    stock: PartStock | None

    @property
    def on_hand(self) -> int:
        return self.stock.on_hand if self.stock else 0

    @property
    def average_cost(self) -> Decimal:
        return self.stock.average_cost if self.stock else ZERO_COST

    @property
    def value(self) -> Decimal:
        return line_value(self.on_hand, self.average_cost)

    @property
    def to_order(self) -> int:
        return to_order(self.on_hand, self.stock.reorder_point, self.stock.reorder_quantity) if self.stock else 0


@dataclass(frozen=True)
class StockPage:
    rows: list[StockRow]
    next_after: str | None  # the code to continue after, when there is more


def _search(query, text: str):
    text = " ".join(text.split())[:60]
    if not text:
        return query
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return query.where(
        or_(
            SparePart.code.like(text.upper().replace("%", "") + "%"),
            SparePart.name_zh.like(like, escape="\\"),
            SparePart.name_en.ilike(like, escape="\\"),
        )
    )


def stock_page(location: StockLocation, *, search: str = "", after: str = "", only_to_order: bool = False) -> StockPage:
    """One page of the parts (by code) with their shelf at this location, keyset on the code."""
    query = select(SparePart, PartStock).outerjoin(
        PartStock, and_(PartStock.part_id == SparePart.id, PartStock.location_id == location.id)
    )
    if only_to_order:
        query = query.where(PartStock.reorder_point > 0, PartStock.on_hand <= PartStock.reorder_point)
    else:
        query = query.where(or_(SparePart.active.is_(True), PartStock.on_hand > 0))
    query = _search(query, search)
    if after:
        query = query.where(SparePart.code > after[:20])
    found = db.session.execute(query.order_by(SparePart.code).limit(PAGE_SIZE + 1)).all()
    rows = [StockRow(part, stock) for part, stock in found[:PAGE_SIZE]]
    return StockPage(rows, rows[-1].part.code if len(found) > PAGE_SIZE else None)


@dataclass(frozen=True)
class LedgerPage:
    movements: list[StockMovement]
    next_before: int | None


def ledger(stock: PartStock, *, before: int | None = None, limit: int = PAGE_SIZE) -> LedgerPage:
    """A shelf's movements, newest first, one page at a time (keyset on the movement id)."""
    query = (
        select(StockMovement)
        .where(StockMovement.stock_id == stock.id)
        .options(
            selectinload(StockMovement.actor),
            selectinload(StockMovement.receipt),
            selectinload(StockMovement.repair).joinedload(Repair.piece),
        )
    )
    if before:
        query = query.where(StockMovement.id < before)
    found = list(db.session.scalars(query.order_by(StockMovement.id.desc()).limit(limit + 1)))
    return LedgerPage(found[:limit], found[limit - 1].id if len(found) > limit else None)


def ledger_sum(stock_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(StockMovement.stock_id == stock_id)
        )
    )
