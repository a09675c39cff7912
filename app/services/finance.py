"""Finance (rule 5): the month's allocation of scrap costs, closing months, corrections,
supplier claims (二次索赔) and store statements.

Money: every amount is a ``Decimal`` with two places. Sums are taken in the database in
whole cents (exact on SQLite too, where a NUMERIC is a float), each line is shown as
computed, and a total is the exact sum of the lines shown — no rounding after the lines.
Rounding happens once, where an amount enters (``workshop.money.money``: half-up to the
cent).
"""

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import AccountingMonth, Adjustment, Batch, Claim, Event, Piece, Store, Supplier, User, utcnow
from app.services.grading import closed_months
from app.services.settings import Rules
from labels.data import Party, Statement, StatementLine
from workshop.codes import piece_code
from workshop.errors import NotPermitted, RuleViolation
from workshop.money import CENT, Month, ensure_open, money, total
from workshop.roles import Role
from workshop.statuses import Blame, ClaimStatus, Direction
from workshop.text import N_

ZERO = Decimal("0.00")
MAX_ADJUSTMENT = Decimal("1000000.00")


def _cents(column):
    """SUM in whole cents: exact on both databases."""
    return func.coalesce(func.sum(func.round(column * 100)), 0)


def _from_cents(value) -> Decimal:
    return (Decimal(int(round(value or 0))) / 100).quantize(CENT)


# ---------------------------------------------------------------------------------------
# The month's allocation


@dataclass(frozen=True)
class PartyLine:
    """What one party bears in one month."""

    blame: Blame
    party_id: int | None  # supplier id, store id, or None for head office
    code: str = ""
    name: str = ""
    pieces: int = 0
    scrap: Decimal = ZERO
    adjustments: Decimal = ZERO
    extra_batches: int = 0
    extra_fees: Decimal = ZERO

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.blame.value, self.party_id)

    @cached_property
    def total(self) -> Decimal:
        return total((self.scrap, self.adjustments, self.extra_fees))


@dataclass(frozen=True)
class Allocation:
    month: Month
    closed: bool
    suppliers: tuple[PartyLine, ...]
    stores: tuple[PartyLine, ...]
    hq: PartyLine

    @property
    def lines(self) -> tuple[PartyLine, ...]:
        return self.suppliers + self.stores + (self.hq,)

    @property
    def pieces(self) -> int:
        return sum(line.pieces for line in self.lines)

    @cached_property
    def total(self) -> Decimal:
        return total(line.total for line in self.lines)

    def sum_of(self, lines: Iterable[PartyLine], attr: str) -> Decimal:
        return total(getattr(line, attr) for line in lines)


def is_closed(month: Month) -> bool:
    return db.session.scalar(select(AccountingMonth.closed).where(AccountingMonth.month == month.key)) is True


# Figures of closed months, kept per process: month_guard makes sure they cannot change, and
# the key carries the moment of closing, so a month reopened and closed again is computed anew.
_FROZEN: OrderedDict[tuple, object] = OrderedDict()
FROZEN_ENTRIES = 512


def _closings(first: Month, last: Month) -> dict[int, datetime]:
    return dict(
        db.session.execute(
            select(AccountingMonth.month, AccountingMonth.closed_at).where(
                AccountingMonth.month.between(first.key, last.key), AccountingMonth.closed.is_(True)
            )
        ).all()
    )


def _frozen(kind: str, month: Month, closed_at: datetime | None, compute):
    if closed_at is None:
        return compute()
    key = (str(db.engine.url), kind, month.key, closed_at.isoformat())
    if key in _FROZEN:
        _FROZEN.move_to_end(key)
        return _FROZEN[key]
    value = compute()
    _FROZEN[key] = value
    while len(_FROZEN) > FROZEN_ENTRIES:
        _FROZEN.popitem(last=False)
    return value


def allocation(month: Month) -> Allocation:
    closed_at = _closings(month, month).get(month.key)
    return _frozen("allocation", month, closed_at, lambda: _allocation(month, closed=closed_at is not None))


