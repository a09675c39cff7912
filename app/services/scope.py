"""Who may see which pieces and batches — the one place that decides it.

Every query for pieces or batches starts from :func:`pieces` or :func:`batches`, and every
lookup by id goes through :func:`get_piece` / :func:`get_batch`, so a store never sees
another store's data whatever page, API call or export asks.
"""

from sqlalchemy import Select, false, select, true

from app.extensions import db
from app.models import Batch, Piece, StockLocation, Store, User
from workshop.errors import NotFound
from workshop.roles import Role

WORKSHOP_WIDE = {Role.TECHNICIAN, Role.FINANCE, Role.ADMIN}


def store_condition(user: User, store_id_column):
    if user.role in WORKSHOP_WIDE:
        return true()
    if user.role == Role.STORE:
        return store_id_column == user.store_id
    if user.role == Role.REGION:
        return store_id_column.in_(select(Store.id).where(Store.region_id == user.region_id))
    return false()


def pieces(user: User) -> Select:
    return select(Piece).where(store_condition(user, Piece.store_id))


def batches(user: User) -> Select:
    return select(Batch).where(store_condition(user, Batch.store_id))


def stores(user: User) -> Select:
    return select(Store).where(store_condition(user, Store.id)).order_by(Store.code)


def get_piece(user: User, piece_id: int, *, for_update: bool = False) -> Piece:
    """The piece if this user may see it; NotFound otherwise (a 404, not a 403: no hint that it exists)."""
    query = pieces(user).where(Piece.id == piece_id)
    if for_update:
        query = query.with_for_update()
    piece = db.session.scalars(query).one_or_none()
    if piece is None:
        raise NotFound()
    return piece


def find_piece(user: User, piece_id: int, *, for_update: bool = False) -> Piece | None:
    query = pieces(user).where(Piece.id == piece_id)
    if for_update:
        query = query.with_for_update()
    return db.session.scalars(query).one_or_none()


def get_batch(user: User, batch_id: int, *, for_update: bool = False) -> Batch:
    batch = find_batch(user, batch_id, for_update=for_update)
    if batch is None:
        raise NotFound()
    return batch


def find_batch(user: User, batch_id: int, *, for_update: bool = False) -> Batch | None:
    query = batches(user).where(Batch.id == batch_id)
    if for_update:
        query = query.with_for_update()
    return db.session.scalars(query).one_or_none()


def can_see_store(user: User, store_id: int) -> bool:
    return db.session.scalar(select(Store.id).where(Store.id == store_id, store_condition(user, Store.id))) is not None


def store_batch(user: User, store: Store, batch_id: int, direction, *, for_update: bool = False) -> Batch:
    """One of this store's own batches of this direction, or NotFound."""
    found = find_batch(user, batch_id, for_update=for_update)
    if found is None or found.direction != direction or found.store_id != store.id:
        raise NotFound()
    return found


def stock_locations(user: User) -> Select:
    """Where spare parts are kept that this user may see: the workshop's store room for the
    workshop's people, a store's own shelf for that store (and its region's managers)."""
    workshop = StockLocation.store_id.is_(None) if user.role in WORKSHOP_WIDE else false()
    return select(StockLocation).where(workshop | store_condition(user, StockLocation.store_id))


def get_stock_location(user: User, location_id: int, *, for_update: bool = False) -> StockLocation:
    query = stock_locations(user).where(StockLocation.id == location_id)
    found = db.session.scalars(query.with_for_update() if for_update else query).one_or_none()
    if found is None:
        raise NotFound()
    return found


def find_workshop_location(user: User) -> StockLocation | None:
    """The workshop's store room, for those who may see it (None for a store or a region)."""
    if user.role not in WORKSHOP_WIDE:
        return None
    return db.session.scalar(select(StockLocation).where(StockLocation.store_id.is_(None)))
