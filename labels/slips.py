"""Dispatch slips (发货单) and return slips (返还单): the paper that travels with a batch."""

from __future__ import annotations

from collections import Counter

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
    draw_fitted,
    draw_signature_boxes,
    page_number_text,
    render_table_document,
)
from labels.barcodes import OFFICE_MODULE_WIDTHS, QUIET_ZONE_MODULES, code128, draw_code128, module_width_that_fits
from labels.data import Party, Slip
from labels.fonts import FONT, text_width, wrap_text
from labels.money import format_money

TITLES = {"dispatch": "发货单 Dispatch slip", "return": "返还单 Return slip"}
EXTRA_MARK = "EXTRA / 额外批次"
NO_OUTCOME = "未填写 Not recorded"

HEADER_HEIGHT = 24 * mm
PARTY_BOX_HEIGHT = 27 * mm
FIRST_PAGE_BLOCK_HEIGHT = PARTY_BOX_HEIGHT + 12 * mm
SIGNATURE_HEIGHT = 24 * mm
BARCODE_HEIGHT = 13 * mm
BARCODE_AREA = 80 * mm


def slip_pdf(slip: Slip) -> bytes:
    if slip.kind not in TITLES:
        raise ValueError(f"A slip is a 'dispatch' or a 'return' slip, not {slip.kind!r}.")
    if not slip.lines:
        raise ValueError(f"Slip for batch {slip.batch_code} has no pieces: a batch needs at least one.")
    returning = slip.kind == "return"
    columns = [
        Column("#", 9 * mm, "right"),
        Column("编码 Code", 26 * mm if returning else 30 * mm),
        Column("产品 Product", 0),
        Column("尺码/颜色 Size/colour", 31 * mm),
        Column("故障 Defect", 30 * mm if returning else 38 * mm),
    ]
    if returning:
        columns.append(Column("结果 Outcome", 32 * mm))
    rows = tuple(
        Row(
            (str(number), line.code, line.product, line.size_colour, line.defect)
            + ((line.outcome or NO_OUTCOME,) if returning else ())
        )
        for number, line in enumerate(slip.lines, start=1)
    )
    totals = _totals(slip)
    return render_table_document(
        TableDocument(
            title=f"{TITLES[slip.kind]} {slip.batch_code}",
            columns=tuple(columns),
            rows=rows,
            draw_header=lambda canvas, page, pages: _draw_header(canvas, slip, page, pages),
            header_height=HEADER_HEIGHT,
            draw_first_page_block=lambda canvas, y: _draw_parties_and_carriage(canvas, slip, y),
            first_page_block_height=FIRST_PAGE_BLOCK_HEIGHT,
            draw_closing=lambda canvas, y: _draw_closing(canvas, totals, y),
            closing_height=len(totals) * 5.5 * mm + 4 * mm + SIGNATURE_HEIGHT,
        )
    )


def _totals(slip: Slip) -> list[str]:
    totals = [f"合计 Total: {len(slip.lines)} 件 pieces"]
    if slip.kind == "return":
        counts = Counter(line.outcome or NO_OUTCOME for line in slip.lines)
        totals.append(" · ".join(f"{outcome}: {count}" for outcome, count in counts.items()))
    return totals


def _draw_header(canvas: Canvas, slip: Slip, page: int, pages: int) -> float:
    module_width = module_width_that_fits(slip.batch_code, BARCODE_AREA, OFFICE_MODULE_WIDTHS)
    symbol_width = code128(slip.batch_code).width(module_width)
    symbol_left = RIGHT - QUIET_ZONE_MODULES * module_width - symbol_width
    draw_code128(canvas, slip.batch_code, symbol_left, TOP - BARCODE_HEIGHT, module_width, BARCODE_HEIGHT)
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(symbol_left + symbol_width / 2, TOP - BARCODE_HEIGHT - 4.5 * mm, slip.batch_code)

    text_room = symbol_left - QUIET_ZONE_MODULES * module_width - LEFT
    title_width = draw_fitted(canvas, TITLES[slip.kind], LEFT, TOP - 6 * mm, 16, text_room)
    if slip.extra:
        _draw_extra_mark(canvas, LEFT + title_width + 5 * mm, TOP - 6 * mm)
    draw_fitted(
        canvas,
        f"批次 Batch {slip.batch_code} · 周 Week {slip.iso_week} · 日期 Date {slip.date.isoformat()}",
        LEFT,
        TOP - 12.5 * mm,
        9.5,
        text_room,
    )
    draw_fitted(canvas, page_number_text(page, pages), LEFT, TOP - 18 * mm, 9, text_room)
    canvas.setLineWidth(0.8)
    canvas.setStrokeGray(0)
    canvas.line(LEFT, TOP - 21 * mm, RIGHT, TOP - 21 * mm)
    return TOP - HEADER_HEIGHT


