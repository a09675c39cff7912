"""The store's weekly batch: open it, fill it, dispatch it (rules 1 and 2)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import Batch, Piece, Store, User
from app.services import history, reminders, scope
from app.services.settings import Rules
from workshop.clock import due_date
from workshop.codes import CodeKind, parse_code, piece_code
from workshop.errors import NotFound, RuleViolation, WrongBatch
from workshop.money import Month, money
from workshop.quota import IsoWeek, is_extra
from workshop.statuses import BatchStatus, Direction, PieceStatus
from workshop.text import N_
from workshop.transitions import BatchAction, PieceAction, ensure_batch_open, move_batch

MAX_PARCELS = 99


def open_batch(store: Store, direction: Direction) -> Batch | None:
    return db.session.scalars(
        select(Batch).where(Batch.store_id == store.id, Batch.direction == direction, Batch.status == BatchStatus.OPEN)
    ).one_or_none()


def open_or_create_batch(actor: User, store: Store, direction: Direction, at: datetime | None = None) -> Batch:
    batch = open_batch(store, direction)
    if batch is None:
        batch = Batch(direction=direction, store=store, created_by=actor, created_at=at or clock.now())
        batch.status = None
        history.move_batch_status(batch, BatchAction.OPEN, actor, at=at)
    return batch


def dispatched_in_week(store: Store, week: IsoWeek) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                Batch.store_id == store.id,
                Batch.direction == Direction.OUTBOUND,
                Batch.iso_week == week.key,
                # A parcel taken back never left: it gives its week's quota back.
                Batch.status.notin_([BatchStatus.OPEN, BatchStatus.TAKEN_BACK]),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class QuotaCheck:
    week: IsoWeek
    already: int
    quota: int
    extra: bool


def quota_check(store: Store, rules: Rules, at: datetime | None = None) -> QuotaCheck:
    week = IsoWeek.at(at or clock.now(), rules.tz)
    already = dispatched_in_week(store, week)
    return QuotaCheck(week, already, store.weekly_quota, is_extra(already, store.weekly_quota))


def add_piece(actor: User, batch: Batch, piece: Piece, at: datetime | None = None) -> None:
    if piece.store_id != batch.store_id:
        raise WrongBatch(N_("Piece %(code)s belongs to another store: it cannot go into this batch."), code=piece.code)
    ensure_batch_open(batch.code, batch.status)
    if piece.status == PieceStatus.PACKED and piece.batch_id not in (None, batch.id):
        raise WrongBatch(
            N_("Piece %(code)s is already packed in batch %(batch)s."), code=piece.code, batch=piece.batch.code
        )
    history.move(piece, PieceAction.PACK, actor, at=at, batch=batch)
    piece.batch = batch


def remove_piece(actor: User, batch: Batch, piece: Piece, at: datetime | None = None) -> None:
    if piece.batch_id != batch.id:
        raise WrongBatch(N_("Piece %(code)s is not in batch %(batch)s."), code=piece.code, batch=batch.code)
    ensure_batch_open(batch.code, batch.status, taking_out=True)
    history.move(piece, PieceAction.UNPACK, actor, at=at, batch=batch)
    piece.batch = None


def dispatch_batch(
    actor: User,
    batch: Batch,
    rules: Rules,
    *,
    carrier: str,
    tracking_no: str,
    shipping_fee: Decimal | None = None,
    parcels: int = 1,
    at: datetime | None = None,
) -> Batch:
    """Lock the batch, put its pieces in transit and start their 15-day clocks."""
    at = at or clock.now()
    # A batch already on its way says so, before any question of quota or fee.
    move_batch(batch.code, batch.direction, batch.status, BatchAction.DISPATCH, actor.role)
    if not batch.pieces:
        raise RuleViolation(N_("Batch %(code)s is empty: add pieces before dispatching it."), code=batch.code)
    check = quota_check(batch.store, rules, at)
    if check.extra:
        if shipping_fee is None:
            raise RuleViolation(
                N_(
                    "This is batch %(n)d of week %(week)s, beyond the store's quota of %(quota)d: enter the shipping fee the store pays."
                ),
                n=check.already + 1,
                week=str(check.week),
                quota=check.quota,
            )
        batch.shipping_fee = money(shipping_fee)
        batch.charge_month = Month.at(at, rules.tz).key
    history.move_batch_status(
        batch, BatchAction.DISPATCH, actor, at=at, data={"week": str(check.week), "extra": check.extra}
    )
    batch.iso_week = check.week.key
    batch.extra = check.extra
    batch.carrier = carrier.strip()
    batch.tracking_no = tracking_no.strip()
    batch.parcels = parcels_checked(parcels)
    batch.dispatched_at = at
    batch.dispatched_by = actor
    batch.expected_count = len(batch.pieces)
    due = due_date(at, rules.tz, rules.limit_days)
    for piece in batch.pieces:
        history.move(piece, PieceAction.DISPATCH, actor, at=at, batch=batch)
        piece.dispatched_at = at
        piece.due_on = due
    reminders.parcel_dispatched(db.session, batch)
    return batch


def outbound_of(actor: User, store: Store, batch_id: int, *, for_update: bool = False) -> Batch:
    """One of this store's own outbound batches, or NotFound."""
    return scope.store_batch(actor, store, batch_id, Direction.OUTBOUND, for_update=for_update)


