"""Pages of a long list read through the index of the order they show (keyset), never OFFSET.

A page is the first ``size`` rows after the last row of the page before, whose id travels in
the link (``?after=<id>``): the database seeks to it in the index and reads ``size + 1``
rows, so the thousandth page costs what the first does and rows never shift or repeat
between pages while new pieces arrive. The total shown beside it comes from something that
stays small (the kept counters) where the caller can give it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, select, tuple_

from app.extensions import db


@dataclass(frozen=True)
class KeysetPage:
    items: list
    total: int | None  # None: not counted
    after: int | None  # the id this page starts after (None: the first page)
    next_after: int | None  # the id to start the next page after (None: this is the last page)

    @property
    def is_first(self) -> bool:
        return self.after is None


def keyset_page(
    query: Select,
    columns: Sequence[ColumnElement[Any]],
    *,
    after: int | None,
    size: int,
    descending: bool = False,
    total: int | None = None,
) -> KeysetPage:
    """The page of ``query`` ordered by ``columns`` (the last one the row's id) after row ``after``.

    A cursor that names a row the query cannot see starts from the first page (it tells
    nothing about rows of another store).
    """
    id_column = columns[-1]
    if after is not None:
        criteria = query.whereclause
        lookup = select(*columns).where(id_column == after)
        if criteria is not None:
            lookup = lookup.where(criteria)
        key = db.session.execute(lookup).first()
        if key is None:
            after = None
        else:
            bound = tuple_(*(literal(value, type_=column.type) for column, value in zip(columns, key, strict=True)))
            query = query.where(tuple_(*columns) < bound if descending else tuple_(*columns) > bound)
    ordering = [c.desc() for c in columns] if descending else list(columns)
    rows = list(db.session.scalars(query.order_by(None).order_by(*ordering).limit(size + 1)).unique())
    items = rows[:size]
    more = len(rows) > size
    return KeysetPage(items=items, total=total, after=after, next_after=items[-1].id if more and items else None)
