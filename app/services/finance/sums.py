"""Money sums in the database: whole cents, exact on both databases (a NUMERIC is a float on
SQLite). Each line is shown as computed and a total is the exact sum of the lines shown."""

from decimal import Decimal

from sqlalchemy import func

from workshop.money import CENT

ZERO = Decimal("0.00")


def sum_cents(column):
    """SUM in whole cents: exact on both databases."""
    return func.coalesce(func.sum(func.round(column * 100)), 0)


def from_cents(value) -> Decimal:
    return (Decimal(int(round(value or 0))) / 100).quantize(CENT)
