"""Amounts as printed on paper: yuan, two places, thousands separators."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> Decimal:
    # Totals are summed from these rounded values, so a printed total always equals the
    # sum of the printed lines even if an amount arrives with more than two places.
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    cents = to_cents(amount)
    sign = "-" if cents < 0 else ""
    return f"{sign}¥{abs(cents):,.2f}"
