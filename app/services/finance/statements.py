"""Statements (PDF data): the supplier's claim and the store's charges of a month, and the
store's months with charges."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import Select, select

from app.extensions import db
from app.models import Adjustment, Batch, Piece, Store, Supplier
from app.services.finance.allocation import extra_batches, months_back, party_adjustments, party_pieces
from app.services.finance.months import is_closed
from app.services.finance.sums import ZERO, from_cents, sum_cents
from labels.data import Party, Statement, StatementLine
from workshop.codes import piece_code
from workshop.money import Month, total
from workshop.statuses import Blame

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
    party = Party(supplier.name, supplier.contact_name, supplier.contact_phone, supplier.address)
    sections = ((ADJUSTMENT_SECTION, adjustments),)
    return _data("claim", CLAIM_TITLE, party, month, lines, sections, prepared_by, today, f"claim-{supplier.code}")


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
    party = Party(store.name, store.contact_name, store.contact_phone, store.address)
    sections = ((EXTRA_SECTION, extras), (ADJUSTMENT_SECTION, adjustments))
    return _data("store", STORE_TITLE, party, month, lines, sections, prepared_by, today, f"store-{store.code}")


def _data(kind, title, party, month, lines, sections, prepared_by, today, name) -> StatementData:
    """A statement of a month: its lines, the sections that have lines, the total of all."""
    sections = tuple((heading, part) for heading, part in sections if part)
    statement = Statement(
        kind=kind,
        title=title,
        party=party,
        issuer=_issuer(),
        period=_period(month),
        lines=lines,
        sections=sections,
        prepared_by=prepared_by,
        generated_on=today,
    )
    amount = total(line.amount for line in lines + tuple(line for _h, part in sections for line in part))
    return StatementData(statement, amount, f"{name}-{month}.pdf")


def _period(month: Month) -> str:
    return str(month) if is_closed(month) else f"{month}（未结账 not closed）"


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
