"""Changing who pays for a scrapped piece, from its card: a reason is required, the change is
recorded, and a closed month refuses it with the sentence that says how to correct it."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.models import AccountingMonth, Event, Piece
from app.services import batches, grading, scanning
from app.services.settings import rules
from workshop.statuses import Blame, Direction, Grade


def _scrapped(db_session, make_piece, make_store, make_user, at):
    store = make_store()
    clerk, tech = make_user("store", store=store), make_user("technician")
    piece = make_piece(store=store, user=clerk, at=at)
    batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND, at=at)
    batches.add_piece(clerk, batch, piece, at=at)
    batches.dispatch_batch(clerk, batch, rules(), carrier="顺丰速运", tracking_no="SF1234567890", at=at)
    scanning.receive_scan(tech, batch, piece.code, at=at)
    grading.grade_piece(tech, piece, Grade.SCRAP, rules(), blame=grading.BlameChoice(Blame.SUPPLIER), at=at)
    db_session.commit()
    return piece, tech


def test_a_technician_changes_who_pays_with_a_reason_and_it_is_recorded(
    client, db_session, make_piece, make_store, make_user, login
):
    piece, tech = _scrapped(db_session, make_piece, make_store, make_user, datetime.now(UTC))
    login(tech)
    response = client.post(f"/bench/pieces/{piece.id}/blame", data={"blame": "store", "reason": ""})
    assert response.status_code == 422 and "Write why the blame changes" in response.get_data(as_text=True)
    response = client.post(
        f"/bench/pieces/{piece.id}/blame", data={"blame": "store", "reason": "顾客洗涤损坏，门店不应收退"}
    )
    assert response.status_code == 302
    changed = db_session.get(Piece, piece.id)
    assert changed.blame == Blame.STORE and changed.blame_overridden
    event = db_session.scalars(select(Event).where(Event.piece_id == piece.id, Event.action == "change_blame")).one()
    assert event.reason == "顾客洗涤损坏，门店不应收退" and event.data == {"from": "supplier", "to": "store"}


def test_changing_who_pays_in_a_closed_month_is_refused_with_how_to_correct_it(
    client, db_session, make_piece, make_store, make_user, login
):
    piece, tech = _scrapped(db_session, make_piece, make_store, make_user, datetime(2026, 10, 10, 3, 0, tzinfo=UTC))
    db_session.add(AccountingMonth(month=202610, closed=True, closed_at=datetime(2026, 11, 2, tzinfo=UTC)))
    db_session.commit()
    login(tech)
    response = client.post(f"/bench/pieces/{piece.id}/blame", data={"blame": "hq", "reason": "无法判定"})
    assert response.status_code == 409
    assert "2026-10 is closed" in response.get_data(as_text=True) and "adjustment" in response.get_data(as_text=True)
    assert db_session.get(Piece, piece.id).blame == Blame.SUPPLIER
