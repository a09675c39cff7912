"""What repairs cost, for finance: each repair's parts (at their average cost when issued) and
labour (minutes at the rate of the day), summed by month and by supplier, store or product.

Repairs of a quality defect — a manufacturing fault the supplier answers for (三包) — are
shown as claimable from the supplier."""

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Literal

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import DefectCode, Piece, Product, Repair, Store, Supplier
from app.services.finance.sums import from_cents, sum_cents
from app.services.settings import Rules
from workshop.money import Month
from workshop.statuses import DefectKind

Grouping = Literal["supplier", "store", "product"]
GROUPINGS: tuple[Grouping, ...] = ("supplier", "store", "product")
PAGE_SIZE = 50


def month_bounds(month: Month, rules: Rules) -> tuple[datetime, datetime]:
    start = datetime.combine(month.first_day, time(), rules.tz)
    return start, datetime.combine(month.next().first_day, time(), rules.tz)


@dataclass(frozen=True)
class CostLine:
    key: int
    name: str
    repairs: int
    parts: Decimal
    labour: Decimal
    claimable: Decimal  # parts + labour of repairs of quality defects

    @property
    def total(self) -> Decimal:
        return self.parts + self.labour


@dataclass(frozen=True)
class CostPage:
    lines: list[CostLine]
    totals: CostLine
    page: int
    has_next: bool


def _columns():
    quality = DefectCode.kind == DefectKind.QUALITY
    both = func.coalesce(Repair.parts_cost, 0) + func.coalesce(Repair.labour_cost, 0)
    return (
        func.count(Repair.id),
        sum_cents(func.coalesce(Repair.parts_cost, 0)),
        sum_cents(func.coalesce(Repair.labour_cost, 0)),
        sum_cents(case((quality, both), else_=0)),
    )


def _base(month: Month, rules: Rules):
    start, end = month_bounds(month, rules)
    return (
        select(*_columns())
        .select_from(Repair)
        .join(Piece, Piece.id == Repair.piece_id)
        .join(Product, Product.id == Piece.product_id)
        .join(DefectCode, DefectCode.id == Repair.defect_id)
        .where(Repair.repaired_at >= start, Repair.repaired_at < end)
    )


def _line(key: int, name: str, row) -> CostLine:
    count, parts, labour, claimable = row
    return CostLine(key, name, int(count or 0), from_cents(parts), from_cents(labour), from_cents(claimable))


def costs(month: Month, rules: Rules, by: Grouping, page: int = 1) -> CostPage:
    """One page of the month's repair costs by supplier, store or product, the dearest first."""
    key, name = {
        "supplier": (Product.supplier_id, Supplier.name),
        "store": (Piece.store_id, Store.name),
        "product": (Piece.product_id, Product.style_code + " " + Product.name),
    }[by]
    named = {"supplier": (Supplier, Supplier.id == Product.supplier_id), "store": (Store, Store.id == Piece.store_id)}
    query = _base(month, rules).add_columns(key, name)
    if by in named:
        query = query.join(*named[by])
    query = query.group_by(key, name)
    total_column = _columns()[1] + _columns()[2]
    found = db.session.execute(
        query.order_by(total_column.desc(), key).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    lines = [_line(row[4], row[5], row[:4]) for row in found[:PAGE_SIZE]]
    totals = _line(0, "", db.session.execute(_base(month, rules)).one())
    return CostPage(lines, totals, page, len(found) > PAGE_SIZE)
