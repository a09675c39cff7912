"""The second trip (返修次数): a piece back at its store comes back again as the same piece, with
its earlier trips kept; rule 6 recommends an exchange after two repairs for the same defect;
the share of repaired pieces that came back within 90 days."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import Alert, Piece, PieceTrip
from app.services import batches, dashboard, grading, returns, scanning, trips
from app.services.settings import rules as current_rules
from tests.app.store_support import desk, dispatched  # noqa: F401 (fixtures)
from workshop.money import Month
from workshop.statuses import Blame, Direction, Grade, PieceStatus


def one_trip(db_session, desk, piece, at, grade=Grade.REPAIRABLE):
    """One whole trip through the real services: dispatched, received, graded (repaired), sent back, received."""
    rules = current_rules()
    batch = dispatched(db_session, desk.clerk, desk.store, [piece], at)
    scanning.start_check(desk.tech, batch, at=at + timedelta(days=1))
    scanning.receive_scan(desk.tech, batch, piece.code, at=at + timedelta(days=1))
    grading.grade_piece(desk.tech, piece, grade, rules, at=at + timedelta(days=2))
    if grade == Grade.REPAIRABLE:
        grading.record_repair(
            desk.tech, piece, grading.RepairRecord(operations=(), minutes=20, note="补线"), at=at + timedelta(days=3)
        )
    back = batches.open_or_create_batch(desk.tech, desk.store, Direction.RETURN, at=at + timedelta(days=3))
    returns.pack_return(desk.tech, back, piece, at=at + timedelta(days=3))
    returns.dispatch_return(desk.tech, back, carrier="顺丰速运", tracking_no="SF9876543210", at=at + timedelta(days=4))
    scanning.start_check(desk.clerk, back, at=at + timedelta(days=6))
    returns.receive_back_scan(desk.clerk, back, piece.code, rules, at=at + timedelta(days=6))
    db_session.commit()
    return piece


@pytest.fixture()
def came_back(db_session, desk, make_piece):
    """A piece repaired and back at its store ``n`` times (the last trip started ``days`` ago)."""

    desk.store.weekly_quota = 99
    db_session.commit()

    def make(n=1, start=None):
        at = start or datetime.now(UTC) - timedelta(days=40)
        piece = make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality, at=at)
        for number in range(n):
            if number:
                trips.send_again(desk.clerk, piece, trips.NewTrip(defect=desk.quality, description="又开线了"), at=at)
            one_trip(db_session, desk, piece, at)
            at += timedelta(days=10)
        return piece

    return make


def test_a_piece_back_at_its_store_is_sent_in_again_as_the_same_piece(client, login, desk, db_session, came_back):
    piece = came_back()
    login(desk.clerk)
    typed = client.post("/store/send-again", data={"code": str(piece.id)})  # the digits typed by hand
    assert typed.headers["Location"] == f"/store/pieces/{piece.id}/send-again"
    assert client.post("/store/send-again", data={"code": "😀"}).status_code == 422
    found = client.post("/store/send-again", data={"code": piece.code})
    assert found.status_code == 302 and found.headers["Location"] == f"/store/pieces/{piece.id}/send-again"
    response = client.post(
        f"/store/pieces/{piece.id}/send-again",
        data={"defect": str(desk.people.id), "description": "领口又脏了", "source": "customer_return"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "is sent in again (trip 2)" in page
    piece = db_session.get(Piece, piece.id)
    assert (piece.trip, piece.status, piece.defect_id) == (2, PieceStatus.REGISTERED, desk.people.id)
    assert piece.batch_id is None and piece.due_on is None and piece.grade is None
    ended = db_session.scalars(select(PieceTrip).where(PieceTrip.piece_id == piece.id)).one()
    assert (ended.number, ended.grade, ended.defect_id) == (1, Grade.REPAIRABLE, desk.quality.id)
    # Its page shows both trips: the earlier one with its grade and repair, the history going on.
    assert "Earlier trips" in page and "trip 2" in page and "补线" in page and "领口又脏了" in page
    assert "came back again: sent in for a new trip" in page and "received back at the store" in page
    # Its old label goes into this week's batch.
    client.post("/store/batch/scan", data={"code": piece.code})
    assert db_session.get(Piece, piece.id).status == PieceStatus.PACKED


def test_only_a_piece_back_at_its_store_can_be_sent_in_again(client, login, desk, db_session, make_piece):
    piece = make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality)
    login(desk.clerk)
    response = client.post(
        f"/store/pieces/{piece.id}/send-again", data={"defect": str(desk.quality.id), "source": "customer_return"}
    )
    assert response.status_code == 409
    assert "only a piece back at its store can be sent in again" in response.get_data(as_text=True)
    assert db_session.get(Piece, piece.id).trip == 1


def test_another_store_cannot_send_a_piece_in_again(client, login, desk, db_session, came_back):
    piece = came_back()
    login(desk.other_clerk)
    assert client.post("/store/send-again", data={"code": piece.code}).status_code == 404
    response = client.post(
        f"/store/pieces/{piece.id}/send-again", data={"defect": str(desk.quality.id), "source": "customer_return"}
    )
    assert response.status_code == 404
    assert db_session.get(Piece, piece.id).trip == 1


def test_after_two_repairs_for_the_same_defect_the_card_recommends_an_exchange_and_finance_sees_its_cost(
    client, login, desk, db_session, came_back
):
    piece = came_back(n=2)
    trips.send_again(desk.clerk, piece, trips.NewTrip(defect=desk.quality, description="第三次开线"))
    db_session.commit()
    at = datetime.now(UTC)
    batch = dispatched(db_session, desk.clerk, desk.store, [piece], at)
    scanning.start_check(desk.tech, batch)
    scanning.receive_scan(desk.tech, batch, piece.code)
    db_session.commit()
    login(desk.tech)
    card = client.get(f"/bench/pieces/{piece.id}").get_data(as_text=True)
    assert "Recommended: exchange" in card
    assert re.search(r'<input checked[^>]*value="exchange"', card)  # preselected
    response = client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "exchange", "blame": "supplier"})
    assert response.status_code == 302
    piece = db_session.get(Piece, piece.id)
    assert (piece.status, piece.grade, piece.blame) == (PieceStatus.SCRAPPED, Grade.EXCHANGE, Blame.SUPPLIER)
    assert str(piece.scrap_cost) == "360.00"
    assert dashboard.scrap_by_party(Month.from_key(piece.scrap_month))[Blame.SUPPLIER][1] == 1
    told = db_session.scalars(select(Alert).where(Alert.kind == "exchange")).one()
    assert told.params["code"] == piece.code
    page = client.get(f"/pieces/{piece.id}").get_data(as_text=True)
    assert page.count('<td class="num">') >= 2  # trips 1 and 2 listed, trip 3 is the piece itself


def test_an_exchange_needs_a_blame_like_any_scrap(client, login, desk, db_session, came_back):
    piece = came_back()
    trips.send_again(desk.clerk, piece, trips.NewTrip(defect=desk.quality))
    db_session.commit()
    batch = dispatched(db_session, desk.clerk, desk.store, [piece], datetime.now(UTC))
    scanning.start_check(desk.tech, batch)
    scanning.receive_scan(desk.tech, batch, piece.code)
    db_session.commit()
    login(desk.tech)
    response = client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "exchange"})
    assert response.status_code == 422 and "needs a blame" in response.get_data(as_text=True)
    assert db_session.get(Piece, piece.id).status == PieceStatus.RECEIVED


def test_repeat_repairs_show_the_share_that_came_back_within_ninety_days(client, login, desk, db_session, came_back):
    came_back(n=2)  # repaired, came back, repaired again
    came_back(n=1)  # repaired once, not back
    login(desk.tech)
    page = client.get("/bench/repeat-repairs").get_data(as_text=True)
    supplier = desk.product.supplier
    assert supplier.name in page and "33.3 %" in page  # 3 repaired trips back at the store, 1 came back
    rows = trips.repeat_repairs("product", datetime.now(UTC).date() - timedelta(days=365))
    assert [(r["repaired"], r["back_again"]) for r in rows] == [(3, 1)]
    client.post("/logout")
    login(desk.clerk)
    assert client.get("/bench/repeat-repairs").status_code == 403
    assert client.get("/finance/repeat-repairs").status_code == 403
