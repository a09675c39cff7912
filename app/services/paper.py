"""The plain values the label and slip renderers take, made from pieces and batches — the
dispatch slip and the return slip from the same parties and the same settings, and the
packing list each parcel is packed against before it leaves.

Slips and labels are read in the workshop and the stores, whose working language is
Chinese: their words are Chinese whatever the language of the person who prints them.
"""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import (
    Batch,
    CustomerReturn,
    PartStock,
    Piece,
    RepairOperation,
    SparePart,
    StockReceipt,
    StockReceiptLine,
    Store,
    Supplier,
)
from app.services import settings
from app.services.reasons import bilingual, on_paper
from app.services.settings import Rules
from labels.data import CustomerReceipt, PartLabel, Party, PieceLabel, Slip, SlipLine, StockDocument, StockLine
from workshop.clock import local_date
from workshop.guarantee import GuaranteeCategory, Rule, period_end
from workshop.quota import IsoWeek
from workshop.statuses import Direction, Grade
from workshop.text import N_

# What happened to a piece that goes back, as its return slip says it (not its grade).
OUTCOMES = {Grade.REPAIRABLE: N_("repaired"), Grade.NO_FAULT: N_("no fault found")}


def size_colour(piece: Piece) -> str:
    return " / ".join(part for part in (piece.size, piece.colour) if part)


def defect_text(piece: Piece) -> str:
    return f"{piece.defect.code} {piece.defect.name_zh}"


def workshop_party() -> Party:
    """The central workshop, as sender of return parcels and receiver of the stores' parcels."""
    found = settings.workshop()
    return Party(name=found.name, contact=found.contact, phone=found.phone, address=found.address)


def store_party(store: Store) -> Party:
    return Party(name=store.name, contact=store.contact_name, phone=store.contact_phone, address=store.address)


def piece_label(piece: Piece, rules: Rules) -> PieceLabel:
    return PieceLabel(
        code=piece.code,
        store=piece.store.name,
        product=piece.product.name,
        size_colour=size_colour(piece),
        defect=defect_text(piece),
        registered_on=local_date(piece.registered_at, rules.tz),
        batch=piece.batch.code if piece.batch is not None else None,
    )


def part_label(part: SparePart | PartLabel, location: str = "") -> PartLabel:
    """A spare part's shelf label; ``location`` is the shelf or bin it is kept in."""
    if isinstance(part, PartLabel):
        return part
    return PartLabel(code=part.code, name_zh=part.name_zh, name_en=part.name_en, unit=part.unit, location=location)


def _members(batch: Batch) -> list[Piece]:
    """The batch's pieces with what their lines print, in three queries whatever their number."""
    column = Piece.batch_id if batch.direction == Direction.OUTBOUND else Piece.return_batch_id
    return list(
        db.session.scalars(
            select(Piece)
            .where(column == batch.id)
            .options(joinedload(Piece.product), joinedload(Piece.defect), selectinload(Piece.repairs))
            .order_by(Piece.id)
        ).unique()
    )


def _line(piece: Piece, outcome: str | None = None, operations: tuple[str, ...] = ()) -> SlipLine:
    return SlipLine(
        code=piece.code,
        product=f"{piece.product.style_code} {piece.product.name}",
        size_colour=size_colour(piece),
        defect=defect_text(piece),
        description=piece.description,
        outcome=outcome,
        operations=operations,
    )


def outcome(piece: Piece) -> str:
    if piece.grade is None:
        return ""
    return bilingual(OUTCOMES.get(piece.grade) or piece.grade.label)


def operations_done(piece: Piece, names: dict[str, str]) -> tuple[str, ...]:
    """The repair operations of this trip (repairs since the piece arrived), by their Chinese
    names. (A technician's note stays on the piece's page: the slip's column is for the work.)"""
    return tuple(
        names.get(code, code)
        for repair in piece.repairs
        if piece.received_at is None or repair.repaired_at >= piece.received_at  # not an earlier trip's
        for code in repair.operations or ()
    )


def _operation_names() -> dict[str, str]:
    return {code: name for code, name in db.session.execute(select(RepairOperation.code, RepairOperation.name_zh))}


def _return_lines(pieces: Sequence[Piece]) -> tuple[SlipLine, ...]:
    names = _operation_names()
    return tuple(_line(p, outcome(p), operations_done(p, names)) for p in pieces)


def dispatch_slip(batch: Batch, rules: Rules) -> Slip:
    return Slip(
        kind="dispatch",
        batch_code=batch.code,
        sender=store_party(batch.store),
        receiver=workshop_party(),
        iso_week=str(batch.week) if batch.week else "",
        date=local_date(batch.dispatched_at, rules.tz),
        carrier=batch.carrier,
        tracking_no=batch.tracking_no,
        lines=tuple(_line(p) for p in _members(batch)),
        extra=batch.extra,
        shipping_fee=batch.shipping_fee,
        parcels=batch.parcels,
    )


