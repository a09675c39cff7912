"""Old parts (旧件): a part replaced in a repair can be kept for the supplier's claim; every
month the workshop goes through those still on hand and returns each to its supplier or
scraps it, and that is recorded with who, when and why (seed §3.7.5)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import OldPart, Piece, Repair, User
from app.services.finance.repair_costs import month_bounds
from app.services.settings import Rules
from workshop.errors import AlreadyDone, NotFound
from workshop.money import Month
from workshop.stock import OldPartAction
from workshop.text import N_

PAGE_SIZE = 50


def keep(repair: Repair, piece: Piece, parts: dict[int, int], *, at: datetime | None = None) -> list[OldPart]:
    kept = [
        OldPart(
            repair_id=repair.id,
            part_id=part_id,
            quantity=quantity,
            supplier_id=piece.product.supplier_id,
            kept_at=at or clock.now(),
        )
        for part_id, quantity in parts.items()
    ]
    db.session.add_all(kept)
    return kept


def listing(
    month: Month | None, rules: Rules, *, on_hand_only: bool, before: int | None = None
) -> tuple[list[OldPart], int | None]:
    """Old parts kept (in a month, or all), still on hand or all of them, newest first."""
    query = select(OldPart).options(
        joinedload(OldPart.part), joinedload(OldPart.supplier), joinedload(OldPart.repair).joinedload(Repair.piece)
    )
    if on_hand_only:
        query = query.where(OldPart.action.is_(None))
    if month is not None:
        start, end = month_bounds(month, rules)
        query = query.where(OldPart.kept_at >= start, OldPart.kept_at < end)
    if before:
        query = query.where(OldPart.id < before)
    found = list(db.session.scalars(query.order_by(OldPart.id.desc()).limit(PAGE_SIZE + 1)))
    return found[:PAGE_SIZE], found[PAGE_SIZE - 1].id if len(found) > PAGE_SIZE else None


def deal_with(actor: User, old_part_id: int, action: OldPartAction, note: str = "") -> OldPart:
    found = db.session.scalar(select(OldPart).where(OldPart.id == old_part_id).with_for_update())
    if found is None:
        raise NotFound()
    if found.action is not None:
        raise AlreadyDone(
            N_("This old part was already dealt with: %(action)s."), action=OldPartAction(found.action).label
        )
    found.action = action
    found.action_at = clock.now()
    found.action_by_id = actor.id
    found.action_note = note.strip()[:2000]
    return found
