"""Amounts as printed on paper: yuan, two places, thousands separators."""

from __future__ import annotations

from decimal import Decimal

# Totals are summed from these rounded values, so a printed total always equals the sum of
# the printed lines even if an amount arrives with more than two places.
from workshop.money import money as to_cents

__all__ = ["format_money", "to_cents"]


def format_money(amount: Decimal) -> str:
    cents = to_cents(amount)
    sign = "-" if cents < 0 else ""
    return f"{sign}¥{abs(cents):,.2f}"
