"""Closing and reopening a month (rule 5): finance closes a month that has ended, only an
administrator reopens it, each through the transition table with its history event."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import AccountingMonth, Event, User
from app.services import history
from app.services.settings import Rules
from workshop.errors import RuleViolation
from workshop.money import Month
from workshop.text import N_
from workshop.transitions import MonthAction


def closed_months() -> frozenset[int]:
    return frozenset(db.session.scalars(select(AccountingMonth.month).where(AccountingMonth.closed.is_(True))))


def is_closed(month: Month) -> bool:
    return db.session.scalar(select(AccountingMonth.closed).where(AccountingMonth.month == month.key)) is True


def current_month(rules: Rules, at: datetime | None = None) -> Month:
    return Month.at(at or clock.now(), rules.tz)


def closings(first: Month, last: Month) -> dict[int, datetime]:
    """When each closed month between these two was closed."""
    return dict(
        db.session.execute(
            select(AccountingMonth.month, AccountingMonth.closed_at).where(
                AccountingMonth.month.between(first.key, last.key), AccountingMonth.closed.is_(True)
            )
        ).all()
    )


def close_month(actor: User, month: Month, rules: Rules, *, at: datetime | None = None) -> AccountingMonth:
    """Freeze a month that has ended; the guard (month_guard) refuses every change after."""
    from app.services.finance.allocation import allocation

    at = at or clock.now()
    if month >= current_month(rules, at):
        raise RuleViolation(
            N_("%(month)s has not ended yet: a month can be closed only after its last day."), month=str(month)
        )
    record = db.session.get(AccountingMonth, month.key) or AccountingMonth(month=month.key, closed=False)
    figures = allocation(month)
    history.move_month_status(
        record, MonthAction.CLOSE, actor, at=at, data={"total": str(figures.total), "pieces": figures.pieces}
    )
    record.closed_at = at
    record.closed_by = actor
    db.session.flush()
    return record


def reopen_month(actor: User, month: Month, reason: str, *, at: datetime | None = None) -> AccountingMonth:
    """Only an administrator, with a written reason; the event goes into the same flush."""
    record = db.session.get(AccountingMonth, month.key) or AccountingMonth(month=month.key, closed=False)
    history.move_month_status(record, MonthAction.REOPEN, actor, at=at, reason=reason)
    db.session.flush()
    return record


def month_events(month: Month) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.month == month.key, Event.piece_id.is_(None))
            .options(selectinload(Event.actor))
            .order_by(Event.id)
        )
    )
