"""Registering from a spreadsheet: the template, XLSX and CSV in UTF-8 (BOM or not) or GBK,
every problem by row and column, and all or nothing."""

import html
import io
import re
import time
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.models import Event, Piece
from app.services import bulk_import
from app.services.settings import rules as current_rules
from tests.app.store_support import desk, set_now  # noqa: F401 (fixtures)
from workshop.statuses import Source

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
HEADER = "款号 Style code,尺码 Size,颜色 Colour,缺陷代码 Defect code,来源 Source,到货日期 Delivery received on,问题描述 Description"


def csv_bytes(lines: list[str], encoding="utf-8", bom=False) -> bytes:
    data = "\r\n".join([HEADER, *lines]).encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def upload(client, data: bytes, name="pieces.csv"):
    return client.post("/store/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def token_of(page: str) -> str:
    return html.unescape(re.search(r'name="rows" value="([^"]+)"', page)[1])


def count(db_session) -> int:
    return db_session.scalar(select(func.count(Piece.id)))


@pytest.fixture()
def at_noon(app, monkeypatch):
    set_now(app, monkeypatch, NOW)


def test_the_template_is_an_xlsx_with_chinese_and_english_headers(client, login, desk):
    login(desk.clerk)
    response = client.get("/store/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    header = [c.value for c in book.worksheets[0][1]]
    assert header[0] == "款号 Style code" and "来源 Source" in header and "到货日期 Delivery received on" in header


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gbk", False)])
def test_a_csv_in_utf8_with_or_without_bom_or_in_gbk_is_previewed_then_imported(
    client, login, desk, db_session, at_noon, encoding, bom
):
    login(desk.clerk)
    lines = ["G10001,L,藏青,Q01,顾客退货,,左袖脱线", "G10001,XL,黑色,N08,到货发现,2026-11-18,领口污渍"]
    response = upload(client, csv_bytes(lines, encoding, bom))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Rows ready to register: 2" in page and "领口污渍" in page
    assert count(db_session) == 0  # a preview saves nothing
    response = client.post("/store/import/confirm", data={"rows": token_of(page)}, follow_redirects=True)
    assert "2 pieces registered" in response.get_data(as_text=True)
    pieces = db_session.scalars(select(Piece).order_by(Piece.id)).all()
    assert [(p.size, p.colour, p.defect.code, p.source) for p in pieces] == [
        ("L", "藏青", "Q01", Source.CUSTOMER_RETURN),
        ("XL", "黑色", "N08", Source.DELIVERY),
    ]
    assert pieces[1].delivery_received_on.isoformat() == "2026-11-18"
    assert all(p.store_id == desk.store.id for p in pieces)


def test_an_xlsx_upload_with_real_dates_is_read(client, login, desk, db_session, at_noon):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["G10001", "M", "白色", "q01", "delivery", datetime(2026, 11, 17), ""])
    out = io.BytesIO()
    book.save(out)
    login(desk.clerk)
    page = upload(client, out.getvalue(), "pieces.xlsx").get_data(as_text=True)
    assert "Rows ready to register: 1" in page
    client.post("/store/import/confirm", data={"rows": token_of(page)})
    piece = db_session.scalars(select(Piece)).one()
    assert piece.defect.code == "Q01" and piece.delivery_received_on.isoformat() == "2026-11-17"


def test_every_problem_is_listed_by_row_and_column_and_nothing_is_saved(client, login, desk, db_session, at_noon):
    login(desk.clerk)
    lines = [
        "G10001,L,藏青,Q01,顾客退货,,ok",  # row 2: fine
        "NOPE,L,藏青,Q01,顾客退货,,",  # row 3: unknown product
        "G10001,L,藏青,ZZZ,随便,,",  # row 4: unknown defect and source
        "G10001,L,藏青,Q01,到货发现,,",  # row 5: delivery without date
        "G10001,L,藏青,Q01,到货发现,2026-13-40,",  # row 6: not a date
        "G10001,L,藏青,Q01,到货发现,2026-12-01,",  # row 7: in the future
    ]
    response = upload(client, csv_bytes(lines))
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', page)
    assert [(r, c) for r, c, _ in rows] == [
        ("3", "Style code"),
        ("4", "Defect code"),
        ("4", "Source"),
        ("5", "Delivery received on"),
        ("6", "Delivery received on"),
        ("7", "Delivery received on"),
    ]
    assert "No product has the style code NOPE." in rows[0][2]
    assert "cannot be in the future" in rows[5][2]
    assert 'name="rows"' not in page
    assert count(db_session) == 0


def test_a_file_without_the_required_columns_is_refused(client, login, desk, db_session):
    login(desk.clerk)
    response = upload(client, b"a,b,c\n1,2,3\n")
    assert response.status_code == 422
    assert "The header row has no column" in html.unescape(response.get_data(as_text=True))


def test_a_damaged_xlsx_is_refused_with_a_sentence(client, login, desk):
    login(desk.clerk)
    response = upload(client, b"PK\x03\x04 not really a zip", "pieces.xlsx")
    assert response.status_code == 422
    assert "not a readable XLSX" in response.get_data(as_text=True)


def test_the_import_is_all_or_nothing_when_the_catalogue_changed_since_the_preview(
    client, login, desk, db_session, at_noon
):
    login(desk.clerk)
    page = upload(client, csv_bytes(["G10001,L,藏青,Q01,顾客退货,,", "G10001,L,藏青,N08,顾客退货,,"])).get_data(
        as_text=True
    )
    token = token_of(page)
    db_session.commit()
    desk.people.active = False  # retired between the preview and the confirmation
    db_session.commit()
    response = client.post("/store/import/confirm", data={"rows": token})
    assert response.status_code == 422
    assert "Defect code N08 is no longer in use." in html.unescape(response.get_data(as_text=True))
    assert count(db_session) == 0


def test_an_altered_or_foreign_preview_is_refused(client, login, desk, db_session, at_noon):
    login(desk.clerk)
    page = upload(client, csv_bytes(["G10001,L,藏青,Q01,顾客退货,,"])).get_data(as_text=True)
    token = token_of(page)
    response = client.post("/store/import/confirm", data={"rows": token[:-2] + "xx"})
    assert response.status_code == 422 and "upload the file again" in response.get_data(as_text=True)
    client.post("/logout")
    login(desk.other_clerk)
    response = client.post("/store/import/confirm", data={"rows": token})
    assert response.status_code == 422
    assert count(db_session) == 0


def test_three_hundred_rows_are_checked_and_imported_each_with_its_event(db_session, desk):
    rules = current_rules()
    table = [HEADER.split(",")] + [["G10001", "L", "藏青", "Q01", "shelf", "", f"第 {i} 件"] for i in range(300)]
    preview = bulk_import.validate(table, rules, NOW.date())
    _, pieces = bulk_import.import_rows(desk.clerk, desk.store, preview.rows, rules, at=NOW, key="three-hundred")
    db_session.commit()
    assert len(pieces) == 300 and count(db_session) == 300
    assert db_session.scalar(select(func.count(Event.id)).where(Event.action == "register")) == 300
