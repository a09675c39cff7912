"""The quality pages' figures, read from the monthly summary (never from the pieces table):
each part of a page is one GROUP BY over a few hundred to a few tens of thousands of rows,
whatever the number of pieces.

Who sees what: finance, the workshop and the administrator see the whole chain (and may
narrow it to one region); a region manager sees the stores of their region only; a store
sees none of it.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, func, select

from app.extensions import db
from app.models import DefectCode, Product, QualityFigure, Region, Store, Supplier, User
from app.services.finance.sums import from_cents
from workshop.errors import NotFound, NotPermitted
from workshop.money import Month
from workshop.quality import CHAIN, MEASURES, Figures, Period, Slice, permille
from workshop.roles import Role
from workshop.text import N_

CHAIN_WIDE = frozenset({Role.FINANCE, Role.TECHNICIAN, Role.ADMIN})
Q = QualityFigure


@dataclass(frozen=True)
class Scope:
    """Where the figures come from: the chain (region 0) or one region."""

    region_id: int = CHAIN
    region_name: str = ""

    @property
    def chain(self) -> bool:
        return self.region_id == CHAIN


def scope_for(user: User, region_id: int | None = None) -> Scope:
    """The chain or one region, as this user may see it (a region manager: their own only)."""
    if user.role == Role.REGION:
        if user.region_id is None:
            raise NotPermitted(N_("Your account has no region."))
        if region_id is not None and region_id != user.region_id:
            raise NotFound()
        region_id = user.region_id
    elif user.role not in CHAIN_WIDE:
        raise NotPermitted(N_("Supplier quality is for finance, the workshop and region managers."))
    if region_id is None or region_id == CHAIN:
        return Scope()
    name = db.session.scalar(select(Region.name).where(Region.id == region_id))
    if name is None:
        raise NotFound()
    return Scope(region_id, name)


@dataclass(frozen=True)
class Line:
    """Figures of one thing (a supplier, a defect, a month…), ready to show."""

    key: int
    figures: Figures
    code: str = ""
    name: str = ""

    @property
    def pieces(self) -> int:
        return self.figures.pieces

    @property
    def cost(self) -> Decimal:
        return from_cents(self.figures.scrap_cents)

    @property
    def supplier_cost(self) -> Decimal:
        return from_cents(self.figures.supplier_cents)

    @property
    def scrap_share(self) -> int:
        return permille(self.figures.scrapped, self.figures.pieces)

    @property
    def repair_share(self) -> int:
        return permille(self.figures.repairable, self.figures.pieces)

    @property
    def no_fault_share(self) -> int:
        return permille(self.figures.no_fault, self.figures.pieces)

    @property
    def repeat_share(self) -> int:
        return permille(self.figures.repeats, self.figures.pieces)

    @property
    def average_days(self) -> Decimal | None:
        f = self.figures
        if not f.days_count:
            return None
        return (Decimal(f.days_total) / f.days_count).quantize(Decimal("0.1"))


def _sums():
    return [func.coalesce(func.sum(getattr(Q, m)), 0).label(m) for m in MEASURES]


def _figures(row) -> Figures:
    return Figures(*(int(getattr(row, m)) for m in MEASURES))


def _where(query: Select, part: Slice, scope: Scope, period: Period) -> Select:
    query = query.where(Q.slice == part, Q.month.between(period.first.key, period.last.key))
    if part == Slice.STORE and scope.chain:
        return query  # store rows are kept per region only: the chain is all of them
    return query.where(Q.region_id == scope.region_id)


def total(scope: Scope, period: Period, supplier_id: int | None = None) -> Line:
    if supplier_id is None:
        query = _where(select(*_sums()), Slice.TOTAL, scope, period)
    else:
        query = _where(select(*_sums()), Slice.SUPPLIER, scope, period).where(Q.a == supplier_id)
    return Line(0, _figures(db.session.execute(query).one()))


def by_month(scope: Scope, period: Period, supplier_id: int | None = None) -> dict[int, Line]:
    part = Slice.TOTAL if supplier_id is None else Slice.SUPPLIER
    query = _where(select(Q.month, *_sums()), part, scope, period).group_by(Q.month)
    if supplier_id is not None:
        query = query.where(Q.a == supplier_id)
    return {row.month: Line(row.month, _figures(row)) for row in db.session.execute(query)}


def _ranked(rows, names: dict[int, tuple[str, str]]) -> list[Line]:
    lines = [Line(key, figures, *names.get(key, ("", ""))) for key, figures in rows]
    return sorted(lines, key=lambda ln: (-ln.figures.scrap_cents, -ln.figures.pieces, ln.code))


def _grouped(query: Select, column) -> list[tuple[int, Figures]]:
    return [(row[0], _figures(row)) for row in db.session.execute(query.group_by(column))]


def by_supplier(scope: Scope, period: Period) -> list[Line]:
    rows = _grouped(_where(select(Q.a, *_sums()), Slice.SUPPLIER, scope, period), Q.a)
    return _ranked(rows, _names(Supplier, [k for k, _ in rows]))


def by_defect(scope: Scope, period: Period, supplier_id: int | None = None, *, english: bool = False) -> list[Line]:
    if supplier_id is None:
        rows = _grouped(_where(select(Q.a, *_sums()), Slice.DEFECT, scope, period), Q.a)
    else:
        query = _where(select(Q.b, *_sums()), Slice.SUPPLIER_DEFECT, scope, period).where(Q.a == supplier_id)
        rows = _grouped(query, Q.b)
    return _ranked(rows, defect_names([k for k, _ in rows], english))


@dataclass(frozen=True)
class Products:
    top: list[Line]  # the products that cost the most
    categories: list[Line]  # every category


def by_product(scope: Scope, period: Period, supplier_id: int | None = None, limit: int = 50) -> Products:
    """The products that cost the most (at most ``limit``) and every category, from the
    summary's (supplier, product) rows: two GROUP BYs that return only what is shown."""
    cost = func.sum(Q.scrap_cents)
    query = _where(select(Q.b, *_sums()), Slice.PRODUCT, scope, period)
    by_category = _where(select(Product.category, *_sums()), Slice.PRODUCT, scope, period).join(
        Product, Product.id == Q.b
    )
    if supplier_id is not None:
        query = query.where(Q.a == supplier_id)
        by_category = by_category.where(Q.a == supplier_id)
    query = query.group_by(Q.b).order_by(cost.desc(), func.sum(Q.pieces).desc(), Q.b).limit(limit)
    rows = [(row[0], _figures(row)) for row in db.session.execute(query)]
    names = {
        r.id: (r.style_code, r.name)
        for r in db.session.execute(
            select(Product.id, Product.style_code, Product.name).where(Product.id.in_([k for k, _ in rows]))
        )
    }
    categories = [
        Line(i, _figures(row), "", row[0])
        for i, row in enumerate(db.session.execute(by_category.group_by(Product.category)))
    ]
    categories.sort(key=lambda ln: (-ln.figures.scrap_cents, -ln.figures.pieces, ln.name))
    return Products(_ranked(rows, names), categories)


