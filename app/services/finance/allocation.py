"""The month's allocation of scrap costs (rule 5): what each supplier, store and head office
bears in a month, the month before beside it, the drill-down from a total to its pieces,
and the last twelve months for the chart.

Closed months' figures are kept per process: month_guard makes sure they cannot change, and
the key carries the moment of closing, so a month reopened and closed again is computed anew.
"""

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import Adjustment, Batch, CustomerReturn, DefectCode, Piece, Product, Store, Supplier, User
from app.services.finance.months import closings
from app.services.finance.sums import ZERO, from_cents, sum_cents
from workshop.money import Month, total
from workshop.statuses import Blame, Direction


@dataclass(frozen=True)
class PartyLine:
    """What one party bears in one month."""

    blame: Blame
    party_id: int | None  # supplier id, store id, or None for head office
    code: str = ""
    name: str = ""
    pieces: int = 0
    scrap: Decimal = ZERO
    adjustments: Decimal = ZERO
    extra_batches: int = 0
    extra_fees: Decimal = ZERO
    # 三包 at the counter: quality defects refunded or exchanged within the period (suppliers only)
    counter_pieces: int = 0
    counter_amount: Decimal = ZERO

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.blame.value, self.party_id)

    @cached_property
    def total(self) -> Decimal:
        return total((self.scrap, self.adjustments, self.extra_fees, self.counter_amount))


@dataclass(frozen=True)
class Allocation:
    month: Month
    closed: bool
    suppliers: tuple[PartyLine, ...]
    stores: tuple[PartyLine, ...]
    hq: PartyLine

    @property
    def lines(self) -> tuple[PartyLine, ...]:
        return self.suppliers + self.stores + (self.hq,)

    @property
    def pieces(self) -> int:
        return sum(line.pieces for line in self.lines)

    @cached_property
    def total(self) -> Decimal:
        return total(line.total for line in self.lines)

    def sum_of(self, lines: Iterable[PartyLine], attr: str) -> Decimal:
        return total(getattr(line, attr) for line in lines)


# Figures of closed months, kept per process: month_guard makes sure they cannot change, and
# the key carries the moment of closing, so a month reopened and closed again is computed anew.
_FROZEN: OrderedDict[tuple, object] = OrderedDict()
FROZEN_ENTRIES = 512


def _frozen(kind: str, month: Month, closed_at: datetime | None, compute):
    if closed_at is None:
        return compute()
    key = (str(db.engine.url), kind, month.key, closed_at.isoformat())
    if key in _FROZEN:
        _FROZEN.move_to_end(key)
        return _FROZEN[key]
    value = compute()
    _FROZEN[key] = value
    while len(_FROZEN) > FROZEN_ENTRIES:
        _FROZEN.popitem(last=False)
    return value


def allocation(month: Month) -> Allocation:
    closed_at = closings(month, month).get(month.key)
    return _frozen("allocation", month, closed_at, lambda: _allocation(month, closed=closed_at is not None))