def return_slip(batch: Batch, rules: Rules, at: datetime) -> Slip:
    """The slip of a return parcel; ``at`` is its dispatch, or now for one not yet dispatched."""
    return Slip(
        kind="return",
        batch_code=batch.code,
        sender=workshop_party(),
        receiver=store_party(batch.store),
        iso_week=str(IsoWeek.at(at, rules.tz)),
        date=local_date(at, rules.tz),
        carrier=batch.carrier,
        tracking_no=batch.tracking_no,
        lines=_return_lines(_members(batch)),
        parcels=batch.parcels,
    )


def packing_list(batch: Batch, rules: Rules, at: datetime) -> Slip:
    """What to pack, printed before the parcel leaves (no carrier yet): checked off piece by
    piece, then the slip is printed once the parcel is dispatched."""
    pieces = _members(batch)
    outbound = batch.direction == Direction.OUTBOUND
    workshop, store = workshop_party(), store_party(batch.store)
    return Slip(
        kind="dispatch" if outbound else "return",
        batch_code=batch.code,
        sender=store if outbound else workshop,
        receiver=workshop if outbound else store,
        iso_week=str(IsoWeek.at(at, rules.tz)),
        date=local_date(at, rules.tz),
        carrier="",
        tracking_no="",
        lines=tuple(_line(p) for p in pieces) if outbound else _return_lines(pieces),
        parcels=batch.parcels,
        packing_list=True,
    )


def slip(batch: Batch, rules: Rules, at: datetime) -> Slip:
    return dispatch_slip(batch, rules) if batch.direction == Direction.OUTBOUND else return_slip(batch, rules, at)


def customer_receipt(piece: Piece, record: CustomerReturn, rules: Rules, expected_back: date | None) -> CustomerReceipt:
    """The customer's receipt of the counter's decision, in Chinese (no customer details)."""
    assert record.decision is not None and record.decided_at is not None
    ends = period_end(record.sold_on, record.period_months)
    decided_on = local_date(record.decided_at, rules.tz)
    running = N_("within the guarantee") if decided_on <= ends else N_("guarantee ended")
    guarantee = on_paper(
        N_("%(category)s, %(months)d months, until %(date)s: %(state)s"),
        {
            "category": on_paper(GuaranteeCategory(record.category).label),
            "months": record.period_months,
            "date": ends.isoformat(),
            "state": on_paper(running),
        },
    )
    return CustomerReceipt(
        code=piece.code,
        store=piece.store.name,
        store_phone=piece.store.contact_phone,
        store_address=piece.store.address,
        product=f"{piece.product.style_code} {piece.product.name}",
        size_colour=size_colour(piece),
        defect=defect_text(piece),
        sold_on=record.sold_on,
        price_paid=record.price_paid,
        receipt_no=record.receipt_no,
        guarantee=guarantee,
        decision=on_paper(record.decision.label),
        rule=on_paper(Rule(record.rule).message, record.rule_params or {}) if record.rule else "",
        amount=record.amount,
        expected_back=expected_back if record.decision.to_workshop else None,
        decided_on=decided_on,
        decided_by=record.decided_by.display_name if record.decided_by else "",
        reason=record.reason,
    )


# --- The store room's paper: receipt slips and count sheets -------------------------------


def supplier_party(supplier: Supplier) -> Party:
    return Party(
        name=supplier.name, contact=supplier.contact_name, phone=supplier.contact_phone, address=supplier.address
    )


def receipt_document(receipt: StockReceipt, location_name: str, rules: Rules) -> StockDocument:
    """The receipt slip (备件接收单): its lines at the prices received, for two copies."""
    lines = db.session.scalars(
        select(StockReceiptLine)
        .where(StockReceiptLine.receipt_id == receipt.id)
        .options(joinedload(StockReceiptLine.part))
        .order_by(StockReceiptLine.id)
    )
    return StockDocument(
        kind="receipt",
        number=receipt.number,
        location=location_name,
        date=local_date(receipt.received_at, rules.tz),
        lines=tuple(
            StockLine(
                code=line.part.code,
                name_zh=line.part.name_zh,
                name_en=line.part.name_en,
                unit=line.part.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in lines
        ),
        supplier=supplier_party(receipt.supplier) if receipt.supplier is not None else None,
        delivery_note=receipt.delivery_note,
        note=receipt.note,
        prepared_by=receipt.received_by.display_name if receipt.received_by is not None else "",
    )


def count_sheet(
    number: str, location_name: str, shelves: Sequence[tuple[SparePart, PartStock | None]], day: date
) -> StockDocument:
    """The stocktake count sheet (盘点表): every part with its shelf and what the books say."""
    return StockDocument(
        kind="count",
        number=number,
        location=location_name,
        date=day,
        lines=tuple(
            StockLine(
                code=part.code,
                name_zh=part.name_zh,
                name_en=part.name_en,
                unit=part.unit,
                quantity=stock.on_hand if stock is not None else 0,
                shelf=stock.shelf if stock is not None else "",
            )
            for part, stock in shelves
        ),
    )
