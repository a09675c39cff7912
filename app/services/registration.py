"""Registering faulty pieces at a store."""

from dataclasses import dataclass
from datetime import date, datetime

from app.models import DefectCode, Piece, Product, Store, User, utcnow
from app.services import history
from app.services.settings import Rules
from workshop.blame import Suggestion, inspection_warning
from workshop.clock import local_date
from workshop.errors import RuleViolation
from workshop.statuses import Source
from workshop.text import N_
from workshop.transitions import PieceAction


@dataclass(frozen=True)
class NewPiece:
    product: Product
    defect: DefectCode
    source: Source
    size: str = ""
    colour: str = ""
    description: str = ""
    delivery_received_on: date | None = None


def check_new_piece(data: NewPiece, today: date) -> None:
    if data.source == Source.DELIVERY and data.delivery_received_on is None:
        raise RuleViolation(N_("Give the date the store received the delivery this piece came in."))
    if data.delivery_received_on is not None and data.delivery_received_on > today:
        raise RuleViolation(N_("The delivery date cannot be in the future."))
    if not data.product.active:
        raise RuleViolation(N_("Product %(code)s is no longer active."), code=data.product.style_code)
    if not data.defect.active:
        raise RuleViolation(N_("Defect code %(code)s is no longer in use."), code=data.defect.code)


def register_piece(actor: User, store: Store, data: NewPiece, rules: Rules, at: datetime | None = None) -> Piece:
    at = at or utcnow()
    check_new_piece(data, local_date(at, rules.tz))
    piece = Piece(
        store=store,
        product=data.product,
        defect=data.defect,
        source=data.source,
        size=data.size.strip(),
        colour=data.colour.strip(),
        description=data.description.strip(),
        delivery_received_on=data.delivery_received_on if data.source == Source.DELIVERY else None,
        registered_at=at,
        registered_by=actor,
    )
    piece.status = None
    history.move(piece, PieceAction.REGISTER, actor, at=at)
    return piece


def counter_warning(data: NewPiece, rules: Rules, today: date) -> Suggestion | None:
    """Rule 3 said at the counter, so the store learns it when it registers late."""
    return inspection_warning(data.source, data.delivery_received_on, today, rules.inspection_window_days)


def mark_labelled(actor: User, pieces: list[Piece], at: datetime | None = None) -> None:
    """Record that these pieces' labels were printed, so "not yet labelled" finds the rest."""
    at = at or utcnow()
    for piece in pieces:
        history.move(piece, PieceAction.PRINT_LABEL, actor, at=at, data={"again": piece.labelled_at is not None})
        piece.labelled_at = at