def _allocation(month: Month, closed: bool) -> Allocation:
    """Six GROUP BYs on indexed columns (piece: scrap_month+blame; batch: charge_month;
    customer_return: month+supplier)."""
    key = month.key
    scrapped = Piece.scrap_month == key
    by_supplier = db.session.execute(
        select(Piece.blamed_supplier_id, func.count(), sum_cents(Piece.scrap_cost))
        .where(scrapped, Piece.blame == Blame.SUPPLIER)
        .group_by(Piece.blamed_supplier_id)
    ).all()
    by_store = db.session.execute(
        select(Piece.store_id, func.count(), sum_cents(Piece.scrap_cost))
        .where(scrapped, Piece.blame == Blame.STORE)
        .group_by(Piece.store_id)
    ).all()
    hq_count, hq_cents = db.session.execute(
        select(func.count(), sum_cents(Piece.scrap_cost)).where(scrapped, Piece.blame == Blame.HQ)
    ).one()
    extras = db.session.execute(
        select(Batch.store_id, func.count(), sum_cents(Batch.shipping_fee))
        .where(Batch.charge_month == key, Batch.extra.is_(True), Batch.direction == Direction.OUTBOUND)
        .group_by(Batch.store_id)
    ).all()
    adjustments = db.session.execute(
        select(Adjustment.blame, Adjustment.supplier_id, Adjustment.store_id, sum_cents(Adjustment.amount))
        .where(Adjustment.month == key)
        .group_by(Adjustment.blame, Adjustment.supplier_id, Adjustment.store_id)
    ).all()
    at_counter = db.session.execute(
        select(CustomerReturn.supplier_id, func.count(), sum_cents(CustomerReturn.amount))
        .where(CustomerReturn.month == key, CustomerReturn.supplier_caused.is_(True))
        .group_by(CustomerReturn.supplier_id)
    ).all()

    suppliers: dict[int, PartyLine] = {}
    stores: dict[int, PartyLine] = {}
    hq = PartyLine(Blame.HQ, None, pieces=hq_count, scrap=from_cents(hq_cents))
    for supplier_id, count, cents in by_supplier:
        suppliers[supplier_id] = PartyLine(Blame.SUPPLIER, supplier_id, pieces=count, scrap=from_cents(cents))
    for store_id, count, cents in by_store:
        stores[store_id] = PartyLine(Blame.STORE, store_id, pieces=count, scrap=from_cents(cents))
    for supplier_id, count, cents in at_counter:
        line = suppliers.get(supplier_id) or PartyLine(Blame.SUPPLIER, supplier_id)
        suppliers[supplier_id] = replace(line, counter_pieces=count, counter_amount=from_cents(cents))
    for store_id, count, cents in extras:
        line = stores.get(store_id) or PartyLine(Blame.STORE, store_id)
        stores[store_id] = replace(line, extra_batches=count, extra_fees=from_cents(cents))
    for blame, supplier_id, store_id, cents in adjustments:
        amount = from_cents(cents)
        if blame == Blame.SUPPLIER:
            line = suppliers.get(supplier_id) or PartyLine(Blame.SUPPLIER, supplier_id)
            suppliers[supplier_id] = replace(line, adjustments=line.adjustments + amount)
        elif blame == Blame.STORE:
            line = stores.get(store_id) or PartyLine(Blame.STORE, store_id)
            stores[store_id] = replace(line, adjustments=line.adjustments + amount)
        else:
            hq = replace(hq, adjustments=hq.adjustments + amount)
    return Allocation(
        month=month,
        closed=closed,
        suppliers=_named(suppliers, Supplier),
        stores=_named(stores, Store),
        hq=hq,
    )


def _named(lines: dict[int, PartyLine], model) -> tuple[PartyLine, ...]:
    if not lines:
        return ()
    names = {
        row.id: (row.code, row.name)
        for row in db.session.execute(select(model.id, model.code, model.name).where(model.id.in_(list(lines))))
    }
    named = [
        replace(line, code=names.get(pid, ("", ""))[0], name=names.get(pid, ("", ""))[1]) for pid, line in lines.items()
    ]
    return tuple(sorted(named, key=lambda line: (-line.total, line.code)))


@dataclass(frozen=True)
class Beside:
    """A party's line this month and the month before (either may be all zeros)."""

    current: PartyLine
    previous: PartyLine


def beside(current: tuple[PartyLine, ...], previous: tuple[PartyLine, ...]) -> list[Beside]:
    before = {line.key: line for line in previous}
    rows = [
        Beside(
            line,
            before.pop(line.key, _zeros(line)),
        )
        for line in current
    ]
    rows += [Beside(_zeros(line), line) for line in before.values()]
    return rows


def _zeros(line: PartyLine) -> PartyLine:
    return replace(
        line,
        pieces=0,
        scrap=ZERO,
        adjustments=ZERO,
        extra_batches=0,
        extra_fees=ZERO,
        counter_pieces=0,
        counter_amount=ZERO,
    )


# ---------------------------------------------------------------------------------------
# Drill-down: from a total to its pieces


def party_pieces(month: Month, blame: Blame, party_id: int | None) -> Select:
    """The scrapped pieces behind one line, oldest first (a query to paginate or export)."""
    query = (
        select(Piece)
        .where(Piece.scrap_month == month.key, Piece.blame == blame)
        .options(
            joinedload(Piece.product), joinedload(Piece.graded_by), joinedload(Piece.defect), joinedload(Piece.store)
        )
        .order_by(Piece.id)
    )
    if blame == Blame.SUPPLIER:
        query = query.where(Piece.blamed_supplier_id == party_id)
    elif blame == Blame.STORE:
        query = query.where(Piece.store_id == party_id)
    return query


COUNTER_LIST_LIMIT = 200