def _allocation(month: Month, closed: bool) -> Allocation:
    """Five GROUP BYs on indexed columns (piece: scrap_month+blame; batch: charge_month)."""
    key = month.key
    scrapped = Piece.scrap_month == key
    by_supplier = db.session.execute(
        select(Piece.blamed_supplier_id, func.count(), _cents(Piece.scrap_cost))
        .where(scrapped, Piece.blame == Blame.SUPPLIER)
        .group_by(Piece.blamed_supplier_id)
    ).all()
    by_store = db.session.execute(
        select(Piece.store_id, func.count(), _cents(Piece.scrap_cost))
        .where(scrapped, Piece.blame == Blame.STORE)
        .group_by(Piece.store_id)
    ).all()
    hq_count, hq_cents = db.session.execute(
        select(func.count(), _cents(Piece.scrap_cost)).where(scrapped, Piece.blame == Blame.HQ)
    ).one()
    extras = db.session.execute(
        select(Batch.store_id, func.count(), _cents(Batch.shipping_fee))
        .where(Batch.charge_month == key, Batch.extra.is_(True), Batch.direction == Direction.OUTBOUND)
        .group_by(Batch.store_id)
    ).all()
    adjustments = db.session.execute(
        select(Adjustment.blame, Adjustment.supplier_id, Adjustment.store_id, _cents(Adjustment.amount))
        .where(Adjustment.month == key)
        .group_by(Adjustment.blame, Adjustment.supplier_id, Adjustment.store_id)
    ).all()

    suppliers: dict[int, PartyLine] = {}
    stores: dict[int, PartyLine] = {}
    hq = PartyLine(Blame.HQ, None, pieces=hq_count, scrap=_from_cents(hq_cents))
    for supplier_id, count, cents in by_supplier:
        suppliers[supplier_id] = PartyLine(Blame.SUPPLIER, supplier_id, pieces=count, scrap=_from_cents(cents))
    for store_id, count, cents in by_store:
        stores[store_id] = PartyLine(Blame.STORE, store_id, pieces=count, scrap=_from_cents(cents))
    for store_id, count, cents in extras:
        line = stores.get(store_id) or PartyLine(Blame.STORE, store_id)
        stores[store_id] = replace(line, extra_batches=count, extra_fees=_from_cents(cents))
    for blame, supplier_id, store_id, cents in adjustments:
        amount = _from_cents(cents)
        if blame == Blame.SUPPLIER:
            line = suppliers.get(supplier_id) or PartyLine(Blame.SUPPLIER, supplier_id)
            suppliers[supplier_id] = replace(line, adjustments=line.adjustments + amount)
        elif blame == Blame.STORE:
            line = stores.get(store_id) or PartyLine(Blame.STORE, store_id)
            stores[store_id] = replace(line, adjustments=line.adjustments + amount)
        else:
            hq = replace(hq, adjustments=hq.adjustments + amount)
    return Allocation(
        month=month,
        closed=closed,
        suppliers=_named(suppliers, Supplier),
        stores=_named(stores, Store),
        hq=hq,
    )


def _named(lines: dict[int, PartyLine], model) -> tuple[PartyLine, ...]:
    if not lines:
        return ()
    names = {
        row.id: (row.code, row.name)
        for row in db.session.execute(select(model.id, model.code, model.name).where(model.id.in_(list(lines))))
    }
    named = [
        replace(line, code=names.get(pid, ("", ""))[0], name=names.get(pid, ("", ""))[1]) for pid, line in lines.items()
    ]
    return tuple(sorted(named, key=lambda line: (-line.total, line.code)))


@dataclass(frozen=True)
class Beside:
    """A party's line this month and the month before (either may be all zeros)."""

    current: PartyLine
    previous: PartyLine


