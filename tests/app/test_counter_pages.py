"""三包 at the counter through the pages: the purchase at registration, the answer, the decision,
the store's own repair, the receipt, the admin's table, and who sees what."""

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import CustomerReturn, Piece, RepairOperation
from app.services import counter
from tests.app.conftest import fresh
from tests.app.counter_support import NOW, make_return  # noqa: F401 (fixtures)
from tests.app.store_support import desk, form_for, set_now  # noqa: F401 (fixtures)
from workshop.guarantee import Decision, GuaranteeCategory
from workshop.statuses import PieceStatus

PURCHASE = {
    "sold_on": "2026-03-01",
    "price_paid": "899.00",
    "receipt_no": "SB-2026-000123",
    "worn": "y",
    "customer_name": "张三丰",
    "customer_phone": "13812345678",
}


@pytest.fixture()
def at_the_counter(app, monkeypatch, login, desk):
    set_now(app, monkeypatch, NOW)
    login(desk.clerk)
    return desk


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_a_clerk_registers_a_customers_coat_and_reads_the_counters_answer(client, at_the_counter, db_session):
    desk = at_the_counter
    response = client.post("/store/register", data=form_for(desk, **PURCHASE), content_type="multipart/form-data")
    piece = db_session.scalars(select(Piece)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/counter/pieces/{piece.id}")

    page = text(client.get(f"/counter/pieces/{piece.id}"))
    assert "free repair, send to the workshop" in page
    assert "until 2026-09-01" in page  # six months for a coat (羽绒服)
    assert "Expected back by 2026-04-25" in page

    response = client.post(f"/counter/pieces/{piece.id}", data={"decision": "free_repair_workshop", "reason": ""})
    assert response.status_code == 302
    record = counter.current(db_session.get(Piece, piece.id))
    assert (record.decision, record.decided_by_id, record.amount) == (
        Decision.FREE_REPAIR_WORKSHOP,
        desk.clerk.id,
        Decimal("0.00"),
    )
    page = text(client.get(f"/pieces/{piece.id}"))
    assert "Customer return" in page and "张三丰 13812345678" in page
    assert "receipt-a5.pdf" in page and "receipt-80mm.pdf" in page


def test_a_purchase_half_typed_is_refused_field_by_field_and_registers_nothing(client, at_the_counter, db_session):
    response = client.post(
        "/store/register",
        data=form_for(at_the_counter, sold_on="2026-03-01", customer_phone="call me"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text(response)
    assert "Give the price the customer paid." in page
    assert "Give the receipt or 三包 card number." in page
    assert "A phone number is digits" in page
    assert db_session.scalars(select(Piece)).first() is None


def test_a_sale_in_the_future_is_refused_at_registration(client, at_the_counter, db_session):
    response = client.post(
        "/store/register",
        data=form_for(at_the_counter, **(PURCHASE | {"sold_on": "2026-04-11"})),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The sale date cannot be in the future." in text(response)
    assert db_session.scalars(select(Piece)).first() is None


def test_another_option_than_the_suggestion_needs_a_reason_on_the_page(client, at_the_counter, make_return, db_session):
    piece = make_return()
    response = client.post(f"/counter/pieces/{piece.id}", data={"decision": "free_repair_store", "reason": ""})
    assert response.status_code == 422
    assert "write why" in text(response)
    assert counter.current(db_session.get(Piece, piece.id)).decision is None

    response = client.post(
        f"/counter/pieces/{piece.id}", data={"decision": "free_repair_store", "reason": "顾客赶时间，店里能换拉链"}
    )
    assert response.status_code == 302
    record = counter.current(db_session.get(Piece, piece.id))
    assert (record.decision, record.overridden, record.reason) == (
        Decision.FREE_REPAIR_STORE,
        True,
        "顾客赶时间，店里能换拉链",
    )
    page = text(client.get(f"/pieces/{piece.id}"))
    assert "not the suggestion" in page and "Record the repair at the store" in page


def test_an_unknown_decision_is_refused_and_changes_nothing(client, at_the_counter, make_return, db_session):
    piece = make_return()
    for junk in ("refund", "bogus", ""):
        response = client.post(f"/counter/pieces/{piece.id}", data={"decision": junk, "reason": "x"})
        assert response.status_code == 422
    assert counter.current(db_session.get(Piece, piece.id)).decision is None


def test_a_repair_at_the_store_through_its_page_closes_the_piece(client, at_the_counter, make_return, db_session):
    fresh(db_session)
    db_session.add(RepairOperation(code="ZIP", name_zh="换拉链", name_en="Replace zip"))
    db_session.commit()
    piece = make_return()
    client.post(f"/counter/pieces/{piece.id}", data={"decision": "free_repair_store", "reason": "店里能修"})
    assert text(client.get(f"/counter/pieces/{piece.id}/repair")).count("Replace zip") == 1
    response = client.post(f"/counter/pieces/{piece.id}/repair", data={"minutes": "0"})
    assert response.status_code == 422
    response = client.post(f"/counter/pieces/{piece.id}/repair", data={"operations": "ZIP", "minutes": "25"})
    assert response.status_code == 302
    assert db_session.get(Piece, piece.id).status == PieceStatus.SETTLED_AT_STORE
    page = text(client.get(f"/pieces/{piece.id}"))
    assert "settled at the store" in page and "25 min" in page


def test_the_customers_receipt_is_chinese_with_the_pieces_barcode_in_both_sizes(
    client, at_the_counter, make_return, db_session, tmp_path
):
    piece = make_return()
    assert client.get(f"/counter/pieces/{piece.id}/receipt-a5.pdf").status_code == 302  # decide first
    client.post(f"/counter/pieces/{piece.id}", data={"decision": "free_repair_workshop"})
    for size in ("a5", "80mm"):
        response = client.get(f"/counter/pieces/{piece.id}/receipt-{size}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        if not (shutil.which("pdftotext") and shutil.which("zbarimg") and shutil.which("pdftoppm")):
            pytest.skip("poppler-utils and zbar-tools decode the receipt")
        pdf = tmp_path / f"{size}.pdf"
        pdf.write_bytes(response.data)
        words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "三包服务回执" in words and "上海南京东路店" in words and "包修（送售后服务部）" in words
        assert "预计返回日期：2026-04-25" in words
        assert "张三丰" not in words and "13812345678" not in words  # never on paper
        subprocess.run(["pdftoppm", "-r", "203", "-gray", str(pdf), str(tmp_path / size)], check=True)
        image = next(tmp_path.glob(f"{size}-*.pgm"))
        scanned = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True).stdout
        assert scanned.split() == [piece.code]


def test_another_store_cannot_open_the_counter_the_repair_or_the_receipt(client, login, desk, make_return):
    piece = make_return()
    login(desk.other_clerk)
    for url in (
        f"/counter/pieces/{piece.id}",
        f"/counter/pieces/{piece.id}/repair",
        f"/counter/pieces/{piece.id}/receipt-a5.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/counter/pieces/{piece.id}", data={"decision": "free_repair_workshop"}).status_code == 404


def test_a_region_manager_reads_the_customer_masked_and_a_technician_in_full(client, login, desk, make_return):
    piece = make_return()
    login(desk.manager)
    page = text(client.get(f"/pieces/{piece.id}"))
    assert "张** 138****5678" in page and "13812345678" not in page
    client.post("/logout")
    login(desk.tech)
    page = text(client.get(f"/pieces/{piece.id}"))
    assert "张三丰 13812345678" in page, page


def test_the_admin_edits_the_periods_and_a_products_own_period(client, login, desk, db_session):
    login(desk.admin)
    page = text(client.get("/counter/periods"))
    assert "coats" in page and "leather shoes" in page
    data = {c.value: str(m) for c, m in counter.periods().items()} | {"coat": "12"}
    assert client.post("/counter/periods", data=data).status_code == 302
    assert counter.periods()[GuaranteeCategory.COAT] == 12
    assert client.post("/counter/periods", data=data | {"suit": "121"}).status_code == 422
    assert client.post("/counter/periods", data=data | {"suit": "abc"}).status_code == 422
    assert counter.periods()[GuaranteeCategory.SUIT] == 6

    product = desk.product
    response = client.post(
        f"/admin/products/{product.id}",
        data={
            "style_code": product.style_code,
            "name": product.name,
            "category": product.category,
            "supplier_id": str(product.supplier_id),
            "unit_cost": "360.00",
            "retail_price": "999.00",
            "guarantee_category": "fur",
            "guarantee_months": "9",
            "active": "y",
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert (product.guarantee_category, product.guarantee_months) == (GuaranteeCategory.FUR, 9)
    assert counter.period_for(product) == (GuaranteeCategory.FUR, 9)


def test_only_the_admin_edits_the_periods(client, login, desk):
    login(desk.clerk)
    assert client.get("/counter/periods").status_code == 403


def test_a_decided_piece_for_the_workshop_joins_the_weekly_batch(client, at_the_counter, make_return, db_session):
    piece = make_return()
    client.post(f"/counter/pieces/{piece.id}", data={"decision": "free_repair_workshop"})
    response = client.post("/store/batch/scan", data={"code": piece.code})
    assert response.status_code == 302
    assert db_session.get(Piece, piece.id).status == PieceStatus.PACKED
    assert db_session.scalars(select(CustomerReturn)).one().decision == Decision.FREE_REPAIR_WORKSHOP


def test_a_refused_piece_is_settled_and_cannot_join_the_batch(client, at_the_counter, make_return, db_session):
    from datetime import date

    piece = make_return(sold_on=date(2025, 1, 1))
    client.post(f"/counter/pieces/{piece.id}", data={"decision": "refusal", "reason": "顾客不愿付费维修"})
    assert db_session.get(Piece, piece.id).status == PieceStatus.SETTLED_AT_STORE
    response = client.post("/store/batch/scan", data={"code": piece.code})
    assert response.status_code == 409
    assert db_session.get(Piece, piece.id).status == PieceStatus.SETTLED_AT_STORE
