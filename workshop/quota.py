"""Rule 2 — one outbound batch per store per ISO week; beyond the quota a batch is *extra*.

ISO week-years: 31 December can belong to week 1 of the next year, and 1 January to week
52 or 53 of the previous one.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from workshop.clock import local_date

DEFAULT_WEEKLY_QUOTA = 1


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @classmethod
    def of(cls, day: date) -> "IsoWeek":
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def at(cls, moment: datetime, tz: ZoneInfo) -> "IsoWeek":
        return cls.of(local_date(moment, tz))

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def key(self) -> int:
        """A sortable integer for storage and indexing: 202648."""
        return self.year * 100 + self.week

    @classmethod
    def from_key(cls, key: int) -> "IsoWeek":
        return cls(key // 100, key % 100)


def is_extra(dispatched_this_week: int, quota: int = DEFAULT_WEEKLY_QUOTA) -> bool:
    """Whether one more batch dispatched this week goes beyond the store's quota."""
    return dispatched_this_week >= quota