def beside(current: tuple[PartyLine, ...], previous: tuple[PartyLine, ...]) -> list[Beside]:
    before = {line.key: line for line in previous}
    rows = [
        Beside(
            line,
            before.pop(
                line.key, replace(line, pieces=0, scrap=ZERO, adjustments=ZERO, extra_batches=0, extra_fees=ZERO)
            ),
        )
        for line in current
    ]
    rows += [
        Beside(replace(line, pieces=0, scrap=ZERO, adjustments=ZERO, extra_batches=0, extra_fees=ZERO), line)
        for line in before.values()
    ]
    return rows


def current_month(rules: Rules, at: datetime | None = None) -> Month:
    return Month.at(at or utcnow(), rules.tz)


# ---------------------------------------------------------------------------------------
# Drill-down: from a total to its pieces


def party_pieces(month: Month, blame: Blame, party_id: int | None) -> Select:
    """The scrapped pieces behind one line, oldest first (a query to paginate or export)."""
    query = (
        select(Piece)
        .where(Piece.scrap_month == month.key, Piece.blame == blame)
        .options(
            joinedload(Piece.product), joinedload(Piece.graded_by), joinedload(Piece.defect), joinedload(Piece.store)
        )
        .order_by(Piece.id)
    )
    if blame == Blame.SUPPLIER:
        query = query.where(Piece.blamed_supplier_id == party_id)
    elif blame == Blame.STORE:
        query = query.where(Piece.store_id == party_id)
    return query


def party_adjustments(month: Month, blame: Blame, party_id: int | None) -> list[Adjustment]:
    query = (
        select(Adjustment)
        .where(Adjustment.month == month.key, Adjustment.blame == blame)
        .options(selectinload(Adjustment.created_by))
        .order_by(Adjustment.id)
    )
    if blame == Blame.SUPPLIER:
        query = query.where(Adjustment.supplier_id == party_id)
    elif blame == Blame.STORE:
        query = query.where(Adjustment.store_id == party_id)
    return list(db.session.scalars(query))


def extra_batches(month: Month, store_id: int) -> list[Batch]:
    return list(
        db.session.scalars(
            select(Batch)
            .where(
                Batch.charge_month == month.key,
                Batch.extra.is_(True),
                Batch.store_id == store_id,
                Batch.direction == Direction.OUTBOUND,
            )
            .order_by(Batch.id)
        )
    )


def party_name(blame: Blame, party_id: int | None) -> str | None:
    """The party's name, or None when there is no such party."""
    if blame == Blame.HQ:
        return ""
    model = Supplier if blame == Blame.SUPPLIER else Store
    return db.session.scalar(select(model.name).where(model.id == party_id)) if party_id else None


# ---------------------------------------------------------------------------------------
# Closing and reopening a month


def close_month(actor: User, month: Month, rules: Rules, *, at: datetime | None = None) -> AccountingMonth:
    """Freeze a month that has ended; the guard (month_guard) refuses every change after."""
    at = at or utcnow()
    if month >= current_month(rules, at):
        raise RuleViolation(
            N_("%(month)s has not ended yet: a month can be closed only after its last day."), month=str(month)
        )
    record = db.session.get(AccountingMonth, month.key)
    if record is not None and record.closed:
        raise RuleViolation(N_("%(month)s is already closed."), month=str(month))
    figures = allocation(month)
    record = record or AccountingMonth(month=month.key)
    record.closed = True
    record.closed_at = at
    record.closed_by = actor
    db.session.add(record)
    db.session.add(
        Event(
            at=at,
            actor=actor,
            month=month.key,
            action="month_close",
            data={"total": str(figures.total), "pieces": figures.pieces},
        )
    )
    db.session.flush()
    return record


def reopen_month(actor: User, month: Month, reason: str, *, at: datetime | None = None) -> AccountingMonth:
    """Only an administrator, with a written reason; the event goes into the same flush."""
    if actor.role != Role.ADMIN:
        raise NotPermitted(N_("Only an administrator may reopen a closed month."))
    if not reason.strip():
        raise RuleViolation(N_("Write why the month is reopened."))
    record = db.session.get(AccountingMonth, month.key)
    if record is None or not record.closed:
        raise RuleViolation(N_("%(month)s is not closed."), month=str(month))
    db.session.add(Event(at=at or utcnow(), actor=actor, month=month.key, action="month_reopen", reason=reason.strip()))
    record.closed = False
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


