"""Lists of pieces a person may see, filtered the way the list pages, the search box and the
home figures ask, one page at a time.

Bad filter text (a week typed wrongly, a code that is no code) is not an error of the page:
it becomes a sentence for the person and an empty result, never a server error.

At chain scale (4 million pieces a year) every page costs the same whatever the history:

- pages are keyset pages, newest first by the piece's number (its primary key; numbers are
  given in registration order): ``?after=<number>`` reads the next 50 through the index, no
  OFFSET and no total count. A store's list walks ``ix_piece_store_id``, a status or a
  group of statuses ``ix_piece_status_id``;
- part of a code is part of a number, answered through the primary key: the last digits
  (``1234``) are turned into the numbers that end with them, newest first, and looked up in
  chunks of ``CHUNK`` — at most ``MAX_CHUNKS`` chunks a page, so a page never reads more than
  ``CHUNK * MAX_CHUNKS`` keys; the page's "older" link goes on from where it stopped. The
  beginning of a code (``P0000123``) is a range of numbers. No ``LIKE '%…%'`` over pieces
  is needed on either database (a trigram index would need pg_trgm, and SQLite has none);
- words are matched against the products (a few thousand rows: a style code's beginning, a
  name's part), then the pieces of at most ``MAX_PRODUCTS`` products through
  ``ix_piece_product_id``; a tracking number is matched exactly (``ix_batch_tracking_no``).
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Batch, Piece, Product, Store, User
from app.services import deadlines, scope
from app.services.settings import Rules
from workshop import search
from workshop.clock import RUNNING_STATES, ClockState
from workshop.codes import CodeKind
from workshop.errors import InvalidCode
from workshop.quota import IsoWeek
from workshop.statuses import AT_STORE, IN_WORKSHOP, ON_THE_BENCH, ON_THE_WAY_IN, READY_TO_GO_BACK, PieceStatus
from workshop.text import N_

WEEK_TEXT = re.compile(r"^(\d{4})-?W(\d{1,2})$")
PAGE_SIZE = 50
CHUNK = 1000
MAX_CHUNKS = 10
MAX_PRODUCTS = 200
EXPORT_LIMIT = 10_000  # an export is a worklist, not an archive: finance's month exports cover the rest
EXPORT_PAGE = 1_000

# Named groups of statuses a figure or a filter can point at (the store's and region's figures).
GROUPS: dict[str, tuple[str, frozenset[PieceStatus]]] = {
    "at_store": (N_("At the store, not yet dispatched"), AT_STORE),
    "on_the_way": (N_("On the way to the workshop"), ON_THE_WAY_IN),
    "in_workshop": (N_("In the workshop"), IN_WORKSHOP),
    "on_the_bench": (N_("On the bench"), ON_THE_BENCH),
    "ready": (N_("Ready to go back"), READY_TO_GO_BACK),
}


def parse_week(text: str) -> IsoWeek | None:
    match = WEEK_TEXT.match(text.strip().upper())
    if not match:
        return None
    year, week = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, week, 1)  # refuses a week the year does not have
    except ValueError:
        return None
    return IsoWeek(year, week)


@dataclass(frozen=True)
class PieceFilter:
    store_id: int | None = None
    status: str = ""  # a status, or the name of a group of statuses (GROUPS)
    week: str = ""
    defect_id: int | None = None
    q: str = ""
    clock: str = ""  # a running clock's state: at_risk, overdue
    after: int | None = None  # the keyset: pieces numbered below this


@dataclass
class PieceList:
    items: list[Piece] = field(default_factory=list)
    next_after: int | None = None  # the "older" page's keyset, when there is one
    week: IsoWeek | None = None
    problems: list[tuple[str, dict]] = field(default_factory=list)  # untranslated sentences and their params


def statuses_of(name: str) -> frozenset[PieceStatus] | None:
    if name in GROUPS:
        return GROUPS[name][1]
    if name in set(PieceStatus):
        return frozenset({PieceStatus(name)})
    return None


def filtered(user: User, wanted: PieceFilter, rules: Rules, today: date, listing: PieceList) -> Select:
    """This user's pieces with every filter but the text."""
    query = scope.pieces(user)
    if wanted.store_id:
        query = query.where(Piece.store_id == wanted.store_id)
    statuses = statuses_of(wanted.status)
    if statuses is not None:
        query = query.where(Piece.status.in_(sorted(statuses)))
    else:
        # A cancelled piece leaves every list; it is found by asking for cancelled pieces.
        query = query.where(Piece.status != PieceStatus.CANCELLED)
    week = parse_week(wanted.week) if wanted.week else None
    if wanted.week and week is None:
        listing.problems.append((N_("Give the week like 2026-W48."), {}))
    if week is not None:
        query = query.where(Piece.batch_id.in_(select(Batch.id).where(Batch.iso_week == week.key)))
    listing.week = week
    if wanted.defect_id:
        query = query.where(Piece.defect_id == wanted.defect_id)
    if wanted.clock in set(RUNNING_STATES):
        query = deadlines.in_state(deadlines.running(query), ClockState(wanted.clock), today, rules)
    return query


def products_matching(text: str) -> Select:
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (
        select(Product.id)
        .where(
            or_(
                func.upper(Product.style_code).like(pattern.upper() + "%", escape="\\"),
                Product.name.ilike("%" + pattern + "%", escape="\\"),
            )
        )
        .order_by(Product.id)
        .limit(MAX_PRODUCTS)
    )


