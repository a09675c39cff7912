"""Sending pieces back to their store, and the store receiving them (the clock stops)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import Batch, Piece, Store, User
from app.services import batches, history, piece_counts, reminders, scope
from app.services.scanning import OK, REFUSED, WARNING, ScanResult, with_counts
from app.services.settings import Rules
from workshop.clock import local_date
from workshop.codes import CodeKind, parse_code
from workshop.errors import AlreadyDone, DomainError, InvalidCode, NotFound, RuleViolation, WrongBatch
from workshop.statuses import READY_STATUS, READY_TO_GO_BACK, BatchStatus, Direction, PieceStatus
from workshop.text import N_
from workshop.transitions import BatchAction, PieceAction, ensure_batch_open


def pack_return(actor: User, batch: Batch, piece: Piece, at: datetime | None = None) -> None:
    if piece.store_id != batch.store_id:
        raise WrongBatch(
            N_("Piece %(code)s belongs to %(store)s: it goes into that store's return batch."),
            code=piece.code,
            store=piece.store.name,
        )
    ensure_batch_open(batch.code, batch.status)
    history.move(piece, PieceAction.PACK_RETURN, actor, at=at, batch=batch)
    piece.return_batch = batch


def unpack_return(actor: User, batch: Batch, piece: Piece, at: datetime | None = None) -> None:
    if piece.return_batch_id != batch.id:
        raise WrongBatch(N_("Piece %(code)s is not in batch %(batch)s."), code=piece.code, batch=batch.code)
    history.move(piece, PieceAction.UNPACK_RETURN, actor, target=READY_STATUS[piece.grade], at=at, batch=batch)
    piece.return_batch = None


def dispatch_return(
    actor: User, batch: Batch, *, carrier: str, tracking_no: str, parcels: int = 1, at: datetime | None = None
) -> None:
    at = at or clock.now()
    if not batch.return_pieces:
        raise RuleViolation(N_("Batch %(code)s is empty: add pieces before dispatching it."), code=batch.code)
    history.move_batch_status(batch, BatchAction.DISPATCH, actor, at=at)
    batch.carrier = carrier.strip()
    batch.tracking_no = tracking_no.strip()
    batch.parcels = batches.parcels_checked(parcels)
    batch.dispatched_at = at
    batch.dispatched_by = actor
    batch.expected_count = len(batch.return_pieces)
    for piece in batch.return_pieces:
        history.move(piece, PieceAction.DISPATCH_RETURN, actor, at=at, batch=batch)
    reminders.return_dispatched(db.session, batch)


def receive_back_scan(actor: User, batch: Batch, text: str, rules: Rules, at: datetime | None = None) -> ScanResult:
    """The store scans a piece of a return parcel: it is back, its clock stops."""
    at = at or clock.now()
    try:
        code = parse_code(text, expect=CodeKind.PIECE)
    except InvalidCode as e:
        return with_counts(batch, ScanResult(REFUSED, e.message, e.params, code="invalid_code"))
    piece = scope.find_piece(actor, code.number, for_update=True)
    if piece is None:
        return with_counts(
            batch,
            ScanResult(
                REFUSED, N_("%(code)s is not one of your store's pieces."), {"code": str(code)}, code="unknown_piece"
            ),
        )
    try:
        history.ensure_not_cancelled(piece)
    except DomainError as e:
        return with_counts(batch, ScanResult(REFUSED, e.message, e.params, code=e.code, piece_id=piece.id))
    if piece.return_batch_id != batch.id:
        message = N_("Piece %(code)s is not in return batch %(batch)s; it is %(status)s.")
        return with_counts(
            batch,
            ScanResult(
                REFUSED,
                message,
                {"code": piece.code, "batch": batch.code, "status": piece.status.label},
                code="wrong_batch",
                piece_id=piece.id,
            ),
        )
    try:
        history.move(piece, PieceAction.RECEIVE_BACK, actor, at=at, batch=batch)
    except AlreadyDone as e:
        return with_counts(batch, ScanResult(WARNING, e.message, e.params, code="already_received", piece_id=piece.id))
    except DomainError as e:
        return with_counts(batch, ScanResult(REFUSED, e.message, e.params, code=e.code, piece_id=piece.id))
    piece.back_at = at
    piece.back_on = local_date(at, rules.tz)
    db.session.flush()
    return with_counts(
        batch,
        ScanResult(
            OK, N_("Piece %(code)s is back at the store."), {"code": piece.code}, code="received", piece_id=piece.id
        ),
    )


def coming_back(actor: User, store: Store) -> list[Batch]:
    """The store's return parcels on their way or being checked."""
    return list(
        db.session.scalars(
            scope.batches(actor)
            .where(
                Batch.store_id == store.id,
                Batch.direction == Direction.RETURN,
                Batch.status.in_([BatchStatus.DISPATCHED, BatchStatus.CHECKING]),
            )
            .order_by(Batch.id)
        )
    )


