"""The store room's paper: the receipt slip in two copies, and the stocktake count sheet."""

from datetime import date
from decimal import Decimal

import pytest

from labels import Party, StockDocument, StockLine, stock_pdf


def receipt(lines=3) -> StockDocument:
    return StockDocument(
        kind="receipt",
        number="JS0000042",
        location="总公司售后服务部",
        date=date(2026, 11, 30),
        lines=tuple(
            StockLine(f"ZIP-{n}", f"{n}号树脂拉链", f"Resin zip no. {n}", "条", 10 * n, Decimal("1.25"))
            for n in range(1, lines + 1)
        ),
        supplier=Party("YKK 拉链（上海）有限公司", "李娜", "021-5555 1234"),
        delivery_note="DN-778",
        prepared_by="张师傅",
    )


def test_a_receipt_slip_prints_twice_with_its_copies_named_names_in_both_languages_and_the_total(pdf_tools):
    pdf = stock_pdf(receipt())
    assert pdf_tools.page_count(pdf) == 2
    first, second = pdf_tools.text(pdf, 1), pdf_tools.text(pdf, 2)
    assert "第一联 存根 Copy 1: store room" in first and "第二联 财务 Copy 2: finance" in second
    for page in (first, second):
        for expected in ("备件接收单 Spare parts receipt", "JS0000042", "3号树脂拉链", "Resin zip no. 3", "DN-778"):
            assert expected in page
        # 10 + 20 + 30 units at ¥1.25 = ¥75.00
        assert "60 件 units · ¥75.00" in page and "仓管员 Store keeper: 张师傅" in page


def test_the_receipt_slips_number_is_a_barcode_that_scans(pdf_tools):
    (page, _copy) = pdf_tools.rasterise(stock_pdf(receipt()), 203)
    assert pdf_tools.decode(page) == ["JS0000042"]


def test_a_long_receipt_numbers_the_pages_of_each_copy(pdf_tools):
    pdf = stock_pdf(receipt(lines=60))
    pages = pdf_tools.page_count(pdf)
    assert pages % 2 == 0 and pages >= 4
    half = pages // 2
    assert f"Page 1 / {half}" in pdf_tools.text(pdf, half + 1) and "第二联" in pdf_tools.text(pdf, half + 1)


def test_a_count_sheet_lists_the_books_and_leaves_the_count_to_write():
    pdf = stock_pdf(
        StockDocument(
            kind="count",
            number="PD0000007",
            location="总公司售后服务部",
            date=date(2026, 11, 30),
            lines=(StockLine("BTN", "纽扣", "Button", "粒", 96, shelf="A-01"),),
        )
    )
    assert pdf.startswith(b"%PDF") and not pdf.missing_chars


def test_an_unknown_kind_of_stock_paper_is_refused():
    with pytest.raises(ValueError):
        stock_pdf(StockDocument(kind="invoice", number="X", location="", date=date(2026, 1, 1), lines=()))  # type: ignore[arg-type]
