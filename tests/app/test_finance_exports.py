"""Finance tables as CSV and XLSX: Chinese that Excel opens, numbers as numbers, no formulas."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.services import exports
from tests.app.finance_support import finance_world, scrap  # noqa: F401 (fixtures)

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_a_spreadsheet_would_run_is_neutralised(text):
    assert exports.neutralise(text) == "'" + text
    assert exports.neutralise("安全的名字") == "安全的名字"
    assert exports.neutralise(Decimal("-5.00")) == Decimal("-5.00")  # a number stays a number


def sample_table() -> exports.Table:
    C = exports.Column
    return exports.Table(
        "sample",
        (C("名称"), C("金额", "money"), C("件数", "int"), C("日期", "date"), C("时间", "datetime")),
        [(name, Decimal("-12.50"), 3, date(2026, 9, 30), datetime(2026, 9, 30, 14, 5)) for name in DANGEROUS]
        + [("上海南京东路店", Decimal("360"), 1, None, None)],
    )


def test_the_csv_has_a_bom_and_every_formula_text_is_neutralised():
    body = exports.csv_bytes(sample_table())
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["名称", "金额", "件数", "日期", "时间"]
    assert [r[0] for r in rows[1:7]] == ["'" + t for t in DANGEROUS]
    assert rows[1][1:] == ["-12.50", "3", "2026-09-30", "2026-09-30 14:05"]
    assert rows[7] == ["上海南京东路店", "360.00", "1", "", ""]


def test_the_xlsx_has_numbers_with_two_decimals_dates_as_dates_and_no_formulas():
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(sample_table()))).active
    rows = list(sheet.iter_rows(min_row=2))
    for row, text in zip(rows, DANGEROUS, strict=False):
        # XML reads a carriage return back as a line feed; what matters is the leading quote.
        assert row[0].data_type == "s" and row[0].value == "'" + text.replace("\r", "\n")
    amount, count, day, moment = rows[0][1], rows[0][2], rows[0][3], rows[0][4]
    assert amount.data_type == "n" and amount.value == -12.5 and amount.number_format == "0.00"
    assert count.value == 3
    assert day.is_date and day.value.date() == date(2026, 9, 30)
    assert moment.is_date and moment.value == datetime(2026, 9, 30, 14, 5)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_the_month_and_its_pieces_download_with_a_store_named_like_a_formula_neutralised(
    client, login, scrap, finance_world
):
    w = finance_world
    w.store.name = "=cmd|' /C calc'!A0"
    w.product.name = "-2+3 羽绒服"
    db.session.commit()
    scrap(defect=w.people)
    login(w.finance)
    allocation = client.get("/finance/export/allocation.csv?month=2026-09")
    assert allocation.status_code == 200 and allocation.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(allocation.data.decode("utf-8-sig"), newline="")))
    store_row = next(r for r in rows if "calc" in "".join(r))
    assert store_row[2] == "'=cmd|' /C calc'!A0" and store_row[4] == "360.00"
    assert rows[-1][8] == "360.00"  # the total row is the sum of the lines

    pieces = client.get(f"/finance/export/pieces.xlsx?month=2026-09&kind=store&party={w.store.id}")
    sheet = load_workbook(io.BytesIO(pieces.data)).active
    header, row = [c.value for c in sheet[1]], [c for c in sheet[2]]
    assert row[1].value == "'=cmd|' /C calc'!A0" and not row[2].value.startswith(exports.FORMULA_TRIGGERS)
    cost = row[header.index("Unit cost")]
    assert cost.value == 360 and cost.number_format == "0.00"
    assert row[header.index("Decided at")].is_date


@pytest.mark.parametrize("name", ["allocation", "months", "claims", "outstanding"])
def test_every_finance_table_downloads_in_both_formats(client, login, finance_world, name):
    login(finance_world.finance)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/finance/export/{name}.{fmt}?month=2026-09")
        assert response.status_code == 200, (name, fmt)
        assert response.headers["Content-Disposition"].startswith("attachment")
