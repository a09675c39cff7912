"""Supplier claims (二次索赔): a closed month's supplier total, claimed, sent, settled —
each step a move of the claims' transition table with its history event."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import Adjustment, Claim, ClaimDispute, Piece, Supplier, User
from app.services import history, settings
from app.services.finance.allocation import allocation
from app.services.finance.months import is_closed
from app.services.finance.sums import ZERO, from_cents, sum_cents
from workshop.claims import DueFrom, claim_number, due_on
from workshop.errors import AlreadyDone, RuleViolation
from workshop.money import Month, money, total
from workshop.statuses import CLAIM_AWAITING_PAYMENT, Blame, ClaimStatus
from workshop.text import N_
from workshop.transitions import ClaimAction


def credited_on_claims():
    """Adjustments that credit a supplier for a piece withdrawn from an earlier claim: that
    claim already went down by them, so no later claim counts them again."""
    return select(ClaimDispute.supplier_adjustment_id).where(ClaimDispute.supplier_adjustment_id.is_not(None))


def supplier_total(month: Month, supplier_id: int) -> Decimal:
    """Scrap cost plus adjustments: the amount a claim asks for."""
    cents = db.session.scalar(
        select(sum_cents(Piece.scrap_cost)).where(
            Piece.scrap_month == month.key, Piece.blame == Blame.SUPPLIER, Piece.blamed_supplier_id == supplier_id
        )
    )
    adjusted = db.session.scalar(
        select(sum_cents(Adjustment.amount)).where(
            Adjustment.month == month.key,
            Adjustment.blame == Blame.SUPPLIER,
            Adjustment.supplier_id == supplier_id,
            Adjustment.id.not_in(credited_on_claims()),
        )
    )
    return total((from_cents(cents), from_cents(adjusted)))


def open_claim(actor: User, supplier_id: int, month: Month, *, at: datetime | None = None) -> Claim:
    """A claim's amount is the supplier's total of a closed month: it can no longer change."""
    at = at or clock.now()
    if not is_closed(month):
        raise RuleViolation(
            N_("Close %(month)s before claiming from its suppliers: a claim's amount must not change."),
            month=str(month),
        )
    if db.session.get(Supplier, supplier_id) is None:
        raise RuleViolation(N_("Unknown supplier."))
    existing = db.session.scalar(select(Claim).where(Claim.supplier_id == supplier_id, Claim.month == month.key))
    if existing is not None:
        raise AlreadyDone(N_("A claim for this supplier and %(month)s is already open."), month=str(month))
    amount = supplier_total(month, supplier_id)
    if amount <= ZERO:
        raise RuleViolation(N_("There is nothing to claim from this supplier for %(month)s."), month=str(month))
    terms = settings.workshop()
    claim = Claim(
        supplier_id=supplier_id,
        month=month.key,
        status=None,
        amount=amount,
        updated_at=at,
        number=claim_number(month, _claims_of(month) + 1),
        due_on=due_on(terms.claim_due_days, terms.claim_due_from, opened_on=clock.local_date(at), sent_on=None),
    )
    history.move_claim_status(claim, ClaimAction.OPEN, actor, at=at, data=_amounts(claim))
    return claim


def _claims_of(month: Month) -> int:
    # Claims are never deleted, so the next number of a month is one more than its count; two
    # opened at the same instant collide on the unique number and one is asked to try again.
    return db.session.scalar(select(func.count()).select_from(Claim).where(Claim.month == month.key)) or 0


def open_claims(actor: User, month: Month, *, at: datetime | None = None) -> list[Claim]:
    """Every supplier of a closed month with something to claim and no claim yet."""
    figures = allocation(month)
    claimed = set(db.session.scalars(select(Claim.supplier_id).where(Claim.month == month.key)))
    return [
        open_claim(actor, line.party_id, month, at=at)
        for line in figures.suppliers
        if line.party_id not in claimed and (line.total > ZERO or supplier_total(month, line.party_id) > ZERO)
    ]


def mark_claim_sent(actor: User, claim: Claim, on: date, *, at: datetime | None = None) -> None:
    at = at or clock.now()
    history.move_claim_status(claim, ClaimAction.SEND, actor, at=at, data=_amounts(claim))
    claim.sent_on = on
    terms = settings.workshop()
    if terms.claim_due_from == DueFrom.SENT:
        claim.due_on = due_on(terms.claim_due_days, DueFrom.SENT, opened_on=on, sent_on=on)
    claim.updated_at = at


def settle_claim(
    actor: User, claim: Claim, on: date, paid: Decimal, note: str = "", *, at: datetime | None = None
) -> None:
    at = at or clock.now()
    paid = money(paid)
    if paid < ZERO:
        raise RuleViolation(N_("The amount paid cannot be negative."))
    if claim.sent_on is not None and on < claim.sent_on:
        raise RuleViolation(N_("A claim cannot be settled before it was sent."))
    history.move_claim_status(claim, ClaimAction.SETTLE, actor, at=at, data=_amounts(claim, paid))
    claim.settled_on = on
    claim.paid_amount = paid
    claim.note = note.strip()
    claim.updated_at = at


def _amounts(claim: Claim, paid: Decimal | None = None) -> dict:
    return {"amount": str(claim.amount), "paid": str(paid) if paid is not None else None}


def claims_query(*, supplier_id: int | None = None, status: ClaimStatus | None = None) -> Select:
    query = select(Claim).options(joinedload(Claim.supplier)).order_by(Claim.month.desc(), Claim.id)
    if supplier_id is not None:
        query = query.where(Claim.supplier_id == supplier_id)
    if status is not None:
        query = query.where(Claim.status == status)
    return query


@dataclass(frozen=True)
class Outstanding:
    supplier_id: int
    code: str
    name: str
    open_count: int = 0
    open_amount: Decimal = ZERO
    sent_count: int = 0
    sent_amount: Decimal = ZERO
    settled_short: Decimal = ZERO  # claimed minus paid, on settled claims
    oldest_month: Month | None = None

    @property
    def outstanding(self) -> Decimal:
        return total((self.open_amount, self.sent_amount))


def outstanding_by_supplier() -> list[Outstanding]:
    """What each supplier still owes across months: one GROUP BY over the claims."""
    rows = db.session.execute(
        select(
            Claim.supplier_id,
            Claim.status,
            func.count(),
            sum_cents(Claim.amount),
            sum_cents(func.coalesce(Claim.paid_amount, 0)),
            func.min(Claim.month),
        ).group_by(Claim.supplier_id, Claim.status)
    ).all()
    found: dict[int, Outstanding] = {}
    for supplier_id, status, count, amount, paid, oldest in rows:
        line = found.get(supplier_id) or Outstanding(supplier_id, "", "")
        if status == ClaimStatus.OPEN:
            line = replace(line, open_count=count, open_amount=from_cents(amount))
        elif status in CLAIM_AWAITING_PAYMENT:  # sent, or disputed: the supplier has it
            line = replace(line, sent_count=line.sent_count + count, sent_amount=line.sent_amount + from_cents(amount))
        else:
            line = replace(line, settled_short=total((from_cents(amount), -from_cents(paid))))
        if status != ClaimStatus.SETTLED:
            month = Month.from_key(oldest)
            line = replace(line, oldest_month=min(line.oldest_month, month) if line.oldest_month else month)
        found[supplier_id] = line
    names = (
        {
            r.id: (r.code, r.name)
            for r in db.session.execute(
                select(Supplier.id, Supplier.code, Supplier.name).where(Supplier.id.in_(list(found)))
            )
        }
        if found
        else {}
    )
    lines = [replace(line, code=names[sid][0], name=names[sid][1]) for sid, line in found.items()]
    return sorted(lines, key=lambda line: (-line.outstanding, line.code))
