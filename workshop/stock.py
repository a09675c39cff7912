"""Spare parts in stock: the ledger's kinds of movement and the rules that keep the shelf and
the books equal (账物一致) — never below zero, a moving-average cost, reorder points,
requisitions above a limit, and what a repair costs.

Quantities are whole units; costs are ``Decimal``. The average cost is kept to four places
(a button costs less than a cent's worth of rounding); every amount a person reads is rounded
once, on its line, with :func:`workshop.money.money`.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from workshop.errors import RuleViolation
from workshop.money import money
from workshop.text import N_

COST_PLACES = Decimal("0.0001")
ZERO_COST = Decimal("0.0000")
MAX_QUANTITY = 100_000


class MovementKind(StrEnum):
    RECEIVE = "receive"  # into stock with a receipt (接收单)
    ISSUE = "issue"  # to a repair (领料)
    RETURN = "return"  # issued but not used, back on the shelf
    TRANSFER_OUT = "transfer_out"  # sent to a store that repairs locally
    TRANSFER_IN = "transfer_in"
    WRITE_OFF = "write_off"  # damaged, lost, scrapped
    COUNT = "count"  # a stocktake's approved difference

    @property
    def label(self) -> str:
        return MOVEMENT_LABELS[self]


MOVEMENT_LABELS = {
    MovementKind.RECEIVE: N_("received"),
    MovementKind.ISSUE: N_("issued to a repair"),
    MovementKind.RETURN: N_("returned unused"),
    MovementKind.TRANSFER_OUT: N_("sent to a store"),
    MovementKind.TRANSFER_IN: N_("received from the workshop"),
    MovementKind.WRITE_OFF: N_("written off"),
    MovementKind.COUNT: N_("stocktake difference"),
}

# Movements that take units off the shelf (their quantity is stored negative).
OUTGOING = frozenset({MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.WRITE_OFF})


class OldPartAction(StrEnum):
    """What becomes of a replaced part kept from a repair (每月处理旧件)."""

    RETURNED = "returned"  # sent back to the supplier with the claim
    SCRAPPED = "scrapped"

    @property
    def label(self) -> str:
        return {OldPartAction.RETURNED: N_("returned to the supplier"), OldPartAction.SCRAPPED: N_("scrapped")}[self]


class NotEnoughStock(RuleViolation):
    """More is asked of the shelf than is on it: the sentence says what is there."""

    code = "not_enough_stock"

    def __init__(self, part: str, on_hand: int, wanted: int) -> None:
        super().__init__(
            N_("Only %(on_hand)d of %(part)s in stock: %(wanted)d cannot be taken. Receive more first."),
            part=part,
            on_hand=on_hand,
            wanted=wanted,
        )
        self.on_hand = on_hand


def check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise RuleViolation(N_("A quantity is a whole number from 1 to %(most)d."), most=MAX_QUANTITY)


def check_unit_price(price: Decimal) -> None:
    if price < 0 or price > Decimal("1000000"):
        raise RuleViolation(N_("A unit price is from 0 to 1,000,000."))


def cost(value: Decimal) -> Decimal:
    return value.quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def moving_average(on_hand: int, average: Decimal, quantity: int, unit_price: Decimal) -> Decimal:
    """The average cost after receiving ``quantity`` at ``unit_price`` onto ``on_hand`` at ``average``."""
    if on_hand < 0 or quantity <= 0:
        raise ValueError("a receipt adds at least one unit to a shelf that is not below zero")
    return cost((on_hand * average + quantity * unit_price) / (on_hand + quantity))


def take(part: str, on_hand: int, wanted: int) -> int:
    """What is left after taking ``wanted``; refused, with what is there, when it is not there."""
    check_quantity(wanted)
    if wanted > on_hand:
        raise NotEnoughStock(part, on_hand, wanted)
    return on_hand - wanted


def line_value(quantity: int, unit_cost: Decimal) -> Decimal:
    return money(quantity * unit_cost)


def crossed_reorder_point(before: int, after: int, reorder_point: int) -> bool:
    """True when this movement takes the shelf down to its reorder point or below it
    (once per crossing: a shelf already below says nothing new)."""
    return reorder_point > 0 and before > reorder_point >= after


def to_order(on_hand: int, reorder_point: int, reorder_quantity: int) -> int:
    """How many to order for a shelf at or below its reorder point (0 otherwise): the reorder
    quantity, or enough to come back above the point when none is set."""
    if reorder_point <= 0 or on_hand > reorder_point:
        return 0
    return max(reorder_quantity, reorder_point - on_hand + 1)


@dataclass(frozen=True)
class RequisitionLimits:
    """Above either limit an issue needs a requisition (领料单) the lead approved first."""

    quantity: int = 5
    value: Decimal = Decimal("200.00")


def needs_requisition(quantity: int, value: Decimal, limits: RequisitionLimits) -> bool:
    return quantity > limits.quantity or value > limits.value


@dataclass(frozen=True)
class RepairCost:
    parts: Decimal
    labour: Decimal

    @property
    def total(self) -> Decimal:
        return self.parts + self.labour


def repair_cost(part_values: list[Decimal], minutes: int, hourly_rate: Decimal) -> RepairCost:
    """Parts at what they cost when issued plus the minutes at the labour rate, each rounded once."""
    parts = sum((money(v) for v in part_values), Decimal("0.00"))
    return RepairCost(parts=parts, labour=money(Decimal(minutes) * hourly_rate / 60))


def variance(book: int, counted: int) -> int:
    """A stocktake line's difference: positive when the shelf holds more than the books."""
    if counted < 0:
        raise RuleViolation(N_("A count is a whole number, 0 or more."))
    return counted - book