def recent_dispatched(actor: User, store: Store, limit: int = 10) -> list[Batch]:
    return list(
        db.session.scalars(
            scope.batches(actor)
            .where(Batch.store_id == store.id, Batch.direction == Direction.OUTBOUND, Batch.status != BatchStatus.OPEN)
            .order_by(Batch.id.desc())
            .limit(limit)
        )
    )


def _own_piece(actor: User, store: Store, piece_id: int, code: str) -> Piece:
    piece = scope.find_piece(actor, piece_id, for_update=True)
    if piece is None or piece.store_id != store.id:
        raise NotFound(N_("%(code)s is not one of your store's pieces."), code=code)
    return piece


def add_to_open_batch(actor: User, store: Store, piece_ids: list[int], at: datetime | None = None) -> Batch:
    """Put these pieces of the store into its open batch (opened if there is none)."""
    pieces = [_own_piece(actor, store, piece_id, piece_code(piece_id)) for piece_id in piece_ids]
    target = open_or_create_batch(actor, store, Direction.OUTBOUND, at=at)
    for piece in pieces:
        add_piece(actor, target, piece, at=at)
    return target


def scan_into_open_batch(actor: User, store: Store, text: str, at: datetime | None = None) -> tuple[Piece, Batch]:
    """A scanned label goes into the store's open batch."""
    code = parse_code(text, expect=CodeKind.PIECE)
    piece = _own_piece(actor, store, code.number, str(code))
    target = open_or_create_batch(actor, store, Direction.OUTBOUND, at=at)
    add_piece(actor, target, piece, at=at)
    return piece, target


def parcels_checked(count: int) -> int:
    """The boxes a batch travels in, as its slip counts them."""
    if not 1 <= count <= MAX_PARCELS:
        raise RuleViolation(N_("A batch travels in 1 to %(most)d parcels."), most=MAX_PARCELS)
    return count


@dataclass
class BatchList:
    batches: list[Batch]
    next_after: int | None = None  # the next page's keyset, when there is one


def page_of(query, after: int | None, size: int, newest_first: bool) -> BatchList:
    """One keyset page of batches by number (no OFFSET, no count), their stores loaded."""
    if after:
        query = query.where(Batch.id < after if newest_first else Batch.id > after)
    order = Batch.id.desc() if newest_first else Batch.id
    found = list(db.session.scalars(query.options(joinedload(Batch.store)).order_by(order).limit(size + 1)))
    listing = BatchList(found[:size])
    if len(found) > size:
        listing.next_after = found[size - 1].id
    return listing


def on_the_way_in(actor: User, after: int | None = None, size: int = 50) -> BatchList:
    """Outbound parcels dispatched and not yet fully checked in at the workshop, the longest on the road
    first (keyset on the batch number, which follows the dispatch order closely enough for a
    worklist; ``ix_batch_direction_status_id`` returns them in that order)."""
    query = scope.batches(actor).where(
        Batch.direction == Direction.OUTBOUND, Batch.status.in_([BatchStatus.DISPATCHED, BatchStatus.CHECKING])
    )
    return page_of(query, after, size, newest_first=False)
