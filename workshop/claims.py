"""A supplier claim's number and the date it is due (rule 5): what the supplier quotes when it
pays, and the day it must have paid by."""

from datetime import date, timedelta
from enum import StrEnum

from workshop.money import Month
from workshop.text import N_

CLAIM_PREFIX = "SC"
DEFAULT_DUE_DAYS = 30


def claim_number(month: Month, sequence: int) -> str:
    """``SC-202610-0007``: the seventh claim of October 2026 — read aloud on the phone, typed
    on a bank transfer, sorted by month."""
    if sequence < 1:
        raise ValueError(f"a claim's sequence starts at 1, not {sequence}")
    return f"{CLAIM_PREFIX}-{month.key}-{sequence:04d}"


class DueFrom(StrEnum):
    """What a claim's payment period counts from."""

    SENT = "sent"
    OPENED = "opened"

    @property
    def label(self) -> str:
        return {
            DueFrom.SENT: N_("the day the claim is sent to the supplier"),
            DueFrom.OPENED: N_("the day the claim is opened"),
        }[self]


def due_on(days: int, counted_from: DueFrom, *, opened_on: date, sent_on: date | None) -> date | None:
    """The day the supplier must pay by; None while it counts from a sending that has not happened."""
    if days < 0:
        raise ValueError(f"a payment period is not negative: {days}")
    start = opened_on if counted_from == DueFrom.OPENED else sent_on
    return start + timedelta(days=days) if start is not None else None
