"""The plain values the label and slip renderers take, made from a store's pieces and batches."""

from flask import current_app

from app.models import Batch, Piece
from app.services.settings import Rules
from labels.data import Party, PieceLabel, Slip, SlipLine
from workshop.clock import local_date


def size_colour(piece: Piece) -> str:
    return " / ".join(part for part in (piece.size, piece.colour) if part)


def piece_label(piece: Piece, rules: Rules) -> PieceLabel:
    # Labels are read in the workshop, whose working language is Chinese.
    return PieceLabel(
        code=piece.code,
        store=piece.store.name,
        product=piece.product.name,
        size_colour=size_colour(piece),
        defect=f"{piece.defect.code} {piece.defect.name_zh}",
        registered_on=local_date(piece.registered_at, rules.tz),
        batch=piece.batch.code if piece.batch is not None else None,
    )


def dispatch_slip(batch: Batch, rules: Rules) -> Slip:
    store = batch.store
    return Slip(
        kind="dispatch",
        batch_code=batch.code,
        sender=Party(name=store.name, contact=store.contact_name, phone=store.contact_phone, address=store.address),
        receiver=Party(name=current_app.config["CHAIN_NAME"]),
        iso_week=str(batch.week) if batch.week else "",
        date=local_date(batch.dispatched_at, rules.tz),
        carrier=batch.carrier,
        tracking_no=batch.tracking_no,
        lines=tuple(
            SlipLine(
                code=p.code,
                product=f"{p.product.style_code} {p.product.name}",
                size_colour=size_colour(p),
                defect=f"{p.defect.code} {p.defect.name_zh}",
                description=p.description,
            )
            for p in batch.pieces
        ),
        extra=batch.extra,
        shipping_fee=batch.shipping_fee,
    )
