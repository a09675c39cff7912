"""Spare parts pages: requisitions asked for and approved, finance's repair costs, a repair's
cost on its piece, the settings."""

from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Printer, Repair, Requisition
from app.services import settings, stock
from tests.app.spares_support import make_part, receive_parts, repairable_piece  # noqa: F401 (fixtures)
from tests.app.test_bench_scan_station import make_parcel, technician  # noqa: F401 (fixtures)
from tests.app.test_label_printers import make_printer  # noqa: F401 (fixtures)
from workshop.money import Month
from workshop.statuses import RequisitionStatus


def test_a_requisition_is_asked_for_by_piece_code_and_approved_by_the_lead_only(
    client, technician, login, make_user, make_part, receive_parts, repairable_piece
):
    button = make_part("BTN", "纽扣", "Button", "粒")
    receive_parts({button: (100, "0.25")})
    piece = repairable_piece()
    technician()
    bad = client.post(
        "/spares/requisitions/new", data={"piece": piece.code, "lines-0-part": "NOPE", "lines-0-quantity": "2"}
    )
    assert bad.status_code == 422 and "no spare part has the code NOPE" in bad.get_data(as_text=True)
    asked = client.post(
        "/spares/requisitions/new",
        data={"piece": piece.code, "lines-0-part": "btn", "lines-0-quantity": "12", "reason": "全部换扣"},
    )
    assert asked.status_code == 302
    requisition = db.session.scalar(select(Requisition))
    page = client.get(f"/spares/requisitions/{requisition.id}").get_data(as_text=True)
    assert "12 粒" in page and "¥3.00" in page and "Approve" not in page and "Cancel the requisition" in page
    assert client.post(f"/spares/requisitions/{requisition.id}/approve").status_code == 403
    client.post("/logout")
    login(make_user("admin"))
    assert client.post(f"/spares/requisitions/{requisition.id}/approve", data={"note": "同意"}).status_code == 302
    db.session.expire_all()
    requisition = db.session.get(Requisition, requisition.id)
    assert requisition.status == RequisitionStatus.APPROVED and requisition.decision_note == "同意"
    listing = client.get("/spares/requisitions?status=approved").get_data(as_text=True)
    assert requisition.number in listing and piece.code in listing
    assert "approved" in client.get(f"/pieces/{piece.id}").get_data(as_text=True)  # on the piece's timeline


def test_finance_sees_the_months_repair_costs_by_supplier_store_and_product_and_exports_them(
    client, technician, login, make_user, make_part, receive_parts, repairable_piece
):
    zip5 = make_part()
    receive_parts({zip5: (10, "3.00")})
    piece = repairable_piece()
    technician()
    client.post(
        f"/bench/pieces/{piece.id}/repair",
        data={"note": "换拉链", "minutes": "45", "parts-0-part": str(zip5.id), "parts-0-quantity": "2"},
    )
    repair = db.session.scalar(select(Repair))
    assert (repair.parts_cost, repair.labour_cost) == (Decimal("6.00"), Decimal("45.00"))
    assert "cost ¥51.00 (parts ¥6.00, labour ¥45.00)" in client.get(f"/pieces/{piece.id}").get_data(as_text=True)
    client.post("/logout")
    login(make_user("finance"))
    month = str(Month.at(clock.now(), settings.rules().tz))
    for by, name in (
        ("supplier", "宁波雅戈服饰有限公司"),
        ("store", piece.store.name),
        ("product", piece.product.name),
    ):
        page = client.get(f"/spares/costs?month={month}&by={by}").get_data(as_text=True)
        assert name in page and "¥51.00" in page, by
    # The piece's defect is a quality defect: the whole repair is claimable from the supplier.
    rows = list(
        load_workbook(BytesIO(client.get(f"/spares/costs.xlsx?month={month}").data)).active.iter_rows(values_only=True)
    )
    assert rows[1][0] == "宁波雅戈服饰有限公司" and rows[1][1] == 1 and rows[1][4] == Decimal("51.00") == rows[1][5]
    assert client.get("/spares/costs?month=2001-13").status_code == 200  # a bad month is this month


