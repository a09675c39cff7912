"""三包 at the counter: the purchase of a customer's piece, the counter's answer from the rules
(workshop.guarantee), the decision the clerk records, and the store's own repair.

The customer's name and phone are the customer's: shown in full only to the store and the
workshop, masked everywhere else (lists, exports, finance), never printed on labels or slips.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import CustomerReturn, GuaranteePeriod, Piece, Product, Repair, RepairOperation, Store, User
from app.services import history
from app.services.batches import quota_check
from app.services.settings import Rules
from workshop.clock import local_date
from workshop.errors import RuleViolation
from workshop.guarantee import (
    CATEGORY_DEFAULTS,
    CounterAnswer,
    Decision,
    GuaranteeCategory,
    GuaranteeTerms,
    Option,
    Rule,
    category_default,
    category_of,
    counter_answer,
    mask_name,
    mask_phone,
    status_after,
    supplier_caused,
)
from workshop.money import Month, money
from workshop.roles import Role
from workshop.statuses import DefectKind, Source
from workshop.text import N_
from workshop.transitions import PieceAction

MAX_MONTHS = 120
MAX_PRICE = Decimal("999999.99")
MAX_REPAIRS = 9
MAX_MINUTES = 24 * 60
EARLIEST_SALE = date(2000, 1, 1)
PHONE = re.compile(r"^[0-9 +()\-/.#]{3,40}$")
RECEIPT = re.compile(r"^[A-Za-z0-9\-_/#.]{1,40}$")
# Who reads the customer's name and phone in full: the store that serves them, the workshop.
SEES_CUSTOMER = frozenset({Role.STORE, Role.TECHNICIAN})


# --- The category table ---------------------------------------------------------------


def periods() -> dict[GuaranteeCategory, int]:
    """Each category's period in months: the admin's table, the seed's for a row not yet there."""
    stored = {c: m for c, m in db.session.execute(select(GuaranteePeriod.category, GuaranteePeriod.period_months))}
    return {row.category: stored.get(row.category, row.period_months) for row in CATEGORY_DEFAULTS}


def save_periods(actor: User, months: dict[GuaranteeCategory, int], at: datetime | None = None) -> int:
    """Set the periods the admin edited; returns how many changed. Decisions already taken keep theirs."""
    at = at or clock.now()
    for value in months.values():
        if not 0 <= value <= MAX_MONTHS:
            raise RuleViolation(N_("A guarantee period is from 0 to %(max)d months."), max=MAX_MONTHS)
    rows = {row.category: row for row in db.session.scalars(select(GuaranteePeriod).with_for_update())}
    changed = 0
    for category, value in months.items():
        row = rows.get(category)
        if row is None:
            row = GuaranteePeriod(category=category, period_months=category_default(category).period_months)
            db.session.add(row)
        if row.period_months != value:
            row.period_months = value
            row.updated_at = at
            row.updated_by_id = actor.id
            changed += 1
    db.session.flush()
    return changed


def category_for(product: Product) -> GuaranteeCategory:
    if product.guarantee_category is not None:
        return GuaranteeCategory(product.guarantee_category)
    return category_of(product.category)


def period_for(product: Product, table: dict[GuaranteeCategory, int] | None = None) -> tuple[GuaranteeCategory, int]:
    """The product's 三包 category and period: its own period when it has one, else its category's."""
    category = category_for(product)
    if product.guarantee_months is not None:
        return category, product.guarantee_months
    return category, (table or periods())[category]


def terms(category: GuaranteeCategory, months: int) -> GuaranteeTerms:
    return category_default(category).terms(period_months=months)


# --- The purchase ---------------------------------------------------------------------


@dataclass(frozen=True)
class Purchase:
    sold_on: date
    price_paid: Decimal
    receipt_no: str
    worn: bool = False
    out_of_town: bool = False
    customer_name: str = ""
    customer_phone: str = ""
    serious: bool = False
    previous_repairs: int = 0
    exchanged_before: bool = False
    same_kind_in_stock: bool | None = None


