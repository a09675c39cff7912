"""The grading card: grade with a key or two, scrap with a blame, repair with parts."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Piece, RepairOperation, SparePart
from app.services import scanning, stock
from tests.app.test_bench_scan_station import make_parcel, technician  # noqa: F401  (fixtures)
from workshop.statuses import Blame, DefectKind, Grade, PieceStatus


@pytest.fixture()
def received_piece(db_session, make_parcel, make_user, make_defect):
    """A piece received at the workshop, ready to be graded (its defect suggests the supplier)."""

    def make(defect=None):
        batch, pieces = make_parcel(1, defect=defect)
        tech = make_user("technician")
        scanning.start_check(tech, batch)
        scanning.receive_scan(tech, batch, pieces[0].code)
        db_session.commit()
        return pieces[0]

    return make


def test_the_card_shows_the_facts_the_clock_the_history_and_the_suggested_blame(client, technician, received_piece):
    piece = received_piece()
    technician()
    page = client.get(f"/bench/pieces/{piece.id}").get_data(as_text=True)
    assert piece.code in page and "男士加绒连帽羽绒服" in page and "宁波雅戈服饰有限公司" in page
    assert "days left" in page
    assert "received at the workshop" in page  # the history
    assert (
        "Suggested: supplier." in page and "A quality defect: a manufacturing fault is charged to the supplier." in page
    )
    assert 'id="grade-form"' in page and "<kbd>1</kbd>" in page


def test_a_store_user_cannot_open_the_grading_card(client, make_user, make_store, login, received_piece):
    piece = received_piece()
    login(make_user("store", store=make_store()))
    assert client.get(f"/bench/pieces/{piece.id}").status_code == 403


def test_grading_repairable_takes_one_choice_and_goes_back_to_the_station(client, technician, received_piece):
    piece = received_piece()
    technician()
    response = client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "repairable", "blame": "supplier"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/bench/scan")
    piece = db.session.get(Piece, piece.id)
    assert piece.status == PieceStatus.REPAIRABLE and piece.grade == Grade.REPAIRABLE and piece.blame is None


def test_scrap_with_the_suggested_blame_costs_the_products_unit_cost(client, technician, received_piece):
    piece = received_piece()
    technician()
    response = client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "scrap", "blame": "supplier"})
    assert response.status_code == 302
    piece = db.session.get(Piece, piece.id)
    assert piece.status == PieceStatus.SCRAPPED and piece.blame == Blame.SUPPLIER and not piece.blame_overridden
    assert str(piece.scrap_cost) == "360.00"
    # The rule's reason is kept as its sentence and parameters, not as text in the grader's language.
    assert piece.blame_reason_id == "A quality defect: a manufacturing fault is charged to the supplier."
    assert (piece.blame_reason, piece.blame_reason_params) == ("", {})


def test_choosing_another_party_without_a_reason_is_refused_in_words(client, technician, received_piece):
    piece = received_piece()
    technician()
    response = client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "scrap", "blame": "store", "reason": "  "})
    assert response.status_code == 422
    assert "You chose store instead of the suggested supplier: write why." in response.get_data(as_text=True)
    assert db.session.get(Piece, piece.id).status == PieceStatus.RECEIVED


def test_choosing_another_party_with_a_reason_records_the_override(client, technician, received_piece):
    piece = received_piece()
    technician()
    response = client.post(
        f"/bench/pieces/{piece.id}/grade",
        data={"grade": "scrap", "blame": "store", "reason": "顾客洗涤不当，门店未检查"},
    )
    assert response.status_code == 302
    piece = db.session.get(Piece, piece.id)
    assert piece.blame == Blame.STORE and piece.suggested_blame == Blame.SUPPLIER and piece.blame_overridden
    event = db.session.scalars(select(Event).where(Event.piece_id == piece.id, Event.action == "grade")).one()
    assert event.data["overridden"] is True and event.reason == "顾客洗涤不当，门店未检查"


def test_rule_three_suggests_the_store_and_the_card_says_why(client, technician, make_parcel, make_defect, make_user):
    from datetime import date, timedelta

    from app.services import batches
    from app.services.settings import rules as current_rules
    from workshop.statuses import Direction, Source

    stain = make_defect(kind=DefectKind.NON_QUALITY, blame=None, name_zh="人为污渍", name_en="Stain by people")
    batch, pieces = make_parcel(1, defect=stain)
    piece = db.session.get(Piece, pieces[0].id)
    piece.source = Source.DELIVERY
    piece.delivery_received_on = date.today() - timedelta(days=12)
    tech = make_user("technician")
    scanning.start_check(tech, batch)
    scanning.receive_scan(tech, batch, piece.code)
    db.session.commit()
    technician()
    page = client.get(f"/bench/pieces/{piece.id}").get_data(as_text=True)
    assert "Suggested: store." in page and "days after the delivery (more than 7)" in page


def test_grading_a_piece_twice_is_refused_with_its_state(client, technician, received_piece):
    piece = received_piece()
    technician()
    client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "no_fault"})
    response = client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "repairable"})
    assert response.status_code == 409
    assert f"Piece {piece.code} is no fault found, so it cannot be graded." in response.get_data(as_text=True)


def test_a_grade_must_be_chosen(client, technician, received_piece):
    piece = received_piece()
    technician()
    response = client.post(f"/bench/pieces/{piece.id}/grade", data={})
    assert response.status_code == 422 and "Choose a grade." in response.get_data(as_text=True)


@pytest.fixture()
def catalogue(db_session, make_user):
    db_session.add_all(
        [
            RepairOperation(code="RESTITCH", name_zh="重新缝合", name_en="Restitch seam"),
            RepairOperation(code="ZIP", name_zh="更换拉链", name_en="Replace zip"),
            SparePart(code="ZIP-5", name_zh="5号拉链", name_en="Zip no. 5", unit="条"),
            SparePart(code="BTN", name_zh="纽扣", name_en="Button", unit="粒"),
        ]
    )
    db_session.commit()
    parts = {p.code: p for p in db_session.scalars(select(SparePart))}
    # The workshop's store room holds some of each: a repair draws its parts from it.
    stock.receive(
        make_user("technician"),
        stock.workshop_location(),
        [stock.ReceiptLineIn(p.id, 20, Decimal("1.50")) for p in parts.values()],
    )
    db_session.commit()
    return parts


def test_a_repair_records_operations_parts_and_minutes(client, technician, received_piece, catalogue):
    piece = received_piece()
    technician()
    client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "repairable"})
    page = client.get(f"/bench/pieces/{piece.id}").get_data(as_text=True)
    assert "Restitch seam" in page and "Zip no. 5" in page
    response = client.post(
        f"/bench/pieces/{piece.id}/repair",
        data={
            "operations": ["RESTITCH", "ZIP"],
            "note": "",
            "minutes": "35",
            "parts-0-part": str(catalogue["ZIP-5"].id),
            "parts-0-quantity": "1",
            "parts-1-part": str(catalogue["BTN"].id),
            "parts-1-quantity": "4",
            "parts-2-part": "0",
            "parts-2-quantity": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    piece = db.session.get(Piece, piece.id)
    assert piece.status == PieceStatus.REPAIRED
    repair = piece.repairs[0]
    assert repair.operations == ["RESTITCH", "ZIP"] and repair.minutes == 35
    assert sorted((p.spare_part.code, p.quantity) for p in repair.parts) == [("BTN", 4), ("ZIP-5", 1)]


def test_a_repair_that_says_nothing_is_refused(client, technician, received_piece, catalogue):
    piece = received_piece()
    technician()
    client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "repairable"})
    response = client.post(f"/bench/pieces/{piece.id}/repair", data={"minutes": "10"})
    assert response.status_code == 422
    assert "Say what was done: choose an operation or write a note." in response.get_data(as_text=True)
    assert db.session.get(Piece, piece.id).status == PieceStatus.REPAIRABLE


def test_a_piece_that_cannot_be_repaired_is_scrapped_after_all(client, technician, received_piece, catalogue):
    piece = received_piece()
    technician()
    client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "repairable"})
    response = client.post(f"/bench/pieces/{piece.id}/scrap", data={"blame": "hq", "reason": "面料老化，无法判断原因"})
    assert response.status_code == 302
    piece = db.session.get(Piece, piece.id)
    assert piece.status == PieceStatus.SCRAPPED and piece.blame == Blame.HQ and piece.blame_overridden


def test_the_repeat_repair_flag_shows_on_the_card(client, technician, received_piece, make_user):
    from app.models import Repair

    piece = received_piece()
    tech = make_user("technician")
    for _ in range(2):
        db.session.add(
            Repair(piece_id=piece.id, defect_id=piece.defect_id, operations=["RESTITCH"], minutes=10, repaired_by=tech)
        )
    db.session.commit()
    technician()
    page = client.get(f"/bench/pieces/{piece.id}").get_data(as_text=True)
    assert "Repaired twice already for this defect" in page
