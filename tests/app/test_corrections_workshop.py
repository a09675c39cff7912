"""Corrections at the workshop (更正): undo a grade, undo a receive scan, reopen a closed check —
each by its role, with a reason, refused once the piece has moved on or a month is closed."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import Batch, Event, Piece
from app.services import dashboard, grading, scanning
from app.services.finance.months import close_month
from app.services.settings import rules as current_rules
from tests.app.test_bench_scan_station import make_parcel, technician  # noqa: F401  (fixtures)
from workshop.money import Month
from workshop.statuses import BatchStatus, Blame, Grade, PieceStatus


def why(text="按错了键"):
    return {"reason": text, "confirm": "y"}


@pytest.fixture()
def received(db_session, make_parcel, make_user):
    """A parcel checked at the workshop: (technician, batch, its pieces received)."""

    def make(n=1, at=None):
        batch, pieces = make_parcel(n)
        tech = make_user("technician")
        scanning.start_check(tech, batch, at=at)
        for piece in pieces:
            scanning.receive_scan(tech, batch, piece.code, at=at)
        db_session.commit()
        return tech, batch, pieces

    return make


def test_a_grade_is_undone_and_the_card_opens_again(client, login, db_session, received):
    tech, _batch, (piece,) = received()
    grading.grade_piece(tech, piece, Grade.NO_FAULT, current_rules())
    db_session.commit()
    login(tech)
    card = client.get(f"/bench/pieces/{piece.id}").get_data(as_text=True)
    assert "Undo the grade" in card
    response = client.post(f"/bench/pieces/{piece.id}/undo-grade", data=why("其实袖口有开线"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "is undone: grade it again" in page and 'id="grade-form"' in page
    piece = db_session.get(Piece, piece.id)
    assert piece.status == PieceStatus.RECEIVED and piece.grade is None and piece.graded_at is None
    undo = db_session.scalars(select(Event).where(Event.piece_id == piece.id, Event.action == "undo_grade")).one()
    assert (undo.reason, undo.from_status, undo.data["grade"]) == ("其实袖口有开线", "no_fault", "no_fault")
    assert "grade undone" in page and "correction" in page  # the history shows it as a correction


def test_undoing_a_scrap_takes_its_cost_out_of_the_open_month_at_once(client, login, db_session, received):
    tech, _batch, (piece,) = received()
    grading.grade_piece(tech, piece, Grade.SCRAP, current_rules(), blame=grading.BlameChoice(Blame.SUPPLIER))
    db_session.commit()
    month = Month.from_key(piece.scrap_month)
    assert dashboard.scrap_by_party(month)[Blame.SUPPLIER][1] == 1
    login(tech)
    assert client.post(f"/bench/pieces/{piece.id}/undo-grade", data=why()).status_code == 302
    db_session.expire_all()
    assert dashboard.scrap_by_party(month) == {}
    piece = db_session.get(Piece, piece.id)
    assert (piece.blame, piece.scrap_cost, piece.scrap_month) == (None, None, None)


def test_a_scrap_in_a_closed_month_cannot_be_undone_and_the_sentence_says_how_to_correct_it(
    client, login, db_session, received, make_user
):
    september = datetime(2026, 9, 15, 4, 0, tzinfo=UTC)
    tech, _batch, (piece,) = received(at=september)
    grading.grade_piece(
        tech, piece, Grade.SCRAP, current_rules(), blame=grading.BlameChoice(Blame.SUPPLIER), at=september
    )
    close_month(make_user("finance"), Month(2026, 9), current_rules(), at=september + timedelta(days=20))
    db_session.commit()
    login(tech)
    response = client.post(f"/bench/pieces/{piece.id}/undo-grade", data=why(), follow_redirects=True)
    assert "2026-09 is closed" in response.get_data(as_text=True)
    assert "adjustment in the open month" in response.get_data(as_text=True)
    assert db_session.get(Piece, piece.id).status == PieceStatus.SCRAPPED


def test_a_grade_cannot_be_undone_once_the_piece_is_repaired(client, login, db_session, received):
    tech, _batch, (piece,) = received()
    grading.grade_piece(tech, piece, Grade.REPAIRABLE, current_rules())
    grading.record_repair(tech, piece, grading.RepairRecord(operations=(), minutes=10, note="补线"))
    db_session.commit()
    login(tech)
    response = client.post(f"/bench/pieces/{piece.id}/undo-grade", data=why(), follow_redirects=True)
    assert "is repaired: its grade can no longer be undone" in response.get_data(as_text=True)
    assert db_session.get(Piece, piece.id).status == PieceStatus.REPAIRED


def test_a_store_cannot_undo_a_grade_and_a_reason_is_required(client, login, db_session, received, make_user):
    tech, _batch, (piece,) = received()
    grading.grade_piece(tech, piece, Grade.NO_FAULT, current_rules())
    db_session.commit()
    login(make_user("store", store=piece.store))
    assert client.post(f"/bench/pieces/{piece.id}/undo-grade", data=why()).status_code == 403
    client.post("/logout")
    login(tech)
    response = client.post(f"/bench/pieces/{piece.id}/undo-grade", data={"reason": " ", "confirm": "y"})
    assert response.status_code == 303
    assert db_session.get(Piece, piece.id).status == PieceStatus.NO_FAULT


def test_a_receive_scan_is_undone_until_the_piece_is_graded(client, login, db_session, received):
    tech, batch, (piece, other) = received(n=2)
    login(tech)
    response = client.post(f"/bench/pieces/{piece.id}/undo-receive", data=why("扫错了包裹"), follow_redirects=True)
    assert "is undone: it is in transit" in response.get_data(as_text=True)
    piece = db_session.get(Piece, piece.id)
    assert piece.status == PieceStatus.IN_TRANSIT and piece.received_at is None
    assert scanning.check_counts(db_session.get(Batch, batch.id)).received == 1
    grading.grade_piece(tech, db_session.get(Piece, other.id), Grade.NO_FAULT, current_rules())
    db_session.commit()
    response = client.post(f"/bench/pieces/{other.id}/undo-receive", data=why(), follow_redirects=True)
    assert "its receive scan can no longer be undone" in response.get_data(as_text=True)
    assert db_session.get(Piece, other.id).status == PieceStatus.NO_FAULT


def test_a_closed_check_is_reopened_and_its_missing_pieces_are_expected_again(
    client, login, db_session, make_parcel, make_user
):
    batch, pieces = make_parcel(2)
    tech = make_user("technician")
    scanning.start_check(tech, batch)
    scanning.receive_scan(tech, batch, pieces[0].code)
    scanning.close_check(tech, batch)
    db_session.commit()
    assert db_session.get(Piece, pieces[1].id).status == PieceStatus.MISSING
    login(tech)
    page = client.get(f"/batches/{batch.id}").get_data(as_text=True)
    assert "Reopen the check" in page
    response = client.post(f"/bench/batches/{batch.id}/reopen", data=why("还有一箱没拆"))
    assert response.status_code == 302
    db_session.expire_all()
    batch = db_session.get(Batch, batch.id)
    assert batch.status == BatchStatus.CHECKING and batch.closed_at is None
    assert db_session.get(Piece, pieces[1].id).status == PieceStatus.IN_TRANSIT
    # Reopening twice only says so.
    response = client.post(f"/bench/batches/{batch.id}/reopen", data=why(), follow_redirects=True)
    assert f"Batch {batch.code} is already being checked. Nothing was changed." in response.get_data(as_text=True)


def test_a_store_cannot_reopen_the_workshops_check_of_its_parcel(client, login, db_session, make_parcel, make_user):
    batch, pieces = make_parcel(1)
    tech = make_user("technician")
    scanning.start_check(tech, batch)
    scanning.close_check(tech, batch)
    db_session.commit()
    login(make_user("store", store=pieces[0].store))
    assert client.post(f"/bench/batches/{batch.id}/reopen", data=why()).status_code == 403
    assert db_session.get(Batch, batch.id).status == BatchStatus.CLOSED
