"""The kept counters (pieces per store and status, days back per store) always equal a recount.

A property test walks random pieces through random moves of the transition table — every
action a role may take from a piece's status, corrections included — with the dates the
moves set, changes of store, rollbacks and savepoints, and compares the kept figures with
a recount from scratch after each step.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import OnTimeDay, Piece, PieceCount, User
from app.services import history, piece_counts
from workshop.roles import Role
from workshop.statuses import Blame, PieceStatus, Source
from workshop.transitions import PIECE_TABLE, PieceAction

DAY = date(2026, 11, 2)


@pytest.fixture
def chain(db_session, make_store, make_product, make_user):
    stores = [make_store(), make_store()]
    product = make_product()
    actors = {Role.STORE: make_user(Role.STORE, store=stores[0]), Role.TECHNICIAN: make_user(Role.TECHNICIAN)}
    db.session.commit()
    return stores, product, actors


def _allowed(status: PieceStatus | None) -> list[tuple[PieceAction, PieceStatus | None]]:
    moves = []
    for action, rule in PIECE_TABLE.items():
        if status in rule.sources:
            targets = list(rule.targets) or [None]
            moves.extend((action, t) for t in targets)
    return moves


def _actor(actors: dict, action: PieceAction) -> User:
    return next(actors[role] for role in actors if role in PIECE_TABLE[action].roles)


def _step(piece: Piece, choice: int, day: int, actors: dict) -> None:
    allowed = _allowed(piece.status)
    if not allowed:  # an end: cancelled, settled at the store
        return
    action, target = allowed[choice % len(allowed)]
    # Corrections (cancel, undo a grade…) need their reason; every other move ignores it.
    history.move(piece, action, _actor(actors, action), target=target, reason="a generated step")
    if piece.status == PieceStatus.SCRAPPED and piece.blame is None:  # what grading writes with it
        piece.blame, piece.scrap_cost, piece.scrap_month = Blame.HQ, Decimal("360.00"), 202611
    if action == PieceAction.DISPATCH:
        piece.dispatched_at = piece.registered_at
        piece.due_on = DAY + timedelta(days=15)
    elif action == PieceAction.RECEIVE_BACK:
        piece.back_on = DAY + timedelta(days=day)
    elif action == PieceAction.REOPEN:
        piece.back_on = None


def _new_piece(stores, product, actors, defect) -> Piece:
    piece = Piece(store=stores[0], product=product, defect=defect, source=Source.CUSTOMER_RETURN)
    history.move(piece, PieceAction.REGISTER, actors[Role.STORE])
    return piece


steps = st.lists(
    st.tuples(
        st.sampled_from(["move", "move", "move", "new", "store", "rollback", "savepoint", "commit"]),
        st.integers(0, 50),
        st.integers(0, 30),
        st.integers(0, 5),
    ),  # fmt: skip
    min_size=5,
    max_size=40,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_kept_counters_equal_a_recount_after_any_sequence_of_moves_rollbacks_and_corrections(chain, make_defect, steps):
    stores, product, actors = chain
    defect = make_defect()
    db.session.commit()
    pieces: list[int] = []
    for kind, choice, day, which in steps:
        live = [db.session.get(Piece, pid) for pid in pieces]
        live = [p for p in live if p is not None]
        if kind == "new" or not live:
            pieces.append(_new_piece(stores, product, actors, defect).id)
        elif kind == "move":
            _step(live[which % len(live)], choice, day, actors)
        elif kind == "store":  # a correction of the store (an edit by someone, a script)
            piece = live[which % len(live)]
            piece.store = stores[1] if piece.store_id == stores[0].id else stores[0]
        elif kind == "rollback":
            db.session.rollback()
            pieces = [pid for pid in pieces if db.session.get(Piece, pid) is not None]
        elif kind == "savepoint":
            with db.session.begin_nested() as nested:
                _step(live[which % len(live)], choice, day, actors)
                nested.rollback()
        else:
            db.session.commit()
        assert piece_counts.differences() == []
    db.session.rollback()
    assert piece_counts.differences() == []


def test_the_home_figures_and_the_on_time_rate_read_the_kept_counters(chain, make_defect):
    stores, product, actors = chain
    defect = make_defect()
    piece = _new_piece(stores, product, actors, defect)
    db.session.commit()
    count = db.session.get(PieceCount, (stores[0].id, "registered"))
    assert count.n == 1
    for action in (PieceAction.PACK, PieceAction.DISPATCH, PieceAction.RECEIVE):
        _step_to(piece, action, actors)
    _step_to(piece, PieceAction.GRADE, actors, PieceStatus.NO_FAULT)
    for action in (PieceAction.PACK_RETURN, PieceAction.DISPATCH_RETURN, PieceAction.RECEIVE_BACK):
        _step_to(piece, action, actors)
    db.session.commit()
    assert db.session.get(PieceCount, (stores[0].id, "registered")).n == 0
    assert db.session.get(PieceCount, (stores[0].id, "back_at_store")).n == 1
    day = db.session.scalars(select(OnTimeDay)).one()
    assert (day.back_on, day.store_id, day.back, day.on_time) == (piece.back_on, stores[0].id, 1, 1)
    rate = piece_counts.on_time(actors[Role.TECHNICIAN], piece.back_on, 30, 0.9)
    assert (rate.on_time, rate.total) == (1, 1)
    assert piece_counts.on_time(actors[Role.STORE], piece.back_on + timedelta(days=31), 30, 0.9).total == 0


def _step_to(piece: Piece, action: PieceAction, actors: dict, target: PieceStatus | None = None) -> None:
    history.move(piece, action, _actor(actors, action), target=target)
    if action == PieceAction.DISPATCH:
        piece.dispatched_at = piece.registered_at
        piece.due_on = DAY + timedelta(days=15)
    elif action == PieceAction.RECEIVE_BACK:
        piece.back_on = DAY + timedelta(days=10)


def test_recount_rebuilds_counters_that_were_lost(chain, make_defect):
    stores, product, actors = chain
    defect = make_defect()
    _new_piece(stores, product, actors, defect)
    db.session.commit()
    db.session.execute(PieceCount.__table__.delete())
    assert piece_counts.differences() != []
    piece_counts.recount()
    db.session.commit()
    assert piece_counts.differences() == []
