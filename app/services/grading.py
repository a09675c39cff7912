"""Grading, repairing and scrapping at the workshop (rules 3, 4, 5 and 6)."""

from dataclasses import dataclass
from datetime import datetime

from app import clock
from app.extensions import db
from app.models import Piece, Repair, RepairPart, SparePart, User
from app.services import history, old_parts, reminders, settings, stock
from app.services import requisitions as spares_requisitions
from app.services.finance.months import closed_months
from app.services.settings import Rules
from workshop.blame import Suggestion, suggest_blame
from workshop.clock import local_date
from workshop.errors import RuleViolation
from workshop.money import Month, ensure_open, money
from workshop.repairs import needs_exchange
from workshop.statuses import GRADED_STATUS, SCRAPPING_GRADES, Blame, Grade
from workshop.stock import repair_cost
from workshop.text import N_
from workshop.transitions import PieceAction


def suggestion_for(piece: Piece, rules: Rules) -> Suggestion:
    return suggest_blame(
        defect_kind=piece.defect.kind,
        defect_blame=piece.defect.suggested_blame,
        source=piece.source,
        delivery_received_on=piece.delivery_received_on,
        registered_on=local_date(piece.registered_at, rules.tz),
        window_days=rules.inspection_window_days,
    )


def flagged_for_exchange(piece: Piece) -> bool:
    return needs_exchange([r.defect_id for r in piece.repairs], piece.defect_id)


@dataclass(frozen=True)
class BlameChoice:
    blame: Blame
    reason: str = ""  # required when it differs from the suggestion


def _check_scrap(choice: BlameChoice | None, suggestion: Suggestion, rules: Rules, at: datetime) -> None:
    """Everything that can refuse a scrapping, checked before anything changes."""
    if choice is None:
        raise RuleViolation(N_("A scrapped piece needs a blame: supplier, store or head office."))
    if choice.blame != suggestion.blame and not choice.reason.strip():
        raise RuleViolation(
            N_("You chose %(chosen)s instead of the suggested %(suggested)s: write why."),
            chosen=choice.blame.label,
            suggested=suggestion.blame.label,
        )
    ensure_open(Month.at(at, rules.tz), closed_months())


def _apply_scrap(
    piece: Piece, choice: BlameChoice, suggestion: Suggestion, rules: Rules, at: datetime, translate
) -> dict:
    overridden = choice.blame != suggestion.blame
    month = Month.at(at, rules.tz)
    piece.suggested_blame = suggestion.blame
    piece.blame = choice.blame
    piece.blame_overridden = overridden
    # A rule's reason is kept as its sentence and parameters, read in each reader's language
    # (app.services.reasons); a technician's override as the words they wrote.
    piece.blame_reason = choice.reason.strip() if overridden else ""
    piece.blame_reason_id = None if overridden else suggestion.reason
    piece.blame_reason_params = None if overridden else dict(suggestion.params)
    piece.blamed_supplier_id = piece.product.supplier_id if choice.blame == Blame.SUPPLIER else None
    # The cost is copied now: a later change of the product's cost never rewrites a month.
    piece.scrap_cost = money(piece.product.unit_cost)
    piece.scrapped_at = at
    piece.scrap_month = month.key
    return {
        "blame": choice.blame.value,
        "suggested": suggestion.blame.value,
        "overridden": overridden,
        "cost": str(piece.scrap_cost),
        "month": str(month),
        **({} if overridden else {"reason_id": suggestion.reason, "reason_params": dict(suggestion.params)}),
    }


def grade_piece(
    actor: User,
    piece: Piece,
    grade: Grade,
    rules: Rules,
    *,
    blame: BlameChoice | None = None,
    note: str = "",
    at: datetime | None = None,
    translate=lambda s: s,
) -> None:
    at = at or clock.now()
    data: dict = {"grade": grade.value}
    scrapping = grade in SCRAPPING_GRADES
    suggestion = suggestion_for(piece, rules) if scrapping else None
    if scrapping:
        _check_scrap(blame, suggestion, rules, at)
    # Check the move first, so a refused move changes nothing on the piece; the status and
    # the scrap fields reach the database together (a CHECK constraint insists).
    with db.session.no_autoflush:
        event = history.move(piece, PieceAction.GRADE, actor, target=GRADED_STATUS[grade], at=at, reason=note.strip())
        if scrapping:
            data |= _apply_scrap(piece, blame, suggestion, rules, at, translate)
            event.reason = piece.blame_reason
    piece.grade = grade
    piece.graded_at = at
    piece.graded_by = actor
    event.data = data
    if grade == Grade.EXCHANGE:
        reminders.exchange_decided(db.session, piece)


