"""Disputes on a supplier's claim: the supplier disputes pieces of a claim it received;
finance records each with the supplier's words and resolves it.

- accepted: the dispute is rejected and the amount stays in the claim;
- withdrawn: the piece no longer counts against the supplier. Its closed month does not
  change (rule 5): the open month gets an adjustment crediting the supplier and one
  charging head office, and the claim's amount goes down by the piece's cost. The
  supplier's credit is settled by this claim, so a later claim does not count it again
  (finance.claims.supplier_total leaves it out).

Every step is a move of the claims' transition table (CLAIM_TABLE) through history, with
the piece named in the event, so it shows in the piece's timeline and the claim's month.
"""

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import Claim, ClaimDispute, Piece, User
from app.services import history
from app.services.finance.adjustments import AdjustmentEntry, book_adjustment
from app.services.finance.allocation import party_pieces
from app.services.settings import Rules
from workshop.errors import AlreadyDone, RuleViolation
from workshop.money import Month, money
from workshop.statuses import Blame, DisputeStatus
from workshop.text import N_
from workshop.transitions import ClaimAction

OUTCOMES = (DisputeStatus.ACCEPTED, DisputeStatus.WITHDRAWN)
NOTE_LENGTH = 1000


def claim_pieces(claim: Claim) -> Select:
    """The pieces the claim is made of: its supplier's scrap of its month."""
    return party_pieces(Month.from_key(claim.month), Blame.SUPPLIER, claim.supplier_id)


def disputes_of(claim: Claim) -> list[ClaimDispute]:
    return list(
        db.session.scalars(
            select(ClaimDispute)
            .where(ClaimDispute.claim_id == claim.id)
            .options(
                joinedload(ClaimDispute.piece), joinedload(ClaimDispute.raised_by), joinedload(ClaimDispute.resolved_by)
            )
            .order_by(ClaimDispute.id)
        )
    )


def _note(text: str, prompt: str) -> str:
    text = (text or "").strip()
    if not text:
        raise RuleViolation(prompt)
    if len(text) > NOTE_LENGTH:
        raise RuleViolation(N_("Keep the note under %(n)d characters."), n=NOTE_LENGTH)
    return text


def dispute_piece(actor: User, claim: Claim, piece: Piece, note: str, *, at: datetime | None = None) -> ClaimDispute:
    """The supplier disputes one piece of a claim it has received."""
    at = at or clock.now()
    note = _note(note, N_("Write what the supplier disputes about this piece."))
    in_claim = db.session.scalar(claim_pieces(claim).where(Piece.id == piece.id).with_only_columns(Piece.id))
    if in_claim is None:
        raise RuleViolation(N_("Piece %(code)s is not in claim %(number)s."), code=piece.code, number=claim.number)
    existing = db.session.scalar(
        select(ClaimDispute).where(ClaimDispute.claim_id == claim.id, ClaimDispute.piece_id == piece.id)
    )
    if existing is not None:
        raise AlreadyDone(N_("Piece %(code)s is already disputed on this claim."), code=piece.code)
    history.move_claim_status(
        claim,
        ClaimAction.DISPUTE,
        actor,
        at=at,
        reason=note,
        piece_id=piece.id,
        data={"piece": piece.code, "amount": str(piece.scrap_cost)},
    )
    dispute = ClaimDispute(
        claim_id=claim.id,
        piece_id=piece.id,
        amount=money(piece.scrap_cost),
        status=DisputeStatus.DISPUTED,
        note=note,
        raised_at=at,
        raised_by=actor,
    )
    db.session.add(dispute)
    claim.updated_at = at
    db.session.flush()
    return dispute


def resolve_dispute(
    actor: User,
    dispute: ClaimDispute,
    outcome: DisputeStatus,
    resolution: str,
    rules: Rules,
    *,
    at: datetime | None = None,
) -> None:
    at = at or clock.now()
    if outcome not in OUTCOMES:
        raise RuleViolation(N_("Choose whether the amount stays or the piece is withdrawn."))
    resolution = _note(resolution, N_("Write how the dispute was resolved."))
    if dispute.status != DisputeStatus.DISPUTED:
        raise AlreadyDone(N_("This dispute is already resolved. Nothing was changed."))
    claim, piece = dispute.claim, dispute.piece
    history.move_claim_status(
        claim,
        ClaimAction.RESOLVE,
        actor,
        at=at,
        reason=resolution,
        piece_id=piece.id,
        data={"piece": piece.code, "outcome": outcome.value, "amount": str(dispute.amount)},
    )
    if outcome == DisputeStatus.WITHDRAWN:
        why = f"{claim.number} {piece.code}: {resolution}"
        credit = book_adjustment(
            actor,
            AdjustmentEntry(Blame.SUPPLIER, -dispute.amount, why, piece=piece, supplier_id=claim.supplier_id),
            rules,
            at=at,
        )
        charge = book_adjustment(actor, AdjustmentEntry(Blame.HQ, dispute.amount, why, piece=piece), rules, at=at)
        dispute.supplier_adjustment_id, dispute.hq_adjustment_id = credit.id, charge.id
        claim.amount = money(claim.amount - dispute.amount)
    dispute.status = outcome
    dispute.resolution = resolution
    dispute.resolved_at = at
    dispute.resolved_by = actor
    claim.updated_at = at
    db.session.flush()
    if open_disputes(claim) == 0:
        history.move_claim_status(claim, ClaimAction.END_DISPUTE, actor, at=at, data={"amount": str(claim.amount)})


def open_disputes(claim: Claim) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ClaimDispute)
            .where(ClaimDispute.claim_id == claim.id, ClaimDispute.status == DisputeStatus.DISPUTED)
        )
        or 0
    )


def get_dispute(claim: Claim, dispute_id: int) -> ClaimDispute:
    from workshop.errors import NotFound

    found = db.session.get(ClaimDispute, dispute_id)
    if found is None or found.claim_id != claim.id:
        raise NotFound()
    return found