def by_region(period: Period, supplier_id: int | None = None) -> list[Line]:
    part = Slice.TOTAL if supplier_id is None else Slice.SUPPLIER
    query = select(Q.region_id, *_sums()).where(
        Q.slice == part, Q.month.between(period.first.key, period.last.key), Q.region_id != CHAIN
    )
    if supplier_id is not None:
        query = query.where(Q.a == supplier_id)
    rows = _grouped(query, Q.region_id)
    return _ranked(rows, _names(Region, [k for k, _ in rows]))


def by_store(scope: Scope, period: Period, limit: int = 50) -> list[Line]:
    """The stores with the most defective pieces (at most ``limit``)."""
    count = func.sum(Q.pieces)
    query = (
        _where(select(Q.a, *_sums()), Slice.STORE, scope, period)
        .group_by(Q.a)
        .order_by(func.sum(Q.scrap_cents).desc(), count.desc(), Q.a)
        .limit(limit)
    )
    rows = [(row[0], _figures(row)) for row in db.session.execute(query)]
    return _ranked(rows, _names(Store, [k for k, _ in rows]))


@dataclass(frozen=True)
class Grid:
    """Suppliers down, defects across: defective pieces (and cost) in each cell."""

    suppliers: list[Line]
    defects: list[Line]
    cells: dict[tuple[int, int], Figures]

    def cell(self, supplier_id: int, defect_id: int) -> Figures:
        return self.cells.get((supplier_id, defect_id), Figures())

    @property
    def top(self) -> int:
        return max((f.pieces for f in self.cells.values()), default=0)


def grid(scope: Scope, period: Period, suppliers: list[Line], defects: list[Line]) -> Grid:
    supplier_ids, defect_ids = [s.key for s in suppliers], [d.key for d in defects]
    cells: dict[tuple[int, int], Figures] = {}
    if supplier_ids and defect_ids:
        query = (
            _where(select(Q.a, Q.b, *_sums()), Slice.SUPPLIER_DEFECT, scope, period)
            .where(Q.a.in_(supplier_ids), Q.b.in_(defect_ids))
            .group_by(Q.a, Q.b)
        )
        cells = {(row[0], row[1]): _figures(row) for row in db.session.execute(query)}
    return Grid(suppliers, defects, cells)


def _names(model, ids: list[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    return {
        r.id: (r.code, r.name)
        for r in db.session.execute(select(model.id, model.code, model.name).where(model.id.in_(ids)))
    }


def defect_names(ids: list[int], english: bool) -> dict[int, tuple[str, str]]:
    """Defects by id: (code, name in the reader's language)."""
    if not ids:
        return {}
    return {
        r.id: (r.code, r.name_en if english else r.name_zh)
        for r in db.session.execute(
            select(DefectCode.id, DefectCode.code, DefectCode.name_zh, DefectCode.name_en).where(DefectCode.id.in_(ids))
        )
    }


@dataclass(frozen=True)
class Trend:
    """Month by month: this period, the period before, and the same months a year before."""

    months: list[Month]
    current: list[Line]
    previous: list[Line]
    year_before: list[Line]
    current_total: Line
    previous_total: Line
    year_before_total: Line


def trend(scope: Scope, period: Period, supplier_id: int | None = None) -> Trend:
    """One query over the three periods' months."""
    before, year_ago = period.previous(), period.year_before()
    first = min(before.first, year_ago.first)
    found = by_month(scope, Period(first, period.last), supplier_id)

    def lines(p: Period) -> list[Line]:
        return [found.get(m.key, Line(m.key, Figures())) for m in p.months]

    def added(ls: list[Line]) -> Line:
        figures = Figures()
        for line in ls:
            figures = figures + line.figures
        return Line(0, figures)

    current, previous, year_before = lines(period), lines(before), lines(year_ago)
    return Trend(period.months, current, previous, year_before, added(current), added(previous), added(year_before))