def scrap_after_all(
    actor: User, piece: Piece, rules: Rules, blame: BlameChoice, *, at: datetime | None = None, translate=lambda s: s
) -> None:
    """A repairable piece that turns out impossible to repair."""
    at = at or clock.now()
    suggestion = suggestion_for(piece, rules)
    _check_scrap(blame, suggestion, rules, at)
    with db.session.no_autoflush:
        event = history.move(piece, PieceAction.SCRAP, actor, at=at)
        event.data = _apply_scrap(piece, blame, suggestion, rules, at, translate)
    event.reason = piece.blame_reason
    piece.grade = Grade.SCRAP
    piece.graded_at = at
    piece.graded_by = actor


def change_blame(actor: User, piece: Piece, blame: Blame, reason: str, *, at: datetime | None = None) -> None:
    if not reason.strip():
        raise RuleViolation(N_("Write why the blame changes."))
    ensure_open(Month.from_key(piece.scrap_month), closed_months())
    event = history.move(piece, PieceAction.CHANGE_BLAME, actor, at=at, reason=reason.strip())
    event.data = {"from": piece.blame.value if piece.blame else None, "to": blame.value}
    piece.blame = blame
    piece.blame_overridden = blame != piece.suggested_blame
    piece.blame_reason = reason.strip()
    piece.blame_reason_id = piece.blame_reason_params = None
    piece.blamed_supplier_id = piece.product.supplier_id if blame == Blame.SUPPLIER else None


@dataclass(frozen=True)
class RepairRecord:
    operations: tuple[str, ...]
    minutes: int
    note: str = ""
    parts: tuple[tuple[int, int], ...] = ()  # (spare part id, quantity)
    keep_old_parts: bool = False  # the replaced parts are kept for the supplier's claim


def record_repair(actor: User, piece: Piece, record: RepairRecord, *, at: datetime | None = None) -> Repair:
    """The repair, its parts issued from the workshop's stock in the same transaction (refused,
    with what is on the shelf, when they are not there), and what it cost."""
    at = at or clock.now()
    if record.minutes < 0 or record.minutes > 24 * 60:
        raise RuleViolation(N_("Minutes spent must be between 0 and 1440."))
    if not record.operations and not record.note.strip():
        raise RuleViolation(N_("Say what was done: choose an operation or write a note."))
    # The parts are checked before the move: looking one up flushes the session, and an
    # event, once written, is never edited (so its data is given to the move up front).
    wanted: dict[int, int] = {}
    for part_id, quantity in record.parts:
        if quantity <= 0:
            raise RuleViolation(N_("A spare part's quantity must be at least 1."))
        if db.session.get(SparePart, part_id) is None:
            raise RuleViolation(N_("Unknown spare part."))
        wanted[part_id] = wanted.get(part_id, 0) + quantity
    terms = settings.spares()
    requisitions = spares_requisitions.covering(piece, wanted, terms.limits)
    data = {
        "operations": list(record.operations),
        "minutes": record.minutes,
        "parts": [[p, q] for p, q in record.parts],
    }
    history.move(piece, PieceAction.REPAIR, actor, at=at, reason=record.note.strip(), data=data)
    repair = Repair(
        piece=piece,
        trip=piece.trip or 1,
        defect_id=piece.defect_id,
        operations=list(record.operations),
        note=record.note.strip(),
        minutes=record.minutes,
        repaired_at=at,
        repaired_by=actor,
    )
    db.session.add(repair)
    db.session.flush()
    values = []
    for part_id, quantity in wanted.items():
        requisition = requisitions.get(part_id)
        movement = stock.issue_to_repair(
            actor, repair, db.session.get(SparePart, part_id), quantity, requisition.id if requisition else None
        )
        repair.parts.append(RepairPart(spare_part_id=part_id, quantity=quantity, value=-movement.value))
        values.append(-movement.value)
    for requisition in {r.id: r for r in requisitions.values()}.values():
        spares_requisitions.mark_issued(actor, requisition, repair, at=at)
    if record.keep_old_parts:
        old_parts.keep(repair, piece, wanted, at=at)
    costs = repair_cost(values, record.minutes, terms.labour_rate)
    repair.parts_cost = costs.parts
    repair.labour_cost = costs.labour
    return repair