def check_purchase(purchase: Purchase, source: Source, today: date) -> None:
    if source != Source.CUSTOMER_RETURN:
        raise RuleViolation(N_("Only a customer's return has a purchase: choose “customer return”."))
    if purchase.sold_on > today:
        raise RuleViolation(N_("The sale date cannot be in the future."))
    if purchase.sold_on < EARLIEST_SALE:
        raise RuleViolation(N_("The sale date is too far back: check it on the receipt."))
    if not Decimal("0") <= purchase.price_paid <= MAX_PRICE:
        raise RuleViolation(N_("The price paid is from ¥0 to ¥%(max)s."), max=str(MAX_PRICE))
    if not RECEIPT.match(purchase.receipt_no.strip()):
        raise RuleViolation(
            N_("Enter the receipt or 三包 card number: up to 40 letters, digits and - _ / # . (no spaces).")
        )
    if len(purchase.customer_name.strip()) > 100:
        raise RuleViolation(N_("The customer's name is at most 100 characters."))
    if purchase.customer_phone.strip() and not PHONE.match(purchase.customer_phone.strip()):
        raise RuleViolation(N_("A phone number is digits, spaces and + ( ) - / . # only."))
    if not 0 <= purchase.previous_repairs <= MAX_REPAIRS:
        raise RuleViolation(N_("Repairs before: from 0 to %(max)d."), max=MAX_REPAIRS)


def record_purchase(piece: Piece, purchase: Purchase, today: date) -> CustomerReturn:
    """Called by registration in the same transaction as the piece."""
    check_purchase(purchase, piece.source, today)
    category, months = period_for(piece.product)
    record = CustomerReturn(
        piece=piece,
        sold_on=purchase.sold_on,
        price_paid=money(purchase.price_paid),
        receipt_no=purchase.receipt_no.strip(),
        worn=purchase.worn,
        out_of_town=purchase.out_of_town,
        customer_name=purchase.customer_name.strip(),
        customer_phone=purchase.customer_phone.strip(),
        serious=purchase.serious,
        previous_repairs=purchase.previous_repairs,
        exchanged_before=purchase.exchanged_before,
        same_kind_in_stock=purchase.same_kind_in_stock,
        category=category,
        period_months=months,
        depreciation=Decimal("0.00"),
        overridden=False,
        reason="",
        supplier_caused=False,
    )
    db.session.add(record)
    db.session.flush()
    return record


def current(piece: Piece) -> CustomerReturn | None:
    """The piece's latest customer return (a piece that came back again has one per trip)."""
    return db.session.scalars(
        select(CustomerReturn).where(CustomerReturn.piece_id == piece.id).order_by(CustomerReturn.id.desc()).limit(1)
    ).first()


def current_for_update(piece: Piece) -> CustomerReturn | None:
    return db.session.scalars(
        select(CustomerReturn)
        .where(CustomerReturn.piece_id == piece.id)
        .order_by(CustomerReturn.id.desc())
        .limit(1)
        .with_for_update()
    ).first()


# --- The counter's answer and the decision --------------------------------------------


def answer(record: CustomerReturn, today: date) -> CounterAnswer:
    """What the rules offer for this customer's piece today, best first (the suggestion)."""
    piece = record.piece
    sale = min(record.sold_on, today)
    return counter_answer(
        sale_date=sale,
        today=today,
        price=record.price_paid,
        terms=terms(GuaranteeCategory(record.category), record.period_months),
        out_of_town=record.out_of_town,
        worn=record.worn,
        defect=DefectKind(piece.defect.kind),
        serious=record.serious,
        repairs_for_same_problem=record.previous_repairs + _repairs_for(piece),
        exchanged_for_same_problem=record.exchanged_before,
        same_kind_in_stock=record.same_kind_in_stock,
    )


def _repairs_for(piece: Piece) -> int:
    """Repairs this piece already had for its defect (an earlier trip's, or the store's own)."""
    return sum(1 for repair in piece.repairs if repair.defect_id == piece.defect_id)


def option_for(found: CounterAnswer, decision: Decision) -> Option | None:
    return next((o for o in found.options if o.decision == decision), None)


