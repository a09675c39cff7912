"""Supplier quality (质量反馈): what one graded piece adds to the monthly figures, and the
arithmetic of the pages (Pareto, shares, the comparison periods).

A piece counts once, in the month it was (last) graded, under its product's supplier, its
product, its defect, its store and its store's region. The monthly summary holds the sum of
these contributions; keeping it exact is adding the new contribution and taking away the
old one whenever a piece changes.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from enum import StrEnum

from workshop.money import Month
from workshop.statuses import Blame, Grade

CHAIN = 0  # region_id of the chain-wide rows


class Slice(StrEnum):
    """The cuts of the summary: each one a small table of its own, read by one page part."""

    TOTAL = "total"  # (month)
    SUPPLIER = "supplier"  # (month, supplier)
    DEFECT = "defect"  # (month, defect)
    SUPPLIER_DEFECT = "supplier_defect"  # (month, supplier, defect)
    PRODUCT = "product"  # (month, supplier, product)
    STORE = "store"  # (month, store): regional rows only


@dataclass(frozen=True)
class Facts:
    """What the figures need to know about one graded piece (plain values)."""

    month: int  # Month.key of its grading
    supplier_id: int
    product_id: int
    defect_id: int
    store_id: int
    region_id: int
    grade: Grade
    scrap_cents: int = 0  # its scrap cost, when scrapped
    blame: Blame | None = None
    repeat: bool = False  # it had been repaired on an earlier trip
    workshop_days: int | None = None  # received → left the workshop, once it has left


@dataclass(frozen=True)
class Figures:
    """The measures of one summary row: sums, so that rows add up."""

    pieces: int = 0
    repairable: int = 0
    no_fault: int = 0
    scrapped: int = 0
    scrap_cents: int = 0
    supplier_cents: int = 0  # the part of scrap_cents blamed on the supplier
    repeats: int = 0
    days_total: int = 0
    days_count: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(*(a + b for a, b in zip(self.values, other.values, strict=True)))

    def __neg__(self) -> "Figures":
        return Figures(*(-a for a in self.values))

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in MEASURES)

    def __sub__(self, other: "Figures") -> "Figures":
        return self + (-other)

    @property
    def is_zero(self) -> bool:
        return not any(self.values)

    def as_dict(self) -> dict[str, int]:
        return dict(zip(MEASURES, self.values, strict=True))


MEASURES = tuple(f.name for f in fields(Figures))

# (slice, month, region_id, a, b)
Key = tuple[Slice, int, int, int, int]


def figures_of(facts: Facts) -> Figures:
    scrapped = facts.grade == Grade.SCRAP
    return Figures(
        pieces=1,
        repairable=int(facts.grade == Grade.REPAIRABLE),
        no_fault=int(facts.grade == Grade.NO_FAULT),
        scrapped=int(scrapped),
        scrap_cents=facts.scrap_cents if scrapped else 0,
        supplier_cents=facts.scrap_cents if scrapped and facts.blame == Blame.SUPPLIER else 0,
        repeats=int(facts.repeat),
        days_total=facts.workshop_days or 0,
        days_count=int(facts.workshop_days is not None),
    )


def keys_of(facts: Facts) -> Iterator[Key]:
    """Every summary row one piece counts in: chain-wide and in its region."""
    m, s, d, p = facts.month, facts.supplier_id, facts.defect_id, facts.product_id
    for region in (CHAIN, facts.region_id):
        yield (Slice.TOTAL, m, region, 0, 0)
        yield (Slice.SUPPLIER, m, region, s, 0)
        yield (Slice.DEFECT, m, region, d, 0)
        yield (Slice.SUPPLIER_DEFECT, m, region, s, d)
        yield (Slice.PRODUCT, m, region, s, p)
    yield (Slice.STORE, m, facts.region_id, facts.store_id, 0)


def contributions(facts: Facts | None) -> dict[Key, Figures]:
    if facts is None:
        return {}
    figures = figures_of(facts)
    return {key: figures for key in keys_of(facts)}


def delta(before: Facts | None, after: Facts | None) -> dict[Key, Figures]:
    """What to add to the summary when a piece goes from ``before`` to ``after``."""
    if before == after:
        return {}
    changes: dict[Key, Figures] = {}
    for key, figures in contributions(before).items():
        changes[key] = changes.get(key, Figures()) - figures
    for key, figures in contributions(after).items():
        changes[key] = changes.get(key, Figures()) + figures
    return {key: f for key, f in changes.items() if not f.is_zero}


def add_up(deltas: Iterable[dict[Key, Figures]]) -> dict[Key, Figures]:
    total: dict[Key, Figures] = {}
    for one in deltas:
        for key, figures in one.items():
            total[key] = total.get(key, Figures()) + figures
    return {key: f for key, f in total.items() if not f.is_zero}


# --- Periods ---------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """A run of whole months, first to last inclusive."""

    first: Month
    last: Month

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a period ends after it starts")

    @property
    def months(self) -> list[Month]:
        months, m = [], self.first
        while m <= self.last:
            months.append(m)
            m = m.next()
        return months

    @property
    def length(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def previous(self) -> "Period":
        """The same number of months just before."""
        last = self.first.previous()
        first = last
        for _ in range(self.length - 1):
            first = first.previous()
        return Period(first, last)

    def year_before(self) -> "Period":
        return Period(Month(self.first.year - 1, self.first.month), Month(self.last.year - 1, self.last.month))

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first} – {self.last}"


def quarter(year: int, number: int) -> Period:
    if not 1 <= number <= 4:
        raise ValueError(f"no quarter {number}")
    first = Month(year, 3 * number - 2)
    return Period(first, Month(year, 3 * number))


def quarter_of(month: Month) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


# --- Pareto ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParetoLine:
    key: int
    value: int
    share_permille: int  # of the total, in tenths of a per cent
    cumulative_permille: int


def pareto(values: Iterable[tuple[int, int]]) -> list[ParetoLine]:
    """Biggest first, with each line's share and the running share (in ‰, rounded half-up)."""
    ordered = sorted(((k, v) for k, v in values if v > 0), key=lambda kv: (-kv[1], kv[0]))
    whole = sum(v for _, v in ordered)
    lines, running = [], 0
    for key, value in ordered:
        running += value
        lines.append(ParetoLine(key, value, permille(value, whole), permille(running, whole)))
    return lines


def permille(part: int, whole: int) -> int:
    """part / whole in ‰, rounded half-up; 0 when there is nothing."""
    if whole <= 0:
        return 0
    return (2000 * part + whole) // (2 * whole)


def change_permille(now: int, before: int) -> int | None:
    """The change from ``before`` to ``now`` in ‰ of ``before``; None when before was nothing."""
    if before <= 0:
        return None
    sign = 1 if now >= before else -1
    return sign * permille(abs(now - before), before)
