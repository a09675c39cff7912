"""A customer's return from the spreadsheet carries its purchase; the counter decides on the piece."""

import io

from sqlalchemy import select

from app.models import CustomerReturn, Piece
from tests.app.counter_support import NOW
from tests.app.store_support import desk, set_now  # noqa: F401 (fixtures)
from tests.app.test_store_bulk_import import token_of, upload

HEADER = (
    "款号 Style code,尺码 Size,颜色 Colour,缺陷代码 Defect code,来源 Source,到货日期 Delivery received on,"
    "问题描述 Description,购买日期 Sale date,实付金额 Price paid,小票或三包卡号 Receipt or 三包 card number,"
    "是否穿用 Worn,顾客姓名 Customer name,顾客电话 Customer phone"
)


def csv(*lines: str) -> bytes:
    return "\r\n".join([HEADER, *lines]).encode("utf-8")


def test_the_template_has_the_purchase_columns(client, login, desk):
    from openpyxl import load_workbook

    login(desk.clerk)
    book = load_workbook(io.BytesIO(client.get("/store/import/template.xlsx").data))
    header = [c.value for c in book.worksheets[0][1]]
    assert "购买日期 Sale date" in header and "实付金额 Price paid" in header and "是否穿用 Worn" in header


def test_a_customers_return_with_its_purchase_is_imported_and_waits_for_the_counter(
    app, monkeypatch, client, login, desk, db_session
):
    set_now(app, monkeypatch, NOW)
    login(desk.clerk)
    page = upload(
        client,
        csv(
            "G10001,L,藏青,Q01,顾客退货,,拉链坏,2026/3/1,899.00,SB-2026-000123,是,张三丰,13812345678",
            "G10001,XL,黑色,Q01,顾客退货,,脱线,,,,,,",
        ),
    ).get_data(as_text=True)
    assert "SB-2026-000123" in page and "13812345678" not in page
    response = client.post("/store/import/confirm", data={"rows": token_of(page)})
    assert response.status_code == 302
    record = db_session.scalars(select(CustomerReturn)).one()
    assert (str(record.sold_on), str(record.price_paid), record.worn, record.customer_phone) == (
        "2026-03-01",
        "899.00",
        True,
        "13812345678",
    )
    assert record.decision is None
    assert len(db_session.scalars(select(Piece)).all()) == 2
    assert "Decide at the counter" in client.get(f"/pieces/{record.piece_id}").get_data(as_text=True)


def test_a_half_purchase_or_a_shelf_piece_with_a_purchase_is_refused_by_row(
    app, monkeypatch, client, login, desk, db_session
):
    set_now(app, monkeypatch, NOW)
    login(desk.clerk)
    response = upload(
        client,
        csv(
            "G10001,L,藏青,Q01,顾客退货,,,2026-03-01,,,,,",
            "G10001,L,藏青,Q01,货架发现,,,2026-03-01,899,R1,否,,",
            "G10001,L,藏青,Q01,顾客退货,,,2026-03-01,1e309,R1,也许,,",
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the price the customer paid." in page and "Give the receipt or 三包 card number." in page
    assert "Only a customer" in page
    assert "is not an amount" in page and "is not yes or no" in page
    assert db_session.scalars(select(Piece)).first() is None
