"""Registering faulty pieces at a store."""

from dataclasses import dataclass
from datetime import date, datetime

from app import clock
from app.extensions import db
from app.models import DefectCode, Piece, Product, Store, User
from app.services import counter, history, scope
from app.services.settings import Rules
from workshop.blame import Suggestion, inspection_warning
from workshop.clock import local_date
from workshop.errors import DomainError, RowRefused, RuleViolation
from workshop.statuses import AT_STORE, Source
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
    purchase: counter.Purchase | None = None  # a customer's return: what was bought, for 三包


def check_new_piece(data: NewPiece, today: date, kept: frozenset[str] = frozenset()) -> None:
    """Refuse details a piece cannot have; ``kept`` names the product or defect a correction
    leaves as it was (it may have been retired since, and stays)."""
    if data.source == Source.DELIVERY and data.delivery_received_on is None:
        raise RuleViolation(N_("Give the date the store received the delivery this piece came in."))
    if data.delivery_received_on is not None and data.delivery_received_on > today:
        raise RuleViolation(N_("The delivery date cannot be in the future."))
    if not data.product.active and "product" not in kept:
        raise RuleViolation(N_("Product %(code)s is no longer active."), code=data.product.style_code)
    if not data.defect.active and "defect" not in kept:
        raise RuleViolation(N_("Defect code %(code)s is no longer in use."), code=data.defect.code)


def register_piece(
    actor: User, store: Store, data: NewPiece, rules: Rules, at: datetime | None = None, import_id: int | None = None
) -> Piece:
    at = at or clock.now()
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
        import_id=import_id,
    )
    piece.status = None
    history.move(piece, PieceAction.REGISTER, actor, at=at)
    if data.purchase is not None:
        counter.record_purchase(piece, data.purchase, local_date(at, rules.tz))
    return piece


def counter_warning(data: NewPiece, rules: Rules, today: date) -> Suggestion | None:
    """Rule 3 said at the counter, so the store learns it when it registers late."""
    return inspection_warning(data.source, data.delivery_received_on, today, rules.inspection_window_days)


def mark_labelled(actor: User, pieces: list[Piece], at: datetime | None = None) -> None:
    """Record that these pieces' labels were printed, so "not yet labelled" finds the rest."""
    at = at or clock.now()
    for piece in pieces:
        history.move(piece, PieceAction.PRINT_LABEL, actor, at=at, data={"again": piece.labelled_at is not None})
        piece.labelled_at = at


def unlabelled(actor: User) -> list[Piece]:
    """This user's pieces still at their store whose label was never printed (a store's own, for
    store staff): a piece that has left the store — sent, returned, scrapped — needs none."""
    query = scope.pieces(actor).where(Piece.labelled_at.is_(None), Piece.status.in_(sorted(AT_STORE)))
    if actor.store_id is not None:
        query = query.where(Piece.store_id == actor.store_id)
    return list(db.session.scalars(query.order_by(Piece.id).with_for_update()))


def register_all(
    actor: User, store: Store, items: list[NewPiece], rules: Rules, at: datetime | None = None
) -> list[Piece]:
    """Register every piece or none: the first refusal names its position in the list."""
    made = []
    for index, data in enumerate(items):
        try:
            made.append(register_piece(actor, store, data, rules, at=at))
        except DomainError as e:
            raise RowRefused(index, e, field=f"pieces[{index}]") from None
    return made
