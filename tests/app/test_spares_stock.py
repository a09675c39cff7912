"""Spare parts in stock: receipts, the ledger, repairs drawing their parts, what a repair costs,
reorder alerts, requisitions above the limits, and who sees which shelf."""

import threading
from decimal import Decimal
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import Alert, Notification, PartStock, Piece, Repair, Requisition, SparePart, StockMovement, User
from app.services import grading, requisitions, stock
from tests.app.spares_support import make_part, receive_parts, repairable_piece  # noqa: F401 (fixtures)
from tests.app.test_bench_scan_station import make_parcel, technician  # noqa: F401 (fixtures)
from workshop.statuses import PieceStatus, RequisitionStatus
from workshop.stock import MovementKind, NotEnoughStock
from workshop.transitions import RequisitionAction


def shelf_of(part) -> PartStock:
    db.session.expire_all()
    return db.session.scalar(
        select(PartStock).where(PartStock.part_id == part.id, PartStock.location_id == stock.workshop_location().id)
    )


def test_receiving_through_the_page_puts_parts_on_the_shelf_at_their_moving_average(
    client, technician, make_part, receive_parts
):
    zip5 = make_part()
    receive_parts({zip5: (10, "1.00")})
    technician()
    location = stock.workshop_location()
    response = client.post(
        f"/spares/{location.id}/receive",
        data={
            "delivery_note": "DN-778",
            "lines-0-part": "zip-5",  # typed in lower case, or scanned from the shelf label
            "lines-0-quantity": "30",
            "lines-0-unit_price": "2.00",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    shelf = shelf_of(zip5)
    assert shelf.on_hand == 40 and shelf.average_cost == Decimal("1.7500")
    page = client.get(f"/spares/{location.id}/").get_data(as_text=True)
    assert "ZIP-5" in page and "5号拉链" in page and "Zip no. 5" in page and "¥1.75" in page and "¥70.00" in page
    ledger = client.get(f"/spares/{location.id}/parts/{zip5.id}").get_data(as_text=True)
    assert ledger.count("received") >= 2 and "+30" in ledger and "DN-778" not in ledger  # the note is on the receipt
    receipt_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "DN-778" in receipt_page and "Receipt slip (PDF, two copies)" in receipt_page
    slip = client.get(response.headers["Location"] + "/slip.pdf")
    assert slip.status_code == 200 and slip.mimetype == "application/pdf" and slip.data.startswith(b"%PDF")


def test_a_receipt_with_an_unknown_part_is_refused_and_changes_nothing(client, technician, make_part):
    make_part()
    technician()
    location = stock.workshop_location()
    response = client.post(
        f"/spares/{location.id}/receive",
        data={"lines-0-part": "NOPE", "lines-0-quantity": "3", "lines-0-unit_price": "1"},
    )
    assert response.status_code == 422
    assert "no spare part has the code NOPE" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 0


def test_a_repair_draws_its_parts_from_stock_and_costs_parts_plus_labour(
    client, technician, make_part, receive_parts, repairable_piece
):
    zip5, button = make_part(), make_part("BTN", "纽扣", "Button", "粒")
    receive_parts({zip5: (10, "3.00"), button: (100, "0.25")})
    piece = repairable_piece()
    technician()
    response = client.post(
        f"/bench/pieces/{piece.id}/repair",
        data={
            "note": "换拉链",
            "minutes": "30",
            "parts-0-part": str(zip5.id),
            "parts-0-quantity": "1",
            "parts-1-part": str(button.id),
            "parts-1-quantity": "4",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert shelf_of(zip5).on_hand == 9 and shelf_of(button).on_hand == 96
    repair = db.session.scalar(select(Repair).where(Repair.piece_id == piece.id))
    # 1 × 3.00 + 4 × 0.25 = 4.00 in parts; 30 minutes at the default 60.00 an hour = 30.00.
    assert repair.parts_cost == Decimal("4.00") and repair.labour_cost == Decimal("30.00")
    issued = db.session.scalars(select(StockMovement).where(StockMovement.repair_id == repair.id)).all()
    assert sorted((m.kind, m.quantity, m.value) for m in issued) == [
        (MovementKind.ISSUE, -4, Decimal("-1.00")),
        (MovementKind.ISSUE, -1, Decimal("-3.00")),
    ]
    assert sum(p.value for p in repair.parts) == repair.parts_cost


def test_a_repair_needing_more_than_the_shelf_holds_is_refused_with_what_is_there(
    client, technician, make_part, receive_parts, repairable_piece
):
    zip5 = make_part()
    receive_parts({zip5: (2, "3.00")})
    piece = repairable_piece()
    technician()
    response = client.post(
        f"/bench/pieces/{piece.id}/repair",
        data={"note": "换拉链", "minutes": "30", "parts-0-part": str(zip5.id), "parts-0-quantity": "3"},
    )
    assert response.status_code == 422
    assert "Only 2 of ZIP-5 5号拉链 in stock: 3 cannot be taken." in response.get_data(as_text=True)
    assert db.session.get(Piece, piece.id).status == PieceStatus.REPAIRABLE
    assert shelf_of(zip5).on_hand == 2 and db.session.scalar(select(func.count()).select_from(Repair)) == 0


def test_crossing_the_reorder_point_tells_the_workshop_once(db_session, make_part, receive_parts, make_user):
    zip5 = make_part()
    receive_parts({zip5: (10, "1.00")})
    tech = make_user("technician")
    location = stock.workshop_location()
    stock.set_reorder(location, zip5, 5, 20, "A-01")
    stock.write_off(tech, location, zip5, 4, "受潮")  # 10 → 6: above the point, nothing said
    assert db_session.scalar(select(func.count()).select_from(Alert)) == 0
    stock.write_off(tech, location, zip5, 2, "受潮")  # 6 → 4: crossed
    stock.write_off(tech, location, zip5, 1, "受潮")  # 4 → 3: already below, nothing new
    db_session.commit()
    alert = db_session.scalar(select(Alert))
    assert db_session.scalar(select(func.count()).select_from(Alert)) == 1
    assert alert.kind == "reorder" and alert.params["on_hand"] == 4 and "Zip no. 5" in alert.params["part"]
    assert tech.id in set(db_session.scalars(select(Notification.user_id)))  # every technician
    assert stock.StockRow(zip5, shelf_of(zip5)).to_order == 20


def test_a_refused_issue_writes_no_alert(db_session, make_part, receive_parts, make_user):
    zip5 = make_part()
    receive_parts({zip5: (3, "1.00")})
    location = stock.workshop_location()
    stock.set_reorder(location, zip5, 2, 0, "")
    with pytest.raises(NotEnoughStock):
        stock.write_off(make_user("technician"), location, zip5, 4, "丢失")
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Alert)) == 0


def test_above_the_limits_a_repair_needs_an_approved_requisition(
    client, technician, make_part, receive_parts, repairable_piece, make_user
):
    button = make_part("BTN", "纽扣", "Button", "粒")
    receive_parts({button: (100, "0.25")})
    piece = repairable_piece()
    tech = technician()
    form = {"note": "钉扣", "minutes": "10", "parts-0-part": str(button.id), "parts-0-quantity": "8"}
    refused = client.post(f"/bench/pieces/{piece.id}/repair", data=form)
    assert refused.status_code == 422
    assert "ask for a requisition for this piece and have it approved first" in refused.get_data(as_text=True)

    requisition = requisitions.request(tech, piece, [(button.id, 8)], "大衣全部换扣")
    db.session.commit()
    with pytest.raises(Exception, match="may not"):
        requisitions.decide(tech, requisition, RequisitionAction.APPROVE)  # not the lead
    db.session.rollback()
    requisitions.decide(make_user("admin"), db.session.get(Requisition, requisition.id), RequisitionAction.APPROVE)
    db.session.commit()
    assert client.post(f"/bench/pieces/{piece.id}/repair", data=form).status_code == 302
    requisition = db.session.get(Requisition, requisition.id)
    assert requisition.status == RequisitionStatus.ISSUED and requisition.repair_id is not None
    issued = db.session.scalar(select(StockMovement).where(StockMovement.requisition_id == requisition.id))
    assert issued.quantity == -8 and shelf_of(button).on_hand == 92


def test_a_store_sees_only_its_own_shelf(client, login, make_user, make_store, make_part, receive_parts):
    zip5 = make_part()
    receive_parts({zip5: (10, "1.00")})
    mine, other = make_store(), make_store("广州天河城店")
    tech = make_user("technician")
    workshop = stock.workshop_location()
    stock.transfer(tech, workshop, stock.store_location(mine), zip5, 3)
    stock.transfer(tech, workshop, stock.store_location(other), zip5, 2)
    db.session.commit()
    own, others = stock.store_location(mine), stock.store_location(other)
    db.session.commit()
    login(make_user("store", store=mine))
    assert client.get("/spares/").headers["Location"].endswith(f"/spares/{own.id}/")
    page = client.get(f"/spares/{own.id}/").get_data(as_text=True)
    assert "ZIP-5" in page and ">3 条<" in page.replace("\n", "")
    assert client.get(f"/spares/{workshop.id}/").status_code == 404
    assert client.get(f"/spares/{others.id}/").status_code == 404
    assert client.get(f"/spares/{others.id}/parts/{zip5.id}").status_code == 404
    assert client.post(f"/spares/{own.id}/receive", data={}).status_code == 403
    receipt = db.session.scalar(select(StockMovement.receipt_id).where(StockMovement.receipt_id.is_not(None)))
    assert client.get(f"/spares/receipts/{receipt}").status_code == 404
    assert client.get(f"/spares/receipts/{receipt}/slip.pdf").status_code == 404


# --- The ledger always matches the shelf -----------------------------------------------------

CODES = count(1)
MOVES = st.lists(
    st.tuples(st.sampled_from(["receive", "issue", "write_off", "return"]), st.integers(1, 7)), max_size=25
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES)
def test_for_any_movements_the_shelf_equals_the_sum_of_its_ledger_and_never_goes_below_zero(
    db_session, make_user, moves
):
    # Each example has a part (and so a shelf) of its own: no table is emptied between them.
    part = SparePart(code=f"P{next(CODES)}", name_zh="测试件", name_en="Test part")
    db_session.add(part)
    tech = db_session.scalar(select(User).where(User.role == "technician")) or make_user("technician")
    location = stock.workshop_location()
    expected = 0
    for kind, quantity in moves:
        try:
            if kind == "receive":
                stock.add(tech, location, part, MovementKind.RECEIVE, quantity, Decimal("1.10"), stock.Doc())
            elif kind == "return":
                stock.add(tech, location, part, MovementKind.RETURN, quantity, None, stock.Doc())
            else:
                stock.take(tech, location, part, MovementKind(kind), quantity, stock.Doc("x"))
        except NotEnoughStock as refused:
            assert quantity > expected and refused.on_hand == expected
            continue
        expected += quantity if kind in ("receive", "return") else -quantity
        assert expected >= 0
    db_session.commit()
    shelf = shelf_of(part)
    assert (shelf.on_hand if shelf else 0) == expected
    if shelf is not None:
        assert shelf.on_hand == stock.ledger_sum(shelf.id)
        balances = db_session.scalars(select(StockMovement.balance).where(StockMovement.stock_id == shelf.id))
        assert all(b >= 0 for b in balances)


def test_two_technicians_taking_the_last_unit_at_once_one_is_refused(
    app, db_session, make_part, receive_parts, make_user
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    zip5 = make_part()
    receive_parts({zip5: (1, "5.00")})
    techs = [make_user("technician").id for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(user_id):
        with app.app_context():
            from app.models import User

            user = db.session.get(User, user_id)
            location = stock.workshop_location()
            part = stock.get_part(zip5.id)
            barrier.wait()
            try:
                stock.take(user, location, part, MovementKind.ISSUE, 1, stock.Doc())
                db.session.commit()
                outcomes.append("ok")
            except NotEnoughStock:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take, args=(t,)) for t in techs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert shelf_of(zip5).on_hand == 0 and stock.ledger_sum(shelf_of(zip5).id) == 0


def test_parts_issued_but_not_used_go_back_at_the_cost_they_left_at(
    client, technician, make_part, receive_parts, repairable_piece
):
    zip5 = make_part()
    receive_parts({zip5: (10, "3.00")})
    piece = repairable_piece()
    technician()
    client.post(
        f"/bench/pieces/{piece.id}/repair",
        data={"note": "换拉链", "minutes": "10", "parts-0-part": str(zip5.id), "parts-0-quantity": "3"},
    )
    location = stock.workshop_location()
    url = f"/spares/{location.id}/parts/{zip5.id}/return"
    too_many = client.post(url, data={"piece": piece.code, "quantity": "4"})
    assert too_many.status_code == 422 and "Only 3 of ZIP-5 5号拉链 were issued" in too_many.get_data(as_text=True)
    assert client.post(url, data={"piece": piece.code, "quantity": "2", "reason": "多领"}).status_code == 302
    back = db.session.scalar(select(StockMovement).where(StockMovement.kind == MovementKind.RETURN))
    assert back.quantity == 2 and back.unit_cost == Decimal("3.0000") and back.reason == "多领"
    assert shelf_of(zip5).on_hand == 9 == stock.ledger_sum(shelf_of(zip5).id)
    assert client.post(url, data={"piece": piece.code, "quantity": "2"}).status_code == 422  # only 1 still out
