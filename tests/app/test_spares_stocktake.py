"""A stocktake: counted by scanning labels or typing, differences with reasons, posted only
once the lead approves; the ledger and the shelf agree afterwards."""

from sqlalchemy import select

from app.extensions import db
from app.models import PartStock, StockMovement, Stocktake
from app.services import stock, stocktakes
from tests.app.spares_support import make_part, receive_parts  # noqa: F401 (fixtures)
from tests.app.test_bench_scan_station import technician  # noqa: F401 (fixtures)
from workshop.statuses import StocktakeStatus
from workshop.stock import MovementKind


def test_a_counted_shortage_is_posted_with_its_reason_only_after_the_leads_approval(
    client, technician, login, make_user, make_part, receive_parts
):
    zip5, button = make_part(), make_part("BTN", "纽扣", "Button", "粒")
    receive_parts({zip5: (10, "2.00"), button: (50, "0.20")})
    technician()
    location = stock.workshop_location()
    started = client.post(f"/spares/{location.id}/stocktakes")
    assert started.status_code == 302
    take = db.session.scalar(select(Stocktake))
    # Three scans of the zip's label count three; the buttons are typed.
    for _ in range(3):
        assert client.post(f"/spares/stocktakes/{take.id}/count", data={"part": "ZIP-5"}).status_code == 302
    client.post(f"/spares/stocktakes/{take.id}/count", data={"part": "BTN", "quantity": "50"})
    refused = client.post(f"/spares/stocktakes/{take.id}/submit")
    assert refused.status_code == 422 and "Write the reason of each difference" in refused.get_data(as_text=True)
    client.post(
        f"/spares/stocktakes/{take.id}/count", data={"part": "zip-5", "quantity": "8", "reason": "两条受损丢弃"}
    )
    page = client.get(f"/spares/stocktakes/{take.id}").get_data(as_text=True)
    assert "-2" in page and "-¥4.00" in page and "两条受损丢弃" in page
    assert client.post(f"/spares/stocktakes/{take.id}/submit").status_code == 302
    # The technician may not approve: nothing is posted.
    assert client.post(f"/spares/stocktakes/{take.id}/post").status_code == 403
    assert db.session.scalar(select(StockMovement).where(StockMovement.kind == MovementKind.COUNT)) is None

    client.post("/logout")
    login(make_user("admin"))
    assert client.post(f"/spares/stocktakes/{take.id}/post").status_code == 302
    db.session.expire_all()
    assert db.session.get(Stocktake, take.id).status == StocktakeStatus.POSTED
    movement = db.session.scalar(select(StockMovement).where(StockMovement.kind == MovementKind.COUNT))
    assert movement.quantity == -2 and movement.reason == "两条受损丢弃" and movement.stocktake_id == take.id
    shelf = db.session.scalar(select(PartStock).where(PartStock.part_id == zip5.id))
    assert shelf.on_hand == 8 == stock.ledger_sum(shelf.id)
    # Posting twice changes nothing.
    assert client.post(f"/spares/stocktakes/{take.id}/post").status_code == 409


def test_the_count_sheet_comes_as_pdf_and_xlsx_and_another_store_cannot_read_it(
    client, technician, login, make_user, make_store, make_part, receive_parts
):
    from io import BytesIO

    from openpyxl import load_workbook

    zip5 = make_part()
    receive_parts({zip5: (10, "2.00")})
    tech = technician()
    take = stocktakes.start(tech, stock.workshop_location())
    db.session.commit()
    pdf = client.get(f"/spares/stocktakes/{take.id}/sheet.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    xlsx = client.get(f"/spares/stocktakes/{take.id}/sheet.xlsx")
    rows = list(load_workbook(BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[1][:6] == ("ZIP-5", "5号拉链", "Zip no. 5", "条", None, 10)  # no shelf yet
    client.post("/logout")
    login(make_user("store", store=make_store()))
    assert client.get(f"/spares/stocktakes/{take.id}").status_code == 404
    assert client.get(f"/spares/stocktakes/{take.id}/sheet.xlsx").status_code == 404


def test_only_one_stocktake_of_a_location_is_open_at_a_time(client, technician, make_part):
    technician()
    location = stock.workshop_location()
    db.session.commit()
    assert client.post(f"/spares/{location.id}/stocktakes").status_code == 302
    second = client.post(f"/spares/{location.id}/stocktakes", follow_redirects=True)
    assert "is still open: finish or cancel it first" in second.get_data(as_text=True)
    assert len(db.session.scalars(select(Stocktake)).all()) == 1