def return_parcel_of(actor: User, store: Store, batch_id: int, *, for_update: bool = False) -> Batch:
    """One of this store's return parcels that has left the workshop, or NotFound."""
    found = scope.store_batch(actor, store, batch_id, Direction.RETURN, for_update=for_update)
    if found.status == BatchStatus.OPEN:
        raise NotFound()
    return found


def return_batch_of(actor: User, batch_id: int, *, for_update: bool = False) -> Batch:
    """A return parcel the workshop packs, or NotFound."""
    found = scope.find_batch(actor, batch_id, for_update=for_update)
    if found is None or found.direction != Direction.RETURN:
        raise NotFound()
    return found


def ready_for(actor: User, store_id: int, limit: int = 500) -> list[Piece]:
    """A store's pieces ready to be packed for return, the earliest due first."""
    return list(
        db.session.scalars(
            scope.pieces(actor)
            .where(Piece.store_id == store_id, Piece.status.in_(list(READY_TO_GO_BACK)))
            .options(joinedload(Piece.product))
            .order_by(Piece.due_on, Piece.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class BoardPage:
    """A page of the returns board, shaped like the other paginated pages (macros.pagination)."""

    items: list[dict]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def board(actor: User, page: int = 1, per_page: int = 50) -> BoardPage:
    """Per store: pieces ready to go back and its open return parcel, the most urgent first.

    Read from what stays small: the ready pieces (a passing state) grouped by store, the kept
    counters for what the open parcels hold, the one-open-parcel index for which stores have
    one; only the page's stores and parcels are loaded.
    """
    ready = {
        store_id: (n, due)
        for store_id, n, due in db.session.execute(
            scope.pieces(actor)
            .with_only_columns(Piece.store_id, func.count(), func.min(Piece.due_on))
            .where(Piece.status.in_(list(READY_TO_GO_BACK)))
            .group_by(Piece.store_id)
        )
    }
    packed = {
        store_id: n
        for store_id, status, n in piece_counts.store_status_counts(actor)
        if status == PieceStatus.PACKED_FOR_RETURN
    }
    with_parcel = set(
        db.session.scalars(
            scope.batches(actor)
            .with_only_columns(Batch.store_id)
            .where(Batch.direction == Direction.RETURN, Batch.status == BatchStatus.OPEN)
        )
    )
    store_ids = set(ready) | with_parcel
    codes = (
        dict(db.session.execute(select(Store.id, Store.code).where(Store.id.in_(store_ids))).tuples().all())
        if store_ids
        else {}
    )
    order = sorted(
        store_ids,
        key=lambda s: (s not in ready, ready[s][1] if s in ready and ready[s][1] else date.min, codes.get(s, "")),
    )
    page = max(1, page)
    shown = order[(page - 1) * per_page : page * per_page]
    stores = {s.id: s for s in db.session.scalars(select(Store).where(Store.id.in_(shown)))} if shown else {}
    parcels = (
        {
            b.store_id: b
            for b in db.session.scalars(
                select(Batch).where(
                    Batch.store_id.in_(shown), Batch.direction == Direction.RETURN, Batch.status == BatchStatus.OPEN
                )
            )
        }
        if shown
        else {}
    )
    rows = []
    for store_id in shown:
        batch = parcels.get(store_id)
        count, due = ready.get(store_id, (0, None))
        rows.append(
            {
                "store": stores[store_id],
                "ready": count,
                "earliest_due": due,
                "batch": batch,
                "packed": packed.get(store_id, 0) if batch else 0,
            }
        )
    return BoardPage(rows, page, per_page, len(order))


def dispatched_recently(
    actor: User, now: datetime, after: int | None = None, days: int = 14, size: int = 50
) -> batches.BatchList:
    """Return parcels already sent: every one still on its way or being checked, and those closed
    in the last ``days`` days, newest first (keyset pages), so their slips can be printed again."""
    since = now - timedelta(days=days)
    query = scope.batches(actor).where(
        Batch.direction == Direction.RETURN,
        Batch.status != BatchStatus.OPEN,
        or_(Batch.status != BatchStatus.CLOSED, Batch.dispatched_at >= since),
    )
    return batches.page_of(query, after, size, newest_first=True)
