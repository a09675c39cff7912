"""Requisitions (备用件领料单): above a quantity or a value (settings), parts are issued to a
repair only against a requisition for that piece that the lead approved first (seed §3.6.1)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import PartStock, Piece, Repair, Requisition, RequisitionLine, SparePart, User
from app.services import history, scope, stock
from workshop.errors import NotFound, RuleViolation
from workshop.statuses import RequisitionStatus
from workshop.stock import ZERO_COST, RequisitionLimits, check_quantity, line_value, needs_requisition
from workshop.text import N_
from workshop.transitions import RequisitionAction

PAGE_SIZE = 50


def estimated_value(part_id: int, quantity: int) -> tuple[int, object]:
    location = stock.workshop_location()
    average = db.session.scalar(
        select(PartStock.average_cost).where(PartStock.location_id == location.id, PartStock.part_id == part_id)
    )
    return quantity, line_value(quantity, average if average is not None else ZERO_COST)


def covering(piece: Piece, wanted: dict[int, int], limits: RequisitionLimits) -> dict[int, Requisition]:
    """For each part issued above the limits, the approved requisition of this piece that
    covers it; refused, with what to do, when there is none."""
    found: dict[int, Requisition] = {}
    for part_id, quantity in wanted.items():
        _, value = estimated_value(part_id, quantity)
        if not needs_requisition(quantity, value, limits):
            continue
        requisition = db.session.scalar(
            select(Requisition)
            .join(RequisitionLine, RequisitionLine.requisition_id == Requisition.id)
            .where(
                Requisition.piece_id == piece.id,
                Requisition.status == RequisitionStatus.APPROVED,
                RequisitionLine.part_id == part_id,
                RequisitionLine.quantity >= quantity,
            )
            .order_by(Requisition.id)
            .limit(1)
        )
        if requisition is None:
            part = db.session.get(SparePart, part_id)
            raise RuleViolation(
                N_(
                    "%(quantity)d × %(part)s (%(value)s) is above the limit of %(limit_quantity)d units or "
                    "%(limit_value)s: ask for a requisition for this piece and have it approved first."
                ),
                quantity=quantity,
                part=f"{part.code} {part.name_zh}",
                value=str(value),
                limit_quantity=limits.quantity,
                limit_value=str(limits.value),
            )
        found[part_id] = requisition
    return found


def request(actor: User, piece: Piece | None, lines: list[tuple[int, int]], reason: str = "") -> Requisition:
    if not lines:
        raise RuleViolation(N_("A requisition needs at least one part with its quantity."))
    merged: dict[int, int] = {}
    for part_id, quantity in lines:
        check_quantity(quantity)
        stock.get_part(part_id)
        merged[part_id] = merged.get(part_id, 0) + quantity
    requisition = Requisition(
        location_id=stock.workshop_location().id,
        piece_id=piece.id if piece is not None else None,
        reason=reason.strip(),
        requested_by_id=actor.id,
        requested_at=clock.now(),
    )
    history.move_requisition_status(requisition, RequisitionAction.REQUEST, actor, reason=reason)
    db.session.add_all(RequisitionLine(requisition_id=requisition.id, part_id=p, quantity=q) for p, q in merged.items())
    return requisition


def decide(actor: User, requisition: Requisition, action: RequisitionAction, note: str = "") -> None:
    """The lead approves or rejects; the technician may cancel one not yet issued."""
    history.move_requisition_status(requisition, action, actor, reason=note)
    if action in (RequisitionAction.APPROVE, RequisitionAction.REJECT):
        requisition.decided_at = clock.now()
        requisition.decided_by_id = actor.id
        requisition.decision_note = note.strip()


def mark_issued(actor: User, requisition: Requisition, repair: Repair, *, at: datetime | None = None) -> None:
    history.move_requisition_status(requisition, RequisitionAction.ISSUE, actor, at=at, data={"repair": repair.id})
    requisition.repair_id = repair.id


def get(user: User, requisition_id: int, *, for_update: bool = False) -> Requisition:
    query = select(Requisition).where(Requisition.id == requisition_id)
    requisition = db.session.scalar(query.with_for_update() if for_update else query)
    # Requisitions are the workshop's: only those who see the workshop's store room see them.
    if requisition is None or scope.find_workshop_location(user) is None:
        raise NotFound()
    return requisition


def listing(status: RequisitionStatus | None, before: int | None = None) -> tuple[list[Requisition], int | None]:
    query = select(Requisition).options(
        selectinload(Requisition.lines).joinedload(RequisitionLine.part),
        selectinload(Requisition.piece),
        selectinload(Requisition.requested_by),
    )
    if status is not None:
        query = query.where(Requisition.status == status)
    if before:
        query = query.where(Requisition.id < before)
    found = list(db.session.scalars(query.order_by(Requisition.id.desc()).limit(PAGE_SIZE + 1)))
    return found[:PAGE_SIZE], found[PAGE_SIZE - 1].id if len(found) > PAGE_SIZE else None
