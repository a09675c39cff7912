"""Statements (PDF data): the supplier's claim and the store's charges of a month, and the
store's months with charges."""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, select

from app.extensions import db
from app.models import Adjustment, Batch, Claim, ClaimDispute, Piece, Store, Supplier
from app.services import settings
from app.services.finance.allocation import extra_batches, months_back, party_adjustments, party_pieces
from app.services.finance.claims import credited_on_claims
from app.services.finance.months import is_closed
from app.services.finance.sums import ZERO, from_cents, sum_cents
from app.services.paper import store_party, workshop_party
from app.services.reasons import bilingual, blame_reason_on_paper, on_paper
from labels.data import BankAccount, Party, Statement, StatementLine
from workshop.claims import DueFrom, due_on
from workshop.codes import piece_code
from workshop.money import Month, total
from workshop.statuses import Blame, DisputeStatus
from workshop.text import N_

# ---------------------------------------------------------------------------------------
# Statements (PDF data): the supplier claim and the store's charges, in the document's
# language (Chinese, with English captions), whatever the language of who prints them.

CLAIM_TITLE = N_("Supplier claim statement")
STORE_TITLE = N_("Store charges statement")
EXTRA_SECTION = N_("Extra shipment charges")
ADJUSTMENT_SECTION = N_("Adjustments")
WITHDRAWN_SECTION = N_("Withdrawn after the supplier's dispute")
EXTRA_SHIPMENT = N_("Extra shipment, week %(week)s")
NOT_CLOSED = N_("%(month)s (not closed)")


def _bank() -> BankAccount | None:
    found = settings.workshop()
    if not found.has_bank:
        return None
    return BankAccount(bank=found.bank_name, account_name=found.bank_account_name, account_no=found.bank_account_no)


def _piece_lines(query: Select) -> tuple[StatementLine, ...]:
    return tuple(
        StatementLine(
            code=p.code,
            product=f"{p.product.style_code} {p.product.name}",
            defect=f"{p.defect.code} {p.defect.name_zh}",
            description=blame_reason_on_paper(p),
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
    credited = set(db.session.scalars(credited_on_claims()))
    adjustments = _adjustment_lines(
        [a for a in party_adjustments(month, Blame.SUPPLIER, supplier.id) if a.id not in credited]
    )
    party = Party(supplier.name, supplier.contact_name, supplier.contact_phone, supplier.address)
    claim = db.session.scalar(select(Claim).where(Claim.supplier_id == supplier.id, Claim.month == month.key))
    sections: tuple = ((bilingual(ADJUSTMENT_SECTION), adjustments),)
    withdrawn = _withdrawn_lines(claim) if claim is not None else ()
    if withdrawn:
        sections += ((bilingual(WITHDRAWN_SECTION), withdrawn),)
    data = _data("claim", CLAIM_TITLE, party, month, lines, sections, prepared_by, today, f"claim-{supplier.code}")
    if claim is None:
        return data
    statement = replace(data.statement, claim_no=claim.number, due_on=claim.due_on or _due_if_sent(today))
    return replace(data, statement=statement)


def _withdrawn_lines(claim: Claim) -> tuple[StatementLine, ...]:
    """Pieces withdrawn from the claim after the supplier's dispute: taken off its total."""
    found = db.session.scalars(
        select(ClaimDispute)
        .where(ClaimDispute.claim_id == claim.id, ClaimDispute.status == DisputeStatus.WITHDRAWN)
        .order_by(ClaimDispute.id)
    )
    return tuple(
        StatementLine(code=piece_code(d.piece_id), product="", defect="", description=d.resolution, amount=-d.amount)
        for d in found
    )


def _due_if_sent(today: date) -> date | None:
    """A claim not yet sent whose payment period counts from its sending: printed to be sent
    today, so due that many days from today."""
    found = settings.workshop()
    if found.claim_due_from != DueFrom.SENT:
        return None
    return due_on(found.claim_due_days, DueFrom.SENT, opened_on=today, sent_on=today)


def store_statement(store: Store, month: Month, prepared_by: str, today: date) -> StatementData:
    lines = _piece_lines(party_pieces(month, Blame.STORE, store.id))
    extras = tuple(
        StatementLine(
            code=b.code,
            product="",
            defect="",
            description=on_paper(EXTRA_SHIPMENT, {"week": str(b.week)}) if b.week else on_paper(EXTRA_SECTION),
            amount=b.shipping_fee,
        )
        for b in extra_batches(month, store.id)
    )
    adjustments = _adjustment_lines(party_adjustments(month, Blame.STORE, store.id))
    sections = ((bilingual(EXTRA_SECTION), extras), (bilingual(ADJUSTMENT_SECTION), adjustments))
    return _data(
        "store", STORE_TITLE, store_party(store), month, lines, sections, prepared_by, today, f"store-{store.code}"
    )


def _data(kind, title, party, month, lines, sections, prepared_by, today, name) -> StatementData:
    """A statement of a month: its lines, the sections that have lines, the total of all."""
    sections = tuple((heading, part) for heading, part in sections if part)
    statement = Statement(
        kind=kind,
        title=bilingual(title),
        party=party,
        issuer=workshop_party(),
        period=_period(month),
        lines=lines,
        sections=sections,
        prepared_by=prepared_by,
        generated_on=today,
        bank=_bank(),
    )
    amount = total(line.amount for line in lines + tuple(line for _h, part in sections for line in part))
    return StatementData(statement, amount, f"{name}-{month}.pdf")


def _period(month: Month) -> str:
    return str(month) if is_closed(month) else on_paper(NOT_CLOSED, {"month": str(month)})


def store_months(store_ids: Select, last: Month, count: int = 12) -> list[tuple[Month, int, Decimal]]:
    """The months in which some of these stores had charges, newest first: (month, store, total)."""
    first = months_back(last, count)[0]
    scrap = db.session.execute(
        select(Piece.scrap_month, Piece.store_id, sum_cents(Piece.scrap_cost))
        .where(
            Piece.scrap_month.between(first.key, last.key), Piece.blame == Blame.STORE, Piece.store_id.in_(store_ids)
        )
        .group_by(Piece.scrap_month, Piece.store_id)
    ).all()
    fees = db.session.execute(
        select(Batch.charge_month, Batch.store_id, sum_cents(Batch.shipping_fee))
        .where(Batch.charge_month.between(first.key, last.key), Batch.extra.is_(True), Batch.store_id.in_(store_ids))
        .group_by(Batch.charge_month, Batch.store_id)
    ).all()
    adjusted = db.session.execute(
        select(Adjustment.month, Adjustment.store_id, sum_cents(Adjustment.amount))
        .where(
            Adjustment.month.between(first.key, last.key),
            Adjustment.blame == Blame.STORE,
            Adjustment.store_id.in_(store_ids),
        )
        .group_by(Adjustment.month, Adjustment.store_id)
    ).all()
    sums: dict[tuple[int, int], Decimal] = {}
    for month_key, store_id, cents in [*scrap, *fees, *adjusted]:
        sums[(month_key, store_id)] = sums.get((month_key, store_id), ZERO) + from_cents(cents)
    return sorted(
        ((Month.from_key(m), s, amount) for (m, s), amount in sums.items()), key=lambda row: (-row[0].key, row[1])
    )
