"""The customer's receipt at the counter (三包服务回执): A5 for an office printer, or a strip of
80 mm for a receipt printer, as long as its text needs. Chinese, with the piece's barcode."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.barcodes import (
    OFFICE_MODULE_WIDTHS,
    THERMAL_MODULE_WIDTHS,
    code128,
    draw_code128,
    module_width_that_fits,
)
from labels.data import CustomerReceipt
from labels.fonts import Rendered, draw_text, register_font, rendered, wrap_text
from labels.money import format_money as yuan

ReceiptSize = Literal["a5", "80mm"]
ROLL_WIDTH = 80 * mm


@dataclass(frozen=True)
class _Format:
    width: float
    margin: float
    title_size: float
    text_size: float
    module_widths: tuple[float, ...]
    barcode_height: float


FORMATS = {
    "a5": _Format(A5[0], 12 * mm, 15, 10, OFFICE_MODULE_WIDTHS, 14 * mm),
    # 72 mm of print on an 80 mm roll: 4 mm each side that the printer cannot reach.
    "80mm": _Format(ROLL_WIDTH, 4 * mm, 12, 8.5, THERMAL_MODULE_WIDTHS, 12 * mm),
}


@dataclass(frozen=True)
class _Line:
    text: str
    size: float
    gap_before: float = 0.0
    centre: bool = False


def _lines(receipt: CustomerReceipt, fmt: _Format) -> list[_Line]:
    inner = fmt.width - 2 * fmt.margin
    size = fmt.text_size
    out: list[_Line] = []

    def add(text: str, gap: float = 0.0, line_size: float = size, centre: bool = False) -> None:
        for index, line in enumerate(wrap_text(text, line_size, inner)):
            out.append(_Line(line, line_size, gap if index == 0 else 0.0, centre))

    add("三包服务回执", line_size=fmt.title_size, centre=True)
    add(receipt.store, line_size=size + 1, centre=True)
    add(f"电话：{receipt.store_phone}" if receipt.store_phone else "", centre=True)
    add(receipt.store_address, centre=True)
    add(f"商品：{receipt.product}", gap=size)
    if receipt.size_colour:
        add(f"尺码/颜色：{receipt.size_colour}")
    add(f"问题：{receipt.defect}")
    add(f"购买日期：{receipt.sold_on.isoformat()}    实付金额：{yuan(receipt.price_paid)}")
    add(f"小票/三包卡号：{receipt.receipt_no}")
    add(f"三包状态：{receipt.guarantee}", gap=size * 0.6)
    add(f"处理决定：{receipt.decision}" + (f"  金额：{yuan(receipt.amount)}" if receipt.amount is not None else ""))
    add(f"依据：{receipt.rule}")
    if receipt.reason:
        add(f"说明：{receipt.reason}")
    if receipt.expected_back is not None:
        add(f"预计返回日期：{receipt.expected_back.isoformat()}（发往售后服务部，下次发货起 15 天内）", gap=size * 0.6)
    add(
        f"办理日期：{receipt.decided_on.isoformat()}"
        + (f"    经办人：{receipt.decided_by}" if receipt.decided_by else "")
    )
    add("顾客签字：____________________", gap=size * 1.5)
    add("请凭本回执及购物小票取件或查询。", gap=size * 0.6)
    return out


def _line_height(line: _Line) -> float:
    return line.size * 1.45 + line.gap_before


def _content_height(lines: list[_Line], fmt: _Format) -> float:
    # the barcode block: bars, the code under them, and a gap
    return sum(_line_height(line) for line in lines) + fmt.barcode_height + fmt.text_size * 3


def receipt_pdf(receipt: CustomerReceipt, size: ReceiptSize = "a5") -> Rendered:
    register_font()
    fmt = FORMATS[size]
    lines = _lines(receipt, fmt)
    height = A5[1] if size == "a5" else _content_height(lines, fmt) + 2 * fmt.margin
    if size == "a5" and _content_height(lines, fmt) + 2 * fmt.margin > height:
        height = _content_height(lines, fmt) + 2 * fmt.margin  # a very long reason: a longer page, nothing cut
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(fmt.width, height), pageCompression=1)
    canvas.setTitle(f"三包服务回执 {receipt.code}")
    left, right = fmt.margin, fmt.width - fmt.margin
    y = height - fmt.margin
    for line in lines[:4]:  # the heading: title and store
        y -= _line_height(line)
        draw_text(
            canvas, line.text, fmt.width / 2 if line.centre else left, y, line.size, "centre" if line.centre else "left"
        )
    # The piece's barcode, centred, with its code under it.
    module = module_width_that_fits(receipt.code, right - left, fmt.module_widths)
    symbol_width = code128(receipt.code).width(module)
    y -= fmt.barcode_height + fmt.text_size * 0.8
    draw_code128(canvas, receipt.code, (fmt.width - symbol_width) / 2, y, module, fmt.barcode_height)
    y -= fmt.text_size * 1.3
    draw_text(canvas, receipt.code, fmt.width / 2, y, fmt.text_size + 1, "centre")
    for line in lines[4:]:
        y -= _line_height(line)
        draw_text(
            canvas, line.text, fmt.width / 2 if line.centre else left, y, line.size, "centre" if line.centre else "left"
        )
    canvas.showPage()
    canvas.save()
    return rendered(out.getvalue(), receipt)
