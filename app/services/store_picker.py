"""Choosing one of the stores a person may see, on a filter: a list while the stores are few,
a code to type once they are many (2,000 stores make no usable list, and cost a page its speed)."""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models import Store, User
from app.services import scope
from workshop.text import N_

LIST_LIMIT = 100  # more stores than this: the filter asks for a code


@dataclass(frozen=True)
class StorePicker:
    many: bool  # too many stores to list: a code field instead
    stores: list[Store]  # the list (empty when many)
    selected: Store | None
    problem: tuple[str, dict] | None = None  # an untranslated sentence and its parameters

    @property
    def store_id(self) -> int | None:
        return self.selected.id if self.selected is not None else None


def picker(user: User, store_id: int | None, code: str) -> StorePicker:
    """The stores to offer, and the one chosen by its id (a link) or its code (typed)."""
    count = db.session.scalar(select(func.count()).select_from(scope.stores(user).order_by(None).subquery())) or 0
    many = count > LIST_LIMIT
    stores = [] if many else list(db.session.scalars(scope.stores(user)))
    selected, problem = None, None
    code = code.strip()[:40]
    if code:
        selected = db.session.scalars(scope.stores(user).where(func.upper(Store.code) == code.upper())).first()
        if selected is None:
            problem = (N_("No store you may see has the code %(code)s."), {"code": code})
    elif store_id:
        selected = db.session.scalars(scope.stores(user).where(Store.id == store_id)).first()
    return StorePicker(many, stores, selected, problem)
