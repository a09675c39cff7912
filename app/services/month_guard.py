"""The last line of rule 5: no write through the ORM may change a closed month's figures.

Services check ``ensure_open`` first so that people get a clear message early; this guard
sits under them, on every SQLAlchemy session, so that a second code path (a new service,
a shell, a script, a bulk ``update(Piece)``) cannot change a closed month either. It
watches the columns the finance figures are made of:

- a piece whose old or new ``scrap_month`` is closed: status, grade, blame, cost, month,
  blamed supplier, store;
- an adjustment whose old or new month is closed: anything;
- a batch whose old or new ``charge_month`` is closed: extra, fee, month, store;
- a customer return whose old or new ``month`` is closed (a refund or exchange the supplier
  bears): decision, amount, supplier, month;
- a closed month may only be reopened together with its ``month_reopen`` event.
"""

from collections.abc import Iterable

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.models import AccountingMonth, Adjustment, Batch, CustomerReturn, Event, Piece
from workshop.errors import MonthClosed
from workshop.money import Month

# Relationships too: ``piece.store = other`` sets store_id only during the flush, after this check.
PIECE_FIGURES = (
    "status",
    "grade",
    "blame",
    "scrap_cost",
    "scrap_month",
    "blamed_supplier_id",
    "blamed_supplier",
    "store_id",
    "store",
)
BATCH_FIGURES = ("extra", "shipping_fee", "charge_month", "store_id", "store")
RETURN_FIGURES = ("decision", "amount", "supplier_caused", "supplier_id", "supplier", "month")
ADJUSTMENT_FIGURES = ("month", "piece_id", "blame", "supplier_id", "supplier", "store_id", "store", "amount")

# model → (its month column, the columns whose change would change that month's figures)
GUARDED = {
    Piece: ("scrap_month", PIECE_FIGURES),
    Batch: ("charge_month", BATCH_FIGURES),
    Adjustment: ("month", ADJUSTMENT_FIGURES),
    CustomerReturn: ("month", RETURN_FIGURES),
}
UNKNOWN = object()


def install() -> None:
    """Listen on every ORM session of the process (idempotent: create_app may run twice)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
    if not event.contains(Session, "do_orm_execute", _on_orm_execute):
        event.listen(Session, "do_orm_execute", _on_orm_execute)


def closed_in_session(session: Session) -> set[int]:
    """Closed months in the database, as this session is about to change them."""
    closed = set(session.execute(select(AccountingMonth.month).where(AccountingMonth.closed.is_(True))).scalars())
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, AccountingMonth):
            (closed.add if obj.closed else closed.discard)(obj.month)
    return closed


def _refuse(month: int) -> None:
    raise MonthClosed(str(Month.from_key(month)))


def _history_value(obj, attr: str):
    """The value in the database before this flush, if the session knows it; else UNKNOWN."""
    history = inspect(obj).attrs[attr].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    if not history.added:
        return getattr(obj, attr)  # not loaded and not changed: the database value
    return UNKNOWN


def _changed(obj, attrs: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[a].history.has_changes() for a in attrs)


def _before_flush(session: Session, flush_context, instances) -> None:
    checks: list[tuple[object, object, object]] = []  # (obj, old month, new month)
    unknown: dict[type, list[object]] = {}
    for obj in session.new:
        spec = GUARDED.get(type(obj))
        if spec and getattr(obj, spec[0]) is not None:
            checks.append((obj, None, getattr(obj, spec[0])))
    for obj in session.dirty:
        spec = GUARDED.get(type(obj))
        if not spec or not _changed(obj, spec[1]):
            continue
        old = _history_value(obj, spec[0])
        new = getattr(obj, spec[0])
        if old is UNKNOWN:
            unknown.setdefault(type(obj), []).append(obj)
        elif old is not None or new is not None:
            checks.append((obj, old, new))
    for obj in session.deleted:
        spec = GUARDED.get(type(obj))
        if spec:
            old = _history_value(obj, spec[0])
            if old is UNKNOWN:
                unknown.setdefault(type(obj), []).append(obj)
            elif old is not None:
                checks.append((obj, old, None))
    reopening = [m for m in session.dirty if isinstance(m, AccountingMonth) and _reopened(m)]
    reopening += [m for m in session.deleted if isinstance(m, AccountingMonth)]
    if not checks and not unknown and not reopening:
        return

    _check_reopening(session, reopening)
    closed = closed_in_session(session) | {m.month for m in reopening}
    if not closed:
        return
    for model, objs in unknown.items():
        month_column = getattr(model, GUARDED[model][0])
        ids = [o.id for o in objs if o.id is not None]
        stored = dict(session.execute(select(model.id, month_column).where(model.id.in_(ids))).all()) if ids else {}
        checks.extend((o, stored.get(o.id), getattr(o, GUARDED[model][0])) for o in objs)
    for _obj, old, new in checks:
        for month in (old, new):
            if month is not None and month in closed:
                _refuse(month)


def _reopened(month: AccountingMonth) -> bool:
    history = inspect(month).attrs.closed.history
    return bool(history.deleted and history.deleted[0] and not month.closed)


def _check_reopening(session: Session, reopening: list[AccountingMonth]) -> None:
    """Only the reopen service may reopen a month: it writes the event in the same flush."""
    for month in reopening:
        recorded = any(
            isinstance(e, Event) and e.action == "month_reopen" and e.month == month.month for e in session.new
        )
        if not recorded:
            _refuse(month.month)


def _on_orm_execute(state) -> None:
    """Bulk ``update(Piece)`` / ``delete(Piece)`` through a session: checked like a flush."""
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    model = mapper.class_ if mapper is not None else None
    spec = GUARDED.get(model)
    if spec is None:
        return
    month_attr, figures = spec
    statement = state.statement
    values = {getattr(k, "key", k): v for k, v in (getattr(statement, "_values", None) or {}).items()}
    rows = state.parameters if isinstance(state.parameters, list) else ([state.parameters] if state.parameters else [])
    touched = set(values) | {k for row in rows for k in row}
    figures = tuple(f for f in figures if f in model.__table__.c)
    if state.is_update and not touched & set(figures):
        return
    session = state.session
    closed = closed_in_session(session)
    if not closed:
        return
    for new in [values.get(month_attr)] + [row.get(month_attr) for row in rows]:
        value = getattr(new, "value", new)  # a bound literal from .values(...)
        if isinstance(value, int) and value in closed:
            _refuse(value)
    month_column = getattr(model, month_attr)
    query = select(month_column).where(month_column.in_(closed)).limit(1)
    by_key = [row.get("id") for row in rows if row.get("id") is not None]
    if by_key:
        query = query.where(model.id.in_(by_key))
    elif statement.whereclause is not None:
        query = query.where(statement.whereclause)
    hit = session.execute(query.execution_options(autoflush=False)).scalar()
    if hit is not None:
        _refuse(hit)