def test_a_store_sees_no_repair_cost_and_no_cost_pages(client, login, make_user, make_store):
    login(make_user("store", store=make_store()))
    assert client.get("/spares/costs").status_code == 403
    assert client.get("/spares/requisitions").status_code == 403


def test_the_administrator_sets_the_labour_rate_and_the_limits(client, login, make_user):
    login(make_user("admin"))
    refused = client.post(
        "/spares/settings", data={"labour_rate": "-1", "requisition_quantity": "5", "requisition_value": "1"}
    )
    assert refused.status_code == 422
    saved = client.post(
        "/spares/settings", data={"labour_rate": "72.50", "requisition_quantity": "3", "requisition_value": "150"}
    )
    assert saved.status_code == 302
    now = settings.spares()
    assert now.labour_rate == Decimal("72.50") and now.limits.quantity == 3 and now.limits.value == Decimal("150.00")


def test_a_replaced_part_kept_for_the_claim_is_listed_until_it_is_returned_to_its_supplier(
    client, technician, make_part, receive_parts, repairable_piece
):
    from app.models import OldPart

    zip5 = make_part()
    receive_parts({zip5: (10, "3.00")})
    piece = repairable_piece()
    technician()
    client.post(
        f"/bench/pieces/{piece.id}/repair",
        data={
            "note": "换拉链",
            "minutes": "20",
            "parts-0-part": str(zip5.id),
            "parts-0-quantity": "1",
            "keep_old_parts": "y",
        },
    )
    old = db.session.scalar(select(OldPart))
    assert old.quantity == 1 and old.supplier_id == piece.product.supplier_id and old.action is None
    page = client.get("/spares/old-parts").get_data(as_text=True)
    assert piece.code in page and "宁波雅戈服饰有限公司" in page and "returned to the supplier" in page
    assert client.post(f"/spares/old-parts/{old.id}/returned", data={"note": "随索赔单寄回"}).status_code == 302
    db.session.expire_all()
    old = db.session.get(OldPart, old.id)
    assert old.action == "returned" and old.action_note == "随索赔单寄回" and old.action_by_id is not None
    assert piece.code not in client.get("/spares/old-parts").get_data(as_text=True)  # no longer on hand
    assert piece.code in client.get("/spares/old-parts?all=1").get_data(as_text=True)
    again = client.post(f"/spares/old-parts/{old.id}/scrapped")
    assert again.status_code == 303 and db.session.get(OldPart, old.id).action == "returned"  # back, with why


def test_shelf_labels_of_ticked_parts_reach_the_workshops_printer_with_their_shelf(
    client, technician, make_part, receive_parts, make_printer
):
    from tests.app.test_label_printers import label_printer

    zip5, button = make_part(), make_part("BTN", "纽扣", "Button", "粒")
    receive_parts({zip5: (10, "3.00")})
    location = stock.workshop_location()
    stock.set_reorder(location, zip5, 0, 0, "A-03")
    db.session.commit()
    technician()
    with label_printer() as (port, received):
        make_printer(port=port)
        page = client.get(f"/spares/{location.id}/").get_data(as_text=True)
        assert 'name="part"' in page and "Shelf labels of the ticked parts" in page
        printer_id = db.session.scalar(select(Printer.id))
        sent = client.post(
            f"/spares/{location.id}/labels",
            data={"part": [str(zip5.id), str(button.id)], "printer": str(printer_id), "copies": "2", "deliver": "send"},
            follow_redirects=True,
        )
    assert "Labels sent to printer" in sent.get_data(as_text=True) and ": 4." in sent.get_data(as_text=True)
    assert received.count(b"^FD>:ZIP-5^FS") == 2 and received.count(b"^FD>:BTN^FS") == 2
    nothing = client.post(f"/spares/{location.id}/labels", data={"printer": str(printer_id)}, follow_redirects=True)
    assert "Tick at least one part" in nothing.get_data(as_text=True)
