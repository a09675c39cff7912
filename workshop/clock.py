"""Rule 1 — fifteen days from the store's dispatch to the piece being back at its store.

Days are counted in the chain's own time zone, never in the server's: a batch dispatched
at 23:30 in Shanghai on the 1st is dispatched on the 1st, whatever UTC says.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from workshop.text import N_

DEFAULT_LIMIT_DAYS = 15
DEFAULT_AT_RISK_DAYS = 3
ON_TIME_TARGET = 0.90


def local_date(at: datetime, tz: ZoneInfo) -> date:
    if at.tzinfo is None:
        raise ValueError("a point in time must carry its time zone")
    return at.astimezone(tz).date()


def due_date(dispatched_at: datetime, tz: ZoneInfo, limit_days: int = DEFAULT_LIMIT_DAYS) -> date:
    return local_date(dispatched_at, tz) + timedelta(days=limit_days)


def days_left(due: date, today: date) -> int:
    return (due - today).days


class ClockState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    BACK_ON_TIME = "back_on_time"
    BACK_LATE = "back_late"

    @property
    def label(self) -> str:
        return {
            ClockState.ON_TRACK: N_("on track"),
            ClockState.AT_RISK: N_("at risk"),
            ClockState.OVERDUE: N_("overdue"),
            ClockState.BACK_ON_TIME: N_("back on time"),
            ClockState.BACK_LATE: N_("back late"),
        }[self]


RUNNING_STATES = (ClockState.OVERDUE, ClockState.AT_RISK, ClockState.ON_TRACK)


@dataclass(frozen=True)
class DueWindow:
    """The due dates of running clocks in one state, today: ``first <= due <= last`` (None: open-ended)."""

    first: date | None
    last: date | None

    def __contains__(self, due: date) -> bool:
        return (self.first is None or due >= self.first) and (self.last is None or due <= self.last)


def due_window(state: ClockState, today: date, at_risk_days: int = DEFAULT_AT_RISK_DAYS) -> DueWindow:
    """Rule 1 in one place: overdue once the due date has passed, at risk within the last
    ``at_risk_days`` days (the due date itself included), on track before that. Queries
    filter by this window; :func:`clock_state` reads one piece by the same window."""
    if state == ClockState.OVERDUE:
        return DueWindow(None, today - timedelta(days=1))
    if state == ClockState.AT_RISK:
        return DueWindow(today, today + timedelta(days=at_risk_days))
    if state == ClockState.ON_TRACK:
        return DueWindow(today + timedelta(days=at_risk_days + 1), None)
    raise ValueError(f"{state} is not the state of a running clock")


def clock_state(
    due: date, today: date, at_risk_days: int = DEFAULT_AT_RISK_DAYS, back_on: date | None = None
) -> ClockState:
    if back_on is not None:
        return ClockState.BACK_ON_TIME if back_on <= due else ClockState.BACK_LATE
    return next(state for state in RUNNING_STATES if due in due_window(state, today, at_risk_days))


@dataclass(frozen=True)
class OnTimeRate:
    on_time: int
    total: int
    target: float = ON_TIME_TARGET

    @property
    def rate(self) -> float | None:
        return self.on_time / self.total if self.total else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.target


def on_time_rate(trips: list[tuple[date, date]], target: float = ON_TIME_TARGET) -> OnTimeRate:
    """Share of (due, back_on) trips that came back by their due date."""
    return OnTimeRate(sum(1 for due, back in trips if back <= due), len(trips), target)


@dataclass(frozen=True)
class ClockReading:
    """What a piece's clock shows: its due date, the days left while it runs, its state."""

    due: date
    left: int | None  # None once the clock has stopped (back at the store, or scrapped)
    state: ClockState


def read_clock(
    due: date, today: date, running: bool, at_risk_days: int = DEFAULT_AT_RISK_DAYS, back_on: date | None = None
) -> ClockReading:
    return ClockReading(due, days_left(due, today) if running else None, clock_state(due, today, at_risk_days, back_on))
