"""Rule 5 — money and months.

Money is ``Decimal`` with two places, rounded half-up (the way people round in China and
in a spreadsheet), once, on each line; a total is the exact sum of its lines as shown.
A month is the chain's calendar month (in its own time zone) of the moment a piece was
scrapped; a closed month's figures never change.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from workshop.clock import local_date
from workshop.errors import MonthClosed

CENT = Decimal("0.01")


def money(value: object) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(str(value) if not isinstance(value, Decimal) else value).quantize(CENT, rounding=ROUND_HALF_UP)


def total(amounts: Iterable[Decimal]) -> Decimal:
    return sum((money(a) for a in amounts), Decimal("0.00"))


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"no month {self.month}")

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def key(self) -> int:
        return self.year * 100 + self.month

    @classmethod
    def from_key(cls, key: int) -> "Month":
        return cls(key // 100, key % 100)

    @classmethod
    def parse(cls, text: str) -> "Month":
        year, month = text.strip().split("-")
        return cls(int(year), int(month))

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @classmethod
    def at(cls, moment: datetime, tz: ZoneInfo) -> "Month":
        return cls.of(local_date(moment, tz))

    def previous(self) -> "Month":
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> "Month":
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


def ensure_open(month: Month, closed: set[int] | frozenset[int]) -> None:
    """Refuse anything that would change a closed month's figures."""
    if month.key in closed:
        raise MonthClosed(str(month))
