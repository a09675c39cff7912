"""The store room's paper: the receipt slip (备件接收单) printed in two copies — one stays with
the store room's books, one goes with the delivery's invoice to finance — and the stocktake
count sheet (盘点表) with an empty column to write the count in."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.a4 import (
    CONTENT_WIDTH,
    LEFT,
    RIGHT,
    TOP,
    Column,
    Row,
    TableDocument,
    draw_corner_barcode,
    draw_party,
    draw_signature_boxes,
    draw_wrapped,
    page_number_text,
    render_table_document,
)
from labels.data import StockDocument, StockLine
from labels.fonts import Rendered, rendered
from labels.money import format_money, to_cents

TITLES = {"receipt": "备件接收单 Spare parts receipt", "count": "备件盘点表 Stocktake count sheet"}
RECEIPT_COPIES = ("第一联 存根 Copy 1: store room", "第二联 财务 Copy 2: finance")
RECEIPT_COLUMNS = (
    Column("编码 Code", 30 * mm, fit="whole"),
    Column("名称 Part", 0),
    Column("单位 Unit", 14 * mm),
    Column("数量 Qty", 16 * mm, "right", "whole"),
    Column("单价 Unit price", 24 * mm, "right", "whole"),
    Column("金额 Amount", 26 * mm, "right", "whole"),
)
COUNT_COLUMNS = (
    Column("编码 Code", 30 * mm, fit="whole"),
    Column("名称 Part", 0),
    Column("货位 Shelf", 20 * mm),
    Column("单位 Unit", 14 * mm),
    Column("账面 Books", 18 * mm, "right", "whole"),
    Column("实盘 Counted", 22 * mm, "right"),
)
BARCODE_HEIGHT = 11 * mm
BARCODE_AREA = 70 * mm
SIGNATURE_HEIGHT = 20 * mm


def stock_pdf(document: StockDocument) -> Rendered:
    """A receipt slip (two copies) or a count sheet, as PDF bytes."""
    if document.kind not in TITLES:
        raise ValueError(f"A stock document is a 'receipt' or a 'count' sheet, not {document.kind!r}.")
    receipt = document.kind == "receipt"
    rows = tuple(_receipt_row(line) if receipt else _count_row(line) for line in document.lines)
    pdf = render_table_document(
        TableDocument(
            title=f"{TITLES[document.kind]} {document.number}",
            columns=RECEIPT_COLUMNS if receipt else COUNT_COLUMNS,
            rows=rows,
            draw_header=lambda canvas, page, pages: _draw_header(canvas, document, page, pages),
            draw_first_page_block=lambda canvas, y: _draw_parties(canvas, document, y),
            draw_closing=lambda canvas, y: _draw_closing(canvas, document, y),
            copies=RECEIPT_COPIES if receipt else (),
        )
    )
    return rendered(pdf, document)


def _name(line: StockLine) -> str:
    return f"{line.name_zh}\n{line.name_en}" if line.name_en else line.name_zh


def _receipt_row(line: StockLine) -> Row:
    quantity = line.quantity or 0
    price = line.unit_price or Decimal("0")
    return Row(
        (
            line.code,
            _name(line),
            line.unit,
            str(quantity),
            format_money(price),
            format_money(to_cents(quantity * price)),
        )
    )


def _count_row(line: StockLine) -> Row:
    return Row((line.code, _name(line), line.shelf, line.unit, str(line.quantity or 0), ""))


def receipt_total(document: StockDocument) -> Decimal:
    return sum((to_cents((line.quantity or 0) * (line.unit_price or 0)) for line in document.lines), Decimal("0.00"))


def _draw_header(canvas: Canvas, document: StockDocument, page: int, pages: int) -> float:
    room, barcode_bottom = draw_corner_barcode(canvas, document.number, BARCODE_AREA, BARCODE_HEIGHT)
    y = draw_wrapped(canvas, TITLES[document.kind], LEFT, TOP, 16, room)
    facts = f"单号 No. {document.number} · 日期 Date {document.date.isoformat()}"
    y = draw_wrapped(canvas, facts, LEFT, y - 1 * mm, 9.5, room)
    y = draw_wrapped(canvas, f"库位 Location: {document.location}", LEFT, y, 9.5, room)
    y = draw_wrapped(canvas, page_number_text(page, pages), LEFT, y, 9, room)
    y = min(y, barcode_bottom) - 2 * mm
    canvas.setLineWidth(0.8)
    canvas.setStrokeGray(0)
    canvas.line(LEFT, y, RIGHT, y)
    return y - 3 * mm


def _draw_parties(canvas: Canvas, document: StockDocument, top: float) -> float:
    y = top
    if document.supplier is not None:
        y = draw_party(canvas, "供应商 Supplier", document.supplier, LEFT, y, CONTENT_WIDTH / 2) - 2 * mm
    if document.delivery_note:
        y = draw_wrapped(canvas, f"送货单号 Delivery note: {document.delivery_note}", LEFT, y, 9.5, CONTENT_WIDTH)
    if document.note:
        y = draw_wrapped(canvas, f"备注 Note: {document.note}", LEFT, y, 9.5, CONTENT_WIDTH)
    return y - 2 * mm


def _draw_closing(canvas: Canvas, document: StockDocument, top: float) -> float:
    y = top
    if document.kind == "receipt":
        quantity = sum(line.quantity or 0 for line in document.lines)
        total = f"合计 Total: {len(document.lines)} 行 lines · {quantity} 件 units · {format_money(receipt_total(document))}"
        y = draw_wrapped(canvas, total, LEFT, y, 10.5, CONTENT_WIDTH)
        captions = ("送货人 Delivered by", "仓管员 Store keeper" + _by(document), "审核 Checked by")
    else:
        y = draw_wrapped(canvas, f"合计 Total: {len(document.lines)} 行 lines", LEFT, y, 10.5, CONTENT_WIDTH)
        captions = ("盘点人 Counted by" + _by(document), "复核人 Checked by", "批准 Approved by")
    return draw_signature_boxes(canvas, y - 3 * mm, captions, SIGNATURE_HEIGHT)


def _by(document: StockDocument) -> str:
    return f": {document.prepared_by}" if document.prepared_by else ""