# ---------------------------------------------------------------------------------------
# Corrections: an adjustment in the open month


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
    at = at or utcnow()
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
            action="adjustment",
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


# ---------------------------------------------------------------------------------------
# Supplier claims (二次索赔): open → sent → settled

CLAIM_MOVES = {ClaimStatus.OPEN: ClaimStatus.SENT, ClaimStatus.SENT: ClaimStatus.SETTLED}


def supplier_total(month: Month, supplier_id: int) -> Decimal:
    """Scrap cost plus adjustments: the amount a claim asks for."""
    cents = db.session.scalar(
        select(_cents(Piece.scrap_cost)).where(
            Piece.scrap_month == month.key, Piece.blame == Blame.SUPPLIER, Piece.blamed_supplier_id == supplier_id
        )
    )
    adjusted = db.session.scalar(
        select(_cents(Adjustment.amount)).where(
            Adjustment.month == month.key, Adjustment.blame == Blame.SUPPLIER, Adjustment.supplier_id == supplier_id
        )
    )
    return total((_from_cents(cents), _from_cents(adjusted)))


def open_claim(actor: User, supplier_id: int, month: Month, *, at: datetime | None = None) -> Claim:
    """A claim's amount is the supplier's total of a closed month: it can no longer change."""
    at = at or utcnow()
    if not is_closed(month):
        raise RuleViolation(
            N_("Close %(month)s before claiming from its suppliers: a claim's amount must not change."),
            month=str(month),
        )
    if db.session.get(Supplier, supplier_id) is None:
        raise RuleViolation(N_("Unknown supplier."))
    existing = db.session.scalar(select(Claim).where(Claim.supplier_id == supplier_id, Claim.month == month.key))
    if existing is not None:
        raise RuleViolation(N_("A claim for this supplier and %(month)s is already open."), month=str(month))
    amount = supplier_total(month, supplier_id)
    if amount <= ZERO:
        raise RuleViolation(N_("There is nothing to claim from this supplier for %(month)s."), month=str(month))
    claim = Claim(supplier_id=supplier_id, month=month.key, status=ClaimStatus.OPEN, amount=amount, updated_at=at)
    db.session.add(claim)
    db.session.flush()
    _claim_event(actor, claim, "claim_open", at)
    return claim


def open_claims(actor: User, month: Month, *, at: datetime | None = None) -> list[Claim]:
    """Every supplier of a closed month with something to claim and no claim yet."""
    figures = allocation(month)
    claimed = set(db.session.scalars(select(Claim.supplier_id).where(Claim.month == month.key)))
    return [
        open_claim(actor, line.party_id, month, at=at)
        for line in figures.suppliers
        if line.total > ZERO and line.party_id not in claimed
    ]


def _advance(claim: Claim, to: ClaimStatus) -> None:
    if CLAIM_MOVES.get(claim.status) != to:
        raise RuleViolation(
            N_("This claim is %(status)s: it cannot become %(target)s."), status=claim.status.label, target=to.label
        )


def mark_claim_sent(actor: User, claim: Claim, on: date, *, at: datetime | None = None) -> None:
    at = at or utcnow()
    _advance(claim, ClaimStatus.SENT)
    claim.status = ClaimStatus.SENT
    claim.sent_on = on
    claim.updated_at = at
    _claim_event(actor, claim, "claim_sent", at)


def settle_claim(
    actor: User, claim: Claim, on: date, paid: Decimal, note: str = "", *, at: datetime | None = None
) -> None:
    at = at or utcnow()
    _advance(claim, ClaimStatus.SETTLED)
    paid = money(paid)
    if paid < ZERO:
        raise RuleViolation(N_("The amount paid cannot be negative."))
    if claim.sent_on is not None and on < claim.sent_on:
        raise RuleViolation(N_("A claim cannot be settled before it was sent."))
    claim.status = ClaimStatus.SETTLED
    claim.settled_on = on
    claim.paid_amount = paid
    claim.note = note.strip()
    claim.updated_at = at
    _claim_event(actor, claim, "claim_settled", at)