def _draw_extra_mark(canvas: Canvas, x: float, baseline: float) -> None:
    # White on black so a batch beyond the weekly quota cannot be missed at the receiving desk.
    size = 11
    width = text_width(EXTRA_MARK, size) + 4 * mm
    canvas.setFillGray(0)
    canvas.rect(x, baseline - 2 * mm, width, size + 3 * mm, stroke=0, fill=1)
    canvas.setFillGray(1)
    canvas.setFont(FONT, size)
    canvas.drawString(x + 2 * mm, baseline, EXTRA_MARK)
    canvas.setFillGray(0)


def _draw_parties_and_carriage(canvas: Canvas, slip: Slip, top: float) -> float:
    arrow_room = 10 * mm
    box_width = (CONTENT_WIDTH - arrow_room) / 2
    _draw_party(canvas, "发件方 From", slip.sender, LEFT, top, box_width)
    canvas.setFont(FONT, 16)
    canvas.drawCentredString(LEFT + box_width + arrow_room / 2, top - PARTY_BOX_HEIGHT / 2 - 2 * mm, "→")
    _draw_party(canvas, "收件方 To", slip.receiver, LEFT + box_width + arrow_room, top, box_width)

    carriage = f"承运商 Carrier: {slip.carrier}    运单号 Tracking no.: {slip.tracking_no}"
    if slip.shipping_fee is not None:
        carriage += f"    运费 Shipping fee: {format_money(slip.shipping_fee)}"
    if slip.extra:
        carriage += f"    {EXTRA_MARK}"
    draw_fitted(canvas, carriage, LEFT, top - PARTY_BOX_HEIGHT - 6 * mm, 9.5, CONTENT_WIDTH)
    return top - FIRST_PAGE_BLOCK_HEIGHT


def _draw_party(canvas: Canvas, caption: str, party: Party, x: float, top: float, width: float) -> None:
    canvas.setLineWidth(0.6)
    canvas.setStrokeGray(0)
    canvas.rect(x, top - PARTY_BOX_HEIGHT, width, PARTY_BOX_HEIGHT, stroke=1, fill=0)
    inner = width - 4 * mm
    left = x + 2 * mm
    canvas.setFillGray(0.35)
    draw_fitted(canvas, caption, left, top - 4 * mm, 8, inner)
    canvas.setFillGray(0)
    draw_fitted(canvas, party.name, left, top - 9.5 * mm, 11, inner)
    contact = "    ".join(
        part
        for part in (
            f"联系人 Contact: {party.contact}" if party.contact else "",
            f"电话 Tel: {party.phone}" if party.phone else "",
        )
        if part
    )
    draw_fitted(canvas, contact, left, top - 14.5 * mm, 9, inner)
    canvas.setFont(FONT, 9)
    for index, line in enumerate(wrap_text(party.address, 9, inner, 2)):
        canvas.drawString(left, top - (19 + 4.2 * index) * mm, line)


def _draw_closing(canvas: Canvas, totals: list[str], top: float) -> float:
    y = top
    for total in totals:
        y -= 5.5 * mm
        draw_fitted(canvas, total, LEFT, y + 1.5 * mm, 10, CONTENT_WIDTH)
    return draw_signature_boxes(
        canvas,
        y - 3 * mm,
        ("发件方签名/日期 Sender signature/date", "收件方签名/日期 Receiver signature/date"),
        SIGNATURE_HEIGHT,
    )
