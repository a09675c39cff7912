"""Corrections of a closed month: an adjustment booked in the open month, with a reason,
for a supplier, a store or head office, in the piece's history when it names one."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app import clock
from app.extensions import db
from app.models import Adjustment, Event, Piece, Store, Supplier, User
from app.services.finance.months import closed_months, current_month
from app.services.finance.sums import ZERO
from app.services.settings import Rules
from workshop.errors import RuleViolation
from workshop.money import ensure_open, money
from workshop.statuses import Blame
from workshop.text import N_
from workshop.transitions import EventAction

MAX_ADJUSTMENT = Decimal("1000000.00")


@dataclass(frozen=True)
class AdjustmentEntry:
    blame: Blame
    amount: Decimal
    reason: str
    piece: Piece | None = None
    supplier_id: int | None = None
    store_id: int | None = None


def book_adjustment(actor: User, entry: AdjustmentEntry, rules: Rules, *, at: datetime | None = None) -> Adjustment:
    """A correction lands in the month it is booked in (open), never in the closed one."""
    at = at or clock.now()
    amount = money(entry.amount)
    if amount == ZERO or abs(amount) >= MAX_ADJUSTMENT:
        raise RuleViolation(N_("An adjustment is a non-zero amount below ¥1,000,000 (negative to credit)."))
    if not entry.reason.strip():
        raise RuleViolation(N_("Write why this adjustment is made."))
    supplier_id, store_id = entry.supplier_id, entry.store_id
    if entry.piece is not None:
        if entry.blame == Blame.SUPPLIER and supplier_id is None:
            supplier_id = entry.piece.blamed_supplier_id or entry.piece.product.supplier_id
        if entry.blame == Blame.STORE and store_id is None:
            store_id = entry.piece.store_id
    if entry.blame == Blame.SUPPLIER:
        store_id = None
        if supplier_id is None or db.session.get(Supplier, supplier_id) is None:
            raise RuleViolation(N_("Choose the supplier who bears this adjustment."))
    elif entry.blame == Blame.STORE:
        supplier_id = None
        if store_id is None or db.session.get(Store, store_id) is None:
            raise RuleViolation(N_("Choose the store that bears this adjustment."))
    else:
        supplier_id = store_id = None
    month = current_month(rules, at)
    ensure_open(month, closed_months())
    adjustment = Adjustment(
        month=month.key,
        piece_id=entry.piece.id if entry.piece is not None else None,
        blame=entry.blame,
        supplier_id=supplier_id,
        store_id=store_id,
        amount=amount,
        reason=entry.reason.strip(),
        created_at=at,
        created_by=actor,
    )
    db.session.add(adjustment)
    db.session.flush()
    db.session.add(
        Event(
            at=at,
            actor=actor,
            piece_id=adjustment.piece_id,
            month=month.key,
            action=EventAction.ADJUSTMENT,
            reason=adjustment.reason,
            data={
                "adjustment": adjustment.id,
                "amount": str(amount),
                "blame": entry.blame.value,
                "supplier_id": supplier_id,
                "store_id": store_id,
                "month": str(month),
            },
        )
    )
    return adjustment
