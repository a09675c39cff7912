"""Return parcels (pack by scanning, take out, dispatch, slip) and the deadline board."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Batch, Piece
from app.services import grading, scanning
from app.services.settings import rules as current_rules
from tests.app.test_bench_scan_station import make_parcel, scan, technician  # noqa: F401  (fixtures)
from workshop.statuses import BatchStatus, Direction, Grade, PieceStatus


@pytest.fixture()
def graded_parcel(db_session, make_parcel, make_user):
    """A received parcel whose pieces are graded: (store, pieces), repaired / no fault / received."""

    def make(grades=(Grade.NO_FAULT, Grade.NO_FAULT, None), store=None):
        batch, pieces = make_parcel(len(grades), store=store)
        tech = make_user("technician")
        scanning.start_check(tech, batch)
        for piece, grade in zip(pieces, grades, strict=True):
            scanning.receive_scan(tech, batch, piece.code)
            if grade is not None:
                grading.grade_piece(tech, piece, grade, current_rules())
        db_session.commit()
        return batch.store, pieces

    return make


def test_scanning_a_ready_piece_in_packing_mode_puts_it_in_its_stores_return_parcel(client, technician, graded_parcel):
    store, pieces = graded_parcel()
    technician()
    first = scan(client, pieces[0].code, mode="pack")
    assert first["outcome"] == "ok" and first["code"] == "packed"
    second = scan(client, pieces[1].code, mode="pack")
    assert second["return_batch"]["id"] == first["return_batch"]["id"] and second["return_batch"]["count"] == 2
    batch = db.session.get(Batch, first["return_batch"]["id"])
    assert batch.direction == Direction.RETURN and batch.store_id == store.id and batch.status == BatchStatus.OPEN
    again = scan(client, pieces[0].code, mode="pack")
    assert (
        again["outcome"] == "warning"
        and again["message"] == f"Piece {pieces[0].code} is already packed for return. Nothing was changed."
    )


def test_a_piece_not_ready_to_go_back_is_refused_and_no_parcel_is_opened(client, technician, graded_parcel):
    _, pieces = graded_parcel()
    technician()
    answer = scan(client, pieces[2].code, mode="pack")
    assert answer["outcome"] == "refused" and answer["code"] == "invalid_transition"
    assert answer["message"].startswith(
        f"Piece {pieces[2].code} is received, so it cannot be packed into a return batch."
    )
    assert db.session.scalars(select(Batch).where(Batch.direction == Direction.RETURN)).first() is None


def test_the_returns_page_lists_stores_with_pieces_ready(client, technician, graded_parcel, make_store):
    store, _ = graded_parcel(store=make_store(name="杭州湖滨银泰店"))
    technician()
    page = client.get("/bench/returns").get_data(as_text=True)
    assert "杭州湖滨银泰店" in page


def test_a_packed_piece_can_be_taken_out_again(client, technician, graded_parcel):
    _, pieces = graded_parcel()
    technician()
    batch_id = scan(client, pieces[0].code, mode="pack")["return_batch"]["id"]
    response = client.post(f"/bench/returns/{batch_id}/pieces/{pieces[0].id}/remove")
    assert response.status_code == 302
    assert db.session.get(Piece, pieces[0].id).status == PieceStatus.NO_FAULT


def test_dispatching_a_return_parcel_needs_carrier_and_tracking_number(client, technician, graded_parcel):
    _, pieces = graded_parcel()
    technician()
    batch_id = scan(client, pieces[0].code, mode="pack")["return_batch"]["id"]
    page = client.get(f"/bench/returns/{batch_id}").get_data(as_text=True)
    assert '<option value="顺丰速运">' in page and 'value="other"' in page, "the stores' carriers list"
    assert "4 to 30 letters, digits or hyphens" in page and "pattern=" not in page, "the rule, told before"
    response = client.post(f"/bench/returns/{batch_id}/dispatch", data={"carrier": "other", "tracking_no": ""})
    shown = response.get_data(as_text=True)
    assert response.status_code == 422 and "Type the carrier's name." in shown
    assert "Enter the tracking number." in shown
    response = client.post(f"/bench/returns/{batch_id}/dispatch", data={"carrier": "顺丰速运", "tracking_no": "S#1"})
    assert response.status_code == 422
    assert "is not a tracking number: give 4 to 30 letters, digits or hyphens" in response.get_data(as_text=True)
    assert db.session.get(Batch, batch_id).status == BatchStatus.OPEN
    response = client.post(
        f"/bench/returns/{batch_id}/dispatch", data={"carrier": "顺丰速运", "tracking_no": "sf 9988 7766"}
    )
    assert response.status_code == 302
    batch = db.session.get(Batch, batch_id)
    assert batch.status == BatchStatus.DISPATCHED and batch.tracking_no == "SF99887766"
    assert db.session.get(Piece, pieces[0].id).status == PieceStatus.RETURNING
    late = scan(client, pieces[1].code, mode="pack")
    assert late["outcome"] == "ok" and late["return_batch"]["id"] != batch_id  # a new parcel opens


def test_the_return_slip_is_a_pdf(client, technician, graded_parcel):
    _, pieces = graded_parcel()
    technician()
    batch_id = scan(client, pieces[0].code, mode="pack")["return_batch"]["id"]
    response = client.get(f"/bench/returns/{batch_id}/slip.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_an_outbound_batch_is_not_a_return_parcel(client, technician, make_parcel):
    batch, _ = make_parcel(1)
    technician()
    assert client.get(f"/bench/returns/{batch.id}").status_code == 404


def test_the_deadline_board_sorts_by_due_date_and_filters(client, technician, make_parcel, make_store):
    late_batch, late_pieces = make_parcel(1, store=make_store(name="南京新街口店"))
    soon_batch, soon_pieces = make_parcel(1, store=make_store(name="苏州观前街店"))
    today = clock.now().astimezone(current_rules().tz).date()
    db.session.get(Piece, late_pieces[0].id).due_on = today - timedelta(days=2)
    db.session.get(Piece, soon_pieces[0].id).due_on = today + timedelta(days=1)
    db.session.commit()
    technician()
    page = client.get("/bench/deadlines").get_data(as_text=True)
    assert page.index(late_pieces[0].code) < page.index(soon_pieces[0].code)
    overdue = client.get("/bench/deadlines?clock=overdue").get_data(as_text=True)
    assert late_pieces[0].code in overdue and soon_pieces[0].code not in overdue
    by_store = client.get(f"/bench/deadlines?store={soon_batch.store_id}").get_data(as_text=True)
    assert soon_pieces[0].code in by_store and late_pieces[0].code not in by_store
    on_track = client.get("/bench/deadlines?clock=on_track&status=in_transit").get_data(as_text=True)
    assert "No piece matches." in on_track


def test_the_deadline_board_shows_the_queues_and_the_on_time_rate(client, technician, graded_parcel):
    graded_parcel(grades=(Grade.REPAIRABLE, Grade.NO_FAULT, None))
    technician()
    page = client.get("/bench/deadlines").get_data(as_text=True)
    assert "Received, not graded" in page and "Repairable, not repaired" in page and "Ready to go back" in page
    assert "On time, last 30 days (target 90%)" in page