def _claim_event(actor: User, claim: Claim, action: str, at: datetime) -> None:
    db.session.add(
        Event(
            at=at,
            actor=actor,
            month=claim.month,
            action=action,
            data={
                "claim": claim.id,
                "supplier_id": claim.supplier_id,
                "amount": str(claim.amount),
                "paid": str(claim.paid_amount) if claim.paid_amount is not None else None,
            },
        )
    )


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
            _cents(Claim.amount),
            _cents(func.coalesce(Claim.paid_amount, 0)),
            func.min(Claim.month),
        ).group_by(Claim.supplier_id, Claim.status)
    ).all()
    found: dict[int, Outstanding] = {}
    for supplier_id, status, count, amount, paid, oldest in rows:
        line = found.get(supplier_id) or Outstanding(supplier_id, "", "")
        if status == ClaimStatus.OPEN:
            line = replace(line, open_count=count, open_amount=_from_cents(amount))
        elif status == ClaimStatus.SENT:
            line = replace(line, sent_count=count, sent_amount=_from_cents(amount))
        else:
            line = replace(line, settled_short=total((_from_cents(amount), -_from_cents(paid))))
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


# ---------------------------------------------------------------------------------------
# Statements (PDF data): the supplier claim and the store's charges

CLAIM_TITLE = "供应商索赔单 Supplier claim statement"
STORE_TITLE = "门店费用单 Store charges statement"
EXTRA_SECTION = "额外发货费 Extra shipment charges"
ADJUSTMENT_SECTION = "调整 Adjustments"
MAIN_SECTION = "明细 Lines"


def _issuer() -> Party:
    # Address, contact, phone and bank details come with the workshop's settings (issue 19, app side).
    return Party(current_app.config.get("CHAIN_NAME", "总公司售后服务部"))


def _piece_lines(query: Select) -> tuple[StatementLine, ...]:
    return tuple(
        StatementLine(
            code=p.code,
            product=f"{p.product.style_code} {p.product.name}",
            defect=f"{p.defect.code} {p.defect.name_zh}",
            description=p.blame_reason,
            amount=p.scrap_cost,
        )
        for p in db.session.scalars(query).unique()
    )


def _adjustment_lines(adjustments: list[Adjustment]) -> tuple[StatementLine, ...]:
    return tuple(
        StatementLine(
            code=piece_code(a.piece_id) if a.piece_id else f"ADJ{a.id}",
            product="",
            defect="",
            description=a.reason,
            amount=a.amount,
        )
        for a in adjustments
    )


@dataclass(frozen=True)
class StatementData:
    statement: Statement
    total: Decimal
    filename: str = field(default="statement.pdf")


def claim_statement(supplier: Supplier, month: Month, prepared_by: str, today: date) -> StatementData:
    lines = _piece_lines(party_pieces(month, Blame.SUPPLIER, supplier.id))
    adjustments = _adjustment_lines(party_adjustments(month, Blame.SUPPLIER, supplier.id))
    sections = ((ADJUSTMENT_SECTION, adjustments),) if adjustments else ()
    statement = Statement(
        kind="claim",
        title=CLAIM_TITLE,
        party=Party(supplier.name, supplier.contact_name, supplier.contact_phone, supplier.address),
        issuer=_issuer(),
        period=_period(month),
        lines=lines,
        sections=sections,
        prepared_by=prepared_by,
        generated_on=today,
    )
    amount = total(line.amount for line in lines + adjustments)
    return StatementData(statement, amount, f"claim-{supplier.code}-{month}.pdf")