def batches_with_tracking_no(text: str) -> Select:
    return select(Batch.id).where(Batch.tracking_no == text)


def with_text(query: Select, wanted: search.Wanted) -> Select:
    """The text's condition, for every kind but the last digits (which are looked up in chunks)."""
    if wanted.kind == search.Kind.CODE and wanted.code_kind == CodeKind.PIECE:
        return query.where(Piece.id == wanted.number)
    if wanted.kind == search.Kind.CODE:
        return query.where(or_(Piece.batch_id == wanted.number, Piece.return_batch_id == wanted.number))
    if wanted.kind == search.Kind.PREFIX:
        first, last = wanted.number_range()
        column = Piece.id if wanted.code_kind == CodeKind.PIECE else Piece.batch_id
        return query.where(column.between(first, last))
    if wanted.kind == search.Kind.TEXT:
        tracked = batches_with_tracking_no(wanted.text)
        return query.where(
            or_(
                Piece.product_id.in_(products_matching(wanted.text)),
                Piece.batch_id.in_(tracked),
                Piece.return_batch_id.in_(tracked),
            )
        )
    return query


def _loaded(query: Select) -> Select:
    return query.options(
        selectinload(Piece.product), selectinload(Piece.defect), selectinload(Piece.store), selectinload(Piece.batch)
    ).order_by(Piece.id.desc())


def pieces(user: User, wanted: PieceFilter, rules: Rules, today: date, size: int = PAGE_SIZE) -> PieceList:
    """One page of this user's pieces matching the filter, newest first."""
    listing = PieceList()
    query = filtered(user, wanted, rules, today, listing)
    try:
        text = search.read(wanted.q)
    except InvalidCode as e:
        listing.problems.append((e.message, e.params))
        return listing
    if text.kind == search.Kind.SUFFIX:
        return _by_last_digits(query, text, wanted.after, size, listing)
    query = with_text(query, text)
    if wanted.after:
        query = query.where(Piece.id < wanted.after)
    found = list(db.session.scalars(_loaded(query).limit(size + 1)))
    listing.items = found[:size]
    if len(found) > size:
        listing.next_after = found[size - 1].id
    return listing


def _by_last_digits(query: Select, text: search.Wanted, after: int | None, size: int, listing: PieceList) -> PieceList:
    below = after or (db.session.scalar(select(func.max(Piece.id))) or 0) + 1
    found: list[Piece] = []
    for _chunk in range(MAX_CHUNKS):
        numbers = text.suffix_numbers(below, CHUNK)
        if not numbers:
            below = 0
            break
        rows = db.session.scalars(_loaded(query.where(Piece.id.in_(numbers))).limit(size + 1 - len(found)))
        found += [p for p in rows if not text.check or p.code.endswith(text.text)]
        below = numbers[-1]
        if len(found) > size:
            break
    listing.items = found[:size]
    if len(found) > size:
        listing.next_after = found[size - 1].id
    elif below > 1 and text.suffix_numbers(below, 1):
        listing.next_after = below  # not every number was looked at: the next page goes on from here
    return listing


def every_piece(user: User, wanted: PieceFilter, rules: Rules, today: date, limit: int | None = None):
    """The list's pieces page after page (the same keyset pages), newest first, at most ``limit``
    (EXPORT_LIMIT unless said)."""
    limit = limit or EXPORT_LIMIT
    after = wanted.after
    given = 0
    for _page in range(limit // EXPORT_PAGE * MAX_CHUNKS + 1):  # a search by digits may give short pages
        listing = pieces(user, replace(wanted, after=after), rules, today, size=min(EXPORT_PAGE, limit - given))
        yield from listing.items
        given += len(listing.items)
        for piece in listing.items:
            db.session.expunge(piece)  # written out: keep the session as small as one page
        if listing.next_after is None or given >= limit:
            return
        after = listing.next_after


def store_by_text(user: User, text: str) -> Store | None:
    """A store this user may see, by its id (links) or its code (typed), ignoring case."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return db.session.scalars(scope.stores(user).where(Store.id == int(text))).one_or_none()
    return db.session.scalars(scope.stores(user).where(func.upper(Store.code) == text.upper()[:40])).first()


def stores_matching(user: User, text: str, limit: int = 15) -> list[Store]:
    """Stores for a picker: code beginning or name containing the text, within the user's scope."""
    text = (text or "").strip()[:40]
    query = scope.stores(user)
    if text:
        pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(
                func.upper(Store.code).like(pattern.upper() + "%", escape="\\"),
                Store.name.ilike("%" + pattern + "%", escape="\\"),
            )
        )
    return list(db.session.scalars(query.limit(limit)))


def exact_target(user: User, text: str) -> tuple[str, int] | None:
    """Where a scanned or typed code or tracking number leads, when it names one thing this user may see."""
    try:
        wanted = search.read(text)
    except InvalidCode:
        return None
    if wanted.kind == search.Kind.CODE and wanted.code_kind == CodeKind.PIECE:
        piece = scope.find_piece(user, wanted.number)
        return ("piece", piece.id) if piece is not None else None
    if wanted.kind == search.Kind.CODE:
        batch = scope.find_batch(user, wanted.number)
        return ("batch", batch.id) if batch is not None else None
    if wanted.kind == search.Kind.TEXT:
        ids = list(
            db.session.scalars(
                scope.batches(user).with_only_columns(Batch.id).where(Batch.tracking_no == wanted.text).limit(2)
            )
        )
        if len(ids) == 1:
            return ("batch", ids[0])
    return None
