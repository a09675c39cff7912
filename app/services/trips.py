"""The second trip (返修次数): a piece back at its store that the customer returns again is
sent in again as the same piece — same code and label, its history continuing — with its own
defect, description, photos and 15-day clock. Rule 6 counts its repairs across trips."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, case, func, select

from app import clock
from app.extensions import db
from app.models import DefectCode, Piece, PieceTrip, Product, Supplier, User
from app.services import history
from app.services.settings import rules as current_rules
from workshop.clock import local_date
from workshop.errors import RuleViolation
from workshop.statuses import Grade, PieceStatus, Source
from workshop.text import N_
from workshop.transitions import PieceAction

# A repaired piece that comes back within this many days counts as a repeat repair.
REPEAT_WINDOW_DAYS = 90


@dataclass(frozen=True)
class NewTrip:
    defect: DefectCode
    description: str = ""
    source: Source = Source.CUSTOMER_RETURN


def send_again(actor: User, piece: Piece, trip: NewTrip, at: datetime | None = None) -> PieceTrip:
    """Start the piece's next trip; the trip that ended is kept as it was."""
    at = at or clock.now()
    rules = current_rules()
    if not trip.defect.active:
        raise RuleViolation(N_("Defect code %(code)s is no longer in use."), code=trip.defect.code)
    ended = PieceTrip(
        piece_id=piece.id,
        number=piece.trip,
        defect_id=piece.defect_id,
        description=piece.description,
        source=piece.source,
        registered_at=piece.registered_at,
        batch_id=piece.batch_id,
        return_batch_id=piece.return_batch_id,
        dispatched_at=piece.dispatched_at,
        due_on=piece.due_on,
        received_at=piece.received_at,
        grade=piece.grade,
        graded_at=piece.graded_at,
        back_at=piece.back_at,
        back_on=piece.back_on,
        came_back_at=at,
        days_back=(local_date(at, rules.tz) - piece.back_on).days if piece.back_on else None,
        product_id=piece.product_id,
        supplier_id=piece.product.supplier_id,
    )
    data = {
        "trip": piece.trip + 1,
        "defect": trip.defect.code,
        "previous_defect": piece.defect.code,
        "previous_grade": piece.grade.value if piece.grade else None,
    }
    history.move(piece, PieceAction.REOPEN, actor, at=at, reason=trip.description.strip(), data=data)
    db.session.add(ended)
    piece.trip += 1
    piece.defect = trip.defect
    piece.description = trip.description.strip()
    piece.source = trip.source
    piece.delivery_received_on = None
    piece.registered_at = at
    piece.registered_by = actor
    piece.batch = None
    piece.return_batch = None
    for name in ("dispatched_at", "due_on", "received_at", "back_at", "back_on", "grade", "graded_at", "graded_by"):
        setattr(piece, name, None)
    piece.suggested_blame = None
    piece.blame_overridden = False
    return ended


def repeat_repairs(by: str, since: date, limit: int = 20) -> list[dict]:
    """Of the repaired pieces back at their stores since ``since``, the share that came back
    within 90 days — by supplier or by product, the most repeated first.

    Reads ended trips (piece_trip) and current trips back at their store; both filtered by
    their back date on an index, so the cost follows the period asked for, not the years kept."""
    ended = select(
        PieceTrip.supplier_id.label("supplier_id"),
        PieceTrip.product_id.label("product_id"),
        case((PieceTrip.days_back <= REPEAT_WINDOW_DAYS, 1), else_=0).label("back_again"),
    ).where(PieceTrip.back_on >= since, PieceTrip.grade == Grade.REPAIRABLE)
    current = (
        select(
            Product.supplier_id.label("supplier_id"),
            Piece.product_id.label("product_id"),
            func.cast(0, db.Integer).label("back_again"),
        )
        .join(Product, Product.id == Piece.product_id)
        .where(
            Piece.status == PieceStatus.BACK_AT_STORE,
            Piece.back_on >= since,
            Piece.grade == Grade.REPAIRABLE,
        )
    )
    rows = ended.union_all(current).subquery()
    key = rows.c.supplier_id if by == "supplier" else rows.c.product_id
    query: Select = (
        select(key, func.count().label("repaired"), func.sum(rows.c.back_again).label("back_again"))
        .group_by(key)
        .order_by(func.sum(rows.c.back_again).desc(), func.count().desc())
        .limit(limit)
    )
    found = db.session.execute(query).all()
    model = Supplier if by == "supplier" else Product
    names = (
        {thing.id: thing for thing in db.session.scalars(select(model).where(model.id.in_([r[0] for r in found])))}
        if found
        else {}
    )
    return [
        {
            "id": row[0],
            "name": names[row[0]].name if row[0] in names else "",
            "code": getattr(names.get(row[0]), "code", None) or getattr(names.get(row[0]), "style_code", ""),
            "repaired": row[1],
            "back_again": int(row[2] or 0),
            "share": (int(row[2] or 0) / row[1]) if row[1] else 0.0,
        }
        for row in found
    ]
