"""The plain values the label and slip renderers take, made from pieces and batches — the
dispatch slip and the return slip from the same parties and the same settings.

Slips and labels are read in the workshop and the stores, whose working language is
Chinese: their words are Chinese whatever the language of the person who prints them.
"""

from flask import current_app
from flask_babel import force_locale, gettext

from app.models import Batch, Piece
from app.services.settings import Rules
from labels.data import Party, PieceLabel, Slip, SlipLine
from workshop.clock import local_date
from workshop.quota import IsoWeek
from workshop.statuses import Direction

PAPER_LOCALE = "zh_Hans"


def size_colour(piece: Piece) -> str:
    return " / ".join(part for part in (piece.size, piece.colour) if part)


def defect_text(piece: Piece) -> str:
    return f"{piece.defect.code} {piece.defect.name_zh}"


def workshop_party() -> Party:
    """The central workshop, as sender of return parcels and receiver of the stores' parcels."""
    return Party(name=current_app.config["CHAIN_NAME"])


def store_party(batch: Batch) -> Party:
    store = batch.store
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


def _line(piece: Piece, outcome: str | None = None) -> SlipLine:
    return SlipLine(
        code=piece.code,
        product=f"{piece.product.style_code} {piece.product.name}",
        size_colour=size_colour(piece),
        defect=defect_text(piece),
        description=piece.description,
        outcome=outcome,
    )


def dispatch_slip(batch: Batch, rules: Rules) -> Slip:
    return Slip(
        kind="dispatch",
        batch_code=batch.code,
        sender=store_party(batch),
        receiver=workshop_party(),
        iso_week=str(batch.week) if batch.week else "",
        date=local_date(batch.dispatched_at, rules.tz),
        carrier=batch.carrier,
        tracking_no=batch.tracking_no,
        lines=tuple(_line(p) for p in batch.pieces),
        extra=batch.extra,
        shipping_fee=batch.shipping_fee,
    )


def return_slip(batch: Batch, rules: Rules, at) -> Slip:
    """The slip of a return parcel; ``at`` is its dispatch, or now for one not yet dispatched."""
    with force_locale(PAPER_LOCALE):
        lines = tuple(_line(p, gettext(p.grade.label) if p.grade else "") for p in batch.return_pieces)
    return Slip(
        kind="return",
        batch_code=batch.code,
        sender=workshop_party(),
        receiver=store_party(batch),
        iso_week=str(IsoWeek.at(at, rules.tz)),
        date=local_date(at, rules.tz),
        carrier=batch.carrier,
        tracking_no=batch.tracking_no,
        lines=lines,
    )


def slip(batch: Batch, rules: Rules, at) -> Slip:
    return dispatch_slip(batch, rules) if batch.direction == Direction.OUTBOUND else return_slip(batch, rules, at)