def decide(
    actor: User,
    piece: Piece,
    decision: Decision,
    reason: str,
    rules: Rules,
    at: datetime | None = None,
) -> CustomerReturn:
    """Record the clerk's choice among the options the rules give, who chose and why.

    Choosing another option than the suggestion (the first) needs a written reason. A piece
    to repair at the workshop stays registered for the weekly batch; one the store repairs
    waits for that repair; a refund, exchange or refusal settles it at the store."""
    at = at or clock.now()
    record = current_for_update(piece)
    if record is None:
        raise RuleViolation(
            N_("Piece %(code)s has no purchase recorded: only a customer's return gets the counter's decision."),
            code=piece.code,
        )
    today = local_date(at, rules.tz)
    found = answer(record, today)
    chosen = option_for(found, decision)
    if chosen is None:
        raise RuleViolation(
            N_("“%(decision)s” is not among the options the 三包 rules give for piece %(code)s."),
            decision=decision.label,
            code=piece.code,
        )
    suggested = found.options[0]
    reason = reason.strip()
    if decision != suggested.decision and not reason:
        raise RuleViolation(
            N_("You chose “%(decision)s” instead of the suggested “%(suggested)s”: write why."),
            decision=decision.label,
            suggested=suggested.decision.label,
        )
    if len(reason) > 2000:
        raise RuleViolation(N_("The reason is at most 2,000 characters."))
    caused = supplier_caused(decision, DefectKind(piece.defect.kind))
    supplier_id = piece.product.supplier_id if caused else None  # read before the record changes (autoflush)
    record.suggested = suggested.decision
    record.decision = decision
    record.rule = chosen.rule.value
    record.rule_params = dict(chosen.params)
    record.amount = chosen.amount
    record.depreciation = chosen.depreciation
    record.overridden = decision != suggested.decision
    record.reason = reason
    record.decided_at = at
    record.decided_by = actor
    record.supplier_caused = caused
    record.supplier_id = supplier_id
    record.month = Month.at(at, rules.tz).key if caused else None
    history.move(
        piece,
        PieceAction.COUNTER_DECISION,
        actor,
        target=status_after(decision),
        reason=reason,
        at=at,
        data={
            "decision": decision.value,
            "suggested": suggested.decision.value,
            "rule": chosen.rule.value,
            "amount": str(chosen.amount) if chosen.amount is not None else None,
        },
    )
    db.session.flush()
    return record


def repair_at_store(
    actor: User,
    piece: Piece,
    operations: list[str],
    minutes: int,
    note: str = "",
    at: datetime | None = None,
) -> Repair:
    """The store's own repair of a customer's piece: recorded like the workshop's, and it closes the piece."""
    at = at or clock.now()
    if not 0 < minutes <= MAX_MINUTES:
        raise RuleViolation(N_("Minutes spent: from 1 to %(max)d."), max=MAX_MINUTES)
    known = set(db.session.scalars(select(RepairOperation.code).where(RepairOperation.active.is_(True))))
    unknown = [code for code in operations if code not in known]
    if unknown:
        raise RuleViolation(N_("Unknown repair operation: %(codes)s."), codes=", ".join(unknown))
    if not operations and not note.strip():
        raise RuleViolation(N_("Say what was done: tick the operations or write a note."))
    history.move(piece, PieceAction.REPAIR_AT_STORE, actor, at=at, data={"operations": operations, "minutes": minutes})
    repair = Repair(
        piece=piece,
        defect_id=piece.defect_id,
        operations=list(operations),
        note=note.strip(),
        minutes=minutes,
        repaired_at=at,
        repaired_by=actor,
    )
    db.session.add(repair)
    db.session.flush()
    return repair


def rule_text(record: CustomerReturn, translate) -> str:
    """The decision's rule in the reader's language (``translate`` is gettext or the paper's)."""
    if record.rule is None:
        return ""
    message = translate(Rule(record.rule).message)
    return message % record.rule_params if record.rule_params else message


# --- The customer: in full for the store and the workshop, masked for everyone else ----


def sees_customer(user: User | None) -> bool:
    return user is not None and user.role in SEES_CUSTOMER


def customer_name(record: CustomerReturn, user: User | None) -> str:
    return record.customer_name if sees_customer(user) else mask_name(record.customer_name)


def customer_phone(record: CustomerReturn, user: User | None) -> str:
    return record.customer_phone if sees_customer(user) else mask_phone(record.customer_phone)


# --- The receipt's date back ----------------------------------------------------------


def next_dispatch(store: Store, rules: Rules, at: datetime) -> date:
    """The day the store's next weekly parcel leaves: today while this week's quota is unused,
    else next Monday."""
    check = quota_check(store, rules, at=at)
    today = local_date(at, rules.tz)
    if not check.extra:
        return today
    return today + timedelta(days=7 - today.weekday())


def expected_back(store: Store, rules: Rules, at: datetime) -> date:
    return next_dispatch(store, rules, at) + timedelta(days=rules.limit_days)
