"""Receiving a return parcel at the store: the slip, then the pieces, then closing the check."""

import re

from sqlalchemy import func, select

from app.models import Event
from tests.app.store_support import desk, returning  # noqa: F401 (fixtures)
from workshop.statuses import BatchStatus, PieceStatus


def test_a_clerk_scans_the_slip_then_the_pieces_and_closes_the_check(client, login, desk, make_piece, db_session):
    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(3)]
    back = returning(db_session, desk, pieces)
    stranger = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    page = client.get("/store/receive").get_data(as_text=True)
    assert back.code in page and "autofocus" in page
    response = client.post("/store/receive", data={"code": back.code.lower()})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/store/receive/{back.id}")

    def scan(code):
        return client.post(f"/store/receive/{back.id}/scan", data={"code": code}, follow_redirects=True).get_data(
            as_text=True
        )

    assert f"Piece {pieces[0].code} is back at the store." in scan(pieces[0].code)
    assert "already back at the store" in scan(pieces[0].code)
    page = scan(stranger.code)
    assert f"Piece {stranger.code} is not in return batch {back.code}" in page
    page = scan(pieces[1].code)
    # expected 3, back 2, not yet 1, scanned twice 1, not of this parcel 1
    figures = [int(v) for v in re.findall(r'<span class="value"[^>]*>(\d+)</span>', page)]
    assert figures == [3, 2, 1, 1, 1]
    response = client.post(f"/store/receive/{back.id}/close", data={"confirm": "y"}, follow_redirects=True)
    assert "2 of 3 pieces back, 1 missing" in response.get_data(as_text=True)
    db_session.expire_all()
    assert back.status == BatchStatus.CLOSED and back.closed_by_id == desk.clerk.id
    assert [p.status for p in pieces] == [PieceStatus.BACK_AT_STORE, PieceStatus.BACK_AT_STORE, PieceStatus.RETURNING]
    assert pieces[0].back_on is not None


def test_closing_the_check_needs_the_box_ticked(client, login, desk, make_piece, db_session):
    back = returning(db_session, desk, [make_piece(store=desk.store, user=desk.clerk)])
    login(desk.clerk)
    client.post("/store/receive", data={"code": back.code})
    response = client.post(f"/store/receive/{back.id}/close", data={}, follow_redirects=True)
    assert "Tick the box to close the check." in response.get_data(as_text=True)
    db_session.expire_all()
    assert back.status == BatchStatus.CHECKING


def test_an_outbound_batch_slip_is_not_received_at_the_store(client, login, desk, make_piece, db_session):
    from datetime import UTC, datetime

    from tests.app.store_support import dispatched

    batch = dispatched(
        db_session,
        desk.clerk,
        desk.store,
        [make_piece(store=desk.store, user=desk.clerk)],
        datetime(2026, 11, 2, 4, 0, tzinfo=UTC),
    )
    login(desk.clerk)
    before = db_session.scalar(select(func.count(Event.id)))
    response = client.post("/store/receive", data={"code": batch.code})
    assert response.status_code == 422
    assert "is not a parcel you receive here" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Event.id))) == before