def store_statement(store: Store, month: Month, prepared_by: str, today: date) -> StatementData:
    lines = _piece_lines(party_pieces(month, Blame.STORE, store.id))
    extras = tuple(
        StatementLine(
            code=b.code,
            product="",
            defect="",
            description=f"额外发货 Extra shipment {b.week}" if b.week else "额外发货 Extra shipment",
            amount=b.shipping_fee,
        )
        for b in extra_batches(month, store.id)
    )
    adjustments = _adjustment_lines(party_adjustments(month, Blame.STORE, store.id))
    sections = tuple(
        (title, part) for title, part in ((EXTRA_SECTION, extras), (ADJUSTMENT_SECTION, adjustments)) if part
    )
    statement = Statement(
        kind="store",
        title=STORE_TITLE,
        party=Party(store.name, store.contact_name, store.contact_phone, store.address),
        issuer=_issuer(),
        period=_period(month),
        lines=lines,
        sections=sections,
        prepared_by=prepared_by,
        generated_on=today,
    )
    amount = total(line.amount for line in lines + extras + adjustments)
    return StatementData(statement, amount, f"store-{store.code}-{month}.pdf")


def _period(month: Month) -> str:
    return str(month) if is_closed(month) else f"{month}（未结账 not closed）"


def store_months(store_ids: Select, last: Month, count: int = 12) -> list[tuple[Month, int, Decimal]]:
    """The months in which some of these stores had charges, newest first: (month, store, total)."""
    first = _months_back(last, count)[0]
    scrap = db.session.execute(
        select(Piece.scrap_month, Piece.store_id, _cents(Piece.scrap_cost))
        .where(
            Piece.scrap_month.between(first.key, last.key), Piece.blame == Blame.STORE, Piece.store_id.in_(store_ids)
        )
        .group_by(Piece.scrap_month, Piece.store_id)
    ).all()
    fees = db.session.execute(
        select(Batch.charge_month, Batch.store_id, _cents(Batch.shipping_fee))
        .where(Batch.charge_month.between(first.key, last.key), Batch.extra.is_(True), Batch.store_id.in_(store_ids))
        .group_by(Batch.charge_month, Batch.store_id)
    ).all()
    adjusted = db.session.execute(
        select(Adjustment.month, Adjustment.store_id, _cents(Adjustment.amount))
        .where(
            Adjustment.month.between(first.key, last.key),
            Adjustment.blame == Blame.STORE,
            Adjustment.store_id.in_(store_ids),
        )
        .group_by(Adjustment.month, Adjustment.store_id)
    ).all()
    sums: dict[tuple[int, int], Decimal] = {}
    for month_key, store_id, cents in [*scrap, *fees, *adjusted]:
        sums[(month_key, store_id)] = sums.get((month_key, store_id), ZERO) + _from_cents(cents)
    return sorted(
        ((Month.from_key(m), s, amount) for (m, s), amount in sums.items()), key=lambda row: (-row[0].key, row[1])
    )


# ---------------------------------------------------------------------------------------
# The last twelve months, for the chart


def _months_back(last: Month, count: int) -> list[Month]:
    months = [last]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


def scrap_by_month(last: Month, count: int = 12) -> list[tuple[Month, dict[Blame, Decimal]]]:
    """Scrap cost per blame for each month; closed months come from the frozen figures."""
    months = _months_back(last, count)
    closings = _closings(months[0], last)
    open_keys = [m.key for m in months if m.key not in closings]
    found: dict[tuple[int, Blame], Decimal] = {}
    if open_keys:
        rows = db.session.execute(
            select(Piece.scrap_month, Piece.blame, _cents(Piece.scrap_cost))
            .where(Piece.scrap_month.in_(open_keys))
            .group_by(Piece.scrap_month, Piece.blame)
        ).all()
        found = {(m, Blame(b)): _from_cents(c) for m, b, c in rows}
    series = []
    for m in months:
        if m.key in closings:
            figures = allocation(m)
            series.append(
                (
                    m,
                    {
                        Blame.SUPPLIER: figures.sum_of(figures.suppliers, "scrap"),
                        Blame.STORE: figures.sum_of(figures.stores, "scrap"),
                        Blame.HQ: figures.hq.scrap,
                    },
                )
            )
        else:
            series.append((m, {b: found.get((m.key, b), ZERO) for b in Blame}))
    return series