def party_returns(
    month: Month, supplier_id: int | None, limit: int | None = COUNTER_LIST_LIMIT
) -> list[CustomerReturn]:
    """A supplier's refunds and exchanges at the counter in a month, oldest first (a page shows
    the first ``limit``; a claim statement lists them all)."""
    if supplier_id is None:
        return []
    return list(
        db.session.scalars(
            select(CustomerReturn)
            .where(
                CustomerReturn.month == month.key,
                CustomerReturn.supplier_id == supplier_id,
                CustomerReturn.supplier_caused.is_(True),
            )
            .options(
                joinedload(CustomerReturn.piece).joinedload(Piece.product),
                joinedload(CustomerReturn.piece).joinedload(Piece.store),
                joinedload(CustomerReturn.piece).joinedload(Piece.defect),
                joinedload(CustomerReturn.decided_by),
            )
            .order_by(CustomerReturn.id)
            .limit(limit)
        )
    )


def party_piece_rows(month: Month, blame: Blame, party_id: int | None) -> Select:
    """The same pieces as plain rows with the names an export prints (no ORM objects to build)."""
    query = (
        select(
            Piece.id,
            Store.name.label("store_name"),
            Product.style_code,
            Product.name.label("product_name"),
            DefectCode.code.label("defect_code"),
            DefectCode.name_zh.label("defect_name"),
            Piece.scrap_cost,
            Piece.blame_overridden,
            User.display_name.label("graded_by"),
            Piece.graded_at,
            Piece.blame_reason_id,
            Piece.blame_reason_params,
            Piece.blame_reason,
        )
        .join(Store, Store.id == Piece.store_id)
        .join(Product, Product.id == Piece.product_id)
        .join(DefectCode, DefectCode.id == Piece.defect_id)
        .outerjoin(User, User.id == Piece.graded_by_id)
        .where(Piece.scrap_month == month.key, Piece.blame == blame)
        .order_by(Piece.id)
    )
    if blame == Blame.SUPPLIER:
        query = query.where(Piece.blamed_supplier_id == party_id)
    elif blame == Blame.STORE:
        query = query.where(Piece.store_id == party_id)
    return query


def party_adjustments(month: Month, blame: Blame, party_id: int | None) -> list[Adjustment]:
    query = (
        select(Adjustment)
        .where(Adjustment.month == month.key, Adjustment.blame == blame)
        .options(selectinload(Adjustment.created_by))
        .order_by(Adjustment.id)
    )
    if blame == Blame.SUPPLIER:
        query = query.where(Adjustment.supplier_id == party_id)
    elif blame == Blame.STORE:
        query = query.where(Adjustment.store_id == party_id)
    return list(db.session.scalars(query))


def extra_batches(month: Month, store_id: int) -> list[Batch]:
    return list(
        db.session.scalars(
            select(Batch)
            .where(
                Batch.charge_month == month.key,
                Batch.extra.is_(True),
                Batch.store_id == store_id,
                Batch.direction == Direction.OUTBOUND,
            )
            .order_by(Batch.id)
        )
    )


def party_name(blame: Blame, party_id: int | None) -> str | None:
    """The party's name, or None when there is no such party."""
    if blame == Blame.HQ:
        return ""
    model = Supplier if blame == Blame.SUPPLIER else Store
    return db.session.scalar(select(model.name).where(model.id == party_id)) if party_id else None


# ---------------------------------------------------------------------------------------
# The last twelve months, for the chart


def months_back(last: Month, count: int) -> list[Month]:
    months = [last]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


def scrap_by_month(last: Month, count: int = 12) -> list[tuple[Month, dict[Blame, Decimal]]]:
    """Scrap cost per blame for each month; closed months come from the frozen figures."""
    months = months_back(last, count)
    found_closings = closings(months[0], last)
    open_keys = [m.key for m in months if m.key not in found_closings]
    found: dict[tuple[int, Blame], Decimal] = {}
    if open_keys:
        rows = db.session.execute(
            select(Piece.scrap_month, Piece.blame, sum_cents(Piece.scrap_cost))
            .where(Piece.scrap_month.in_(open_keys))
            .group_by(Piece.scrap_month, Piece.blame)
        ).all()
        found = {(m, Blame(b)): from_cents(c) for m, b, c in rows}
    series = []
    for m in months:
        if m.key in found_closings:
            figures = allocation(m)
            series.append(
                (
                    m,
                    {
                        Blame.SUPPLIER: figures.sum_of(figures.suppliers, "scrap"),
                        Blame.STORE: figures.sum_of(figures.stores, "scrap"),
                        Blame.HQ: figures.hq.scrap,
                    },
                )
            )
        else:
            series.append((m, {b: found.get((m.key, b), ZERO) for b in Blame}))
    return series
