"""Lists of pieces a person may see, filtered the way the list pages and exports ask.

Bad filter text (a week typed wrongly, a code that is no code) is not an error of the page:
it becomes a sentence for the person and an empty result, never a server error.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.models import Batch, Piece, User
from app.services import piece_counts, scope
from app.services.paging import KeysetPage, keyset_page
from workshop.codes import CodeKind, normalise, parse_code
from workshop.errors import InvalidCode
from workshop.quota import IsoWeek
from workshop.statuses import PieceStatus
from workshop.text import N_

WEEK_TEXT = re.compile(r"^(\d{4})-?W(\d{1,2})$")
PARTIAL_CODE = re.compile(r"^P?0*(\d{1,8})$")


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


def code_number(text: str) -> int:
    """A piece's number from a full code, or from its digits typed without the check character."""
    raw = normalise(text)
    match = PARTIAL_CODE.match(raw)
    if match:
        return int(match[1])
    return parse_code(raw, expect=CodeKind.PIECE).number


@dataclass(frozen=True)
class PieceFilter:
    store_id: int | None = None
    status: str = ""
    week: str = ""
    defect_id: int | None = None
    q: str = ""


@dataclass
class Listing:
    query: Select
    week: IsoWeek | None = None
    problems: list[tuple[str, dict]] = field(default_factory=list)  # untranslated sentences and their params
    counted: bool = True  # the filters are store and status only: the kept counters give the total


# The order the lists show, newest first: ix_piece_store_registered serves a store's list,
# ix_piece_registered the lists across stores (a region's, the administrator's).
ORDER = (Piece.registered_at, Piece.id)


def pieces(user: User, wanted: PieceFilter) -> Listing:
    """This user's pieces, newest first (ix_piece_store_registered serves a store's list)."""
    query = scope.pieces(user)
    listing = Listing(query)
    if wanted.store_id:
        query = query.where(Piece.store_id == wanted.store_id)
    if wanted.status in set(PieceStatus):
        query = query.where(Piece.status == PieceStatus(wanted.status))
    listing.counted = not (wanted.week or wanted.defect_id or wanted.q.strip())
    week = parse_week(wanted.week) if wanted.week else None
    if wanted.week and week is None:
        listing.problems.append((N_("Give the week like 2026-W48."), {}))
    if week is not None:
        query = query.where(Piece.batch_id.in_(select(Batch.id).where(Batch.iso_week == week.key)))
    if wanted.defect_id:
        query = query.where(Piece.defect_id == wanted.defect_id)
    if wanted.q.strip():
        try:
            query = query.where(Piece.id == code_number(wanted.q))
        except InvalidCode as e:
            listing.problems.append((e.message, e.params))
            query = query.where(Piece.id.is_(None))
    listing.query = query.options(
        selectinload(Piece.product), selectinload(Piece.defect), selectinload(Piece.store), selectinload(Piece.batch)
    ).order_by(*(c.desc() for c in ORDER))
    listing.week = week
    return listing


def page(user: User, wanted: PieceFilter, listing: Listing, after: int | None, size: int) -> KeysetPage:
    """One page of the list after the piece ``after``, with the total when the counters know it."""
    total = None
    if listing.counted:
        statuses = [PieceStatus(wanted.status)] if wanted.status in set(PieceStatus) else None
        total = piece_counts.total(user, statuses, wanted.store_id)
    return keyset_page(listing.query, ORDER, after=after, size=size, descending=True, total=total)
