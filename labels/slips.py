"""Dispatch slips (发货单), return slips (返还单) and the packing lists printed before either
leaves: the paper that travels with a batch."""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.a4 import (
    CELL_PADDING,
    CONTENT_WIDTH,
    LEFT,
    LINE_GAP,
    RIGHT,
    TOP,
    Column,
    Row,
    TableDocument,
    draw_corner_barcode,
    draw_party,
    draw_signature_boxes,
    draw_whole,
    draw_wrapped,
    page_number_text,
    render_table_document,
    scratch_canvas,
)
from labels.data import Slip, SlipLine
from labels.fonts import Rendered, draw_text, rendered, text_width
from labels.money import format_money

TITLES = {"dispatch": "发货单 Dispatch slip", "return": "返还单 Return slip"}
PACKING_TITLES = {
    "dispatch": "装箱单 Packing list · 未发货 not yet dispatched",
    "return": "装箱单 Packing list (返还 return) · 未发货 not yet dispatched",
}
EXTRA_MARK = "EXTRA / 额外批次"
NO_OUTCOME = "未填写 Not recorded"
DESCRIPTION = "说明 Description: "
TO_FILL_IN = "________________"

SIGNATURE_HEIGHT = 24 * mm
BARCODE_HEIGHT = 13 * mm
BARCODE_AREA = 80 * mm
PARTY_GAP = 10 * mm


def slip_pdf(slip: Slip) -> Rendered:
    """The slip as PDF bytes; `.missing_chars` lists characters no embedded font could print."""
    if slip.kind not in TITLES:
        raise ValueError(f"A slip is a 'dispatch' or a 'return' slip, not {slip.kind!r}.")
    if not slip.lines:
        raise ValueError(f"Slip for batch {slip.batch_code} has no pieces: a batch needs at least one.")
    if slip.parcels < 1:
        raise ValueError(f"A batch travels in at least one parcel, not {slip.parcels}.")
    returning = slip.kind == "return"
    columns = [
        Column("#", 9 * mm, "right", "whole"),
        Column("核对 ✓", 13 * mm, "centre", "tick"),
        Column("编码 Code", 26 * mm, fit="whole"),
        Column("产品 Product", 0),
        Column("尺码/颜色 Size/colour", 24 * mm if returning else 30 * mm),
        Column("故障 Defect", 28 * mm if returning else 36 * mm),
    ]
    if returning:
        columns.append(Column("结果 Outcome", 34 * mm))
    rows = tuple(
        Row(
            (str(number), "", line.code, line.product, line.size_colour, line.defect)
            + ((_outcome_cell(line),) if returning else ()),
            note=DESCRIPTION + line.description if line.description.strip() else "",
        )
        for number, line in enumerate(slip.lines, start=1)
    )
    total = len(slip.lines)
    pdf = render_table_document(
        TableDocument(
            title=f"{_title(slip)} {slip.batch_code}",
            columns=tuple(columns),
            rows=rows,
            draw_header=lambda canvas, page, pages: _draw_header(canvas, slip, page, pages),
            draw_first_page_block=lambda canvas, y: _draw_parties_and_carriage(canvas, slip, y),
            draw_closing=lambda canvas, y: _draw_closing(canvas, slip, y),
            page_footer=lambda page, pages, count: (
                f"本页 {count} 件，共 {total} 件 · {count} pieces on this page, {total} in all"
            ),
            note_from=2,
        )
    )
    return rendered(pdf, slip)


def _title(slip: Slip) -> str:
    return PACKING_TITLES[slip.kind] if slip.packing_list else TITLES[slip.kind]


def _outcome_cell(line: SlipLine) -> str:
    return "\n".join([line.outcome or NO_OUTCOME, *(f"· {operation}" for operation in line.operations)])


def _totals(slip: Slip) -> list[str]:
    totals = [f"合计 Total: {len(slip.lines)} 件 pieces", f"包裹数 Parcels: {slip.parcels}"]
    if slip.kind == "return":
        counts = Counter(line.outcome or NO_OUTCOME for line in slip.lines)
        totals.append(" · ".join(f"{outcome}: {count}" for outcome, count in counts.items()))
    return totals


def _draw_header(canvas: Canvas, slip: Slip, page: int, pages: int) -> float:
    text_room, barcode_bottom = draw_corner_barcode(canvas, slip.batch_code, BARCODE_AREA, BARCODE_HEIGHT)
    y = draw_wrapped(canvas, _title(slip), LEFT, TOP, 16, text_room)
    if slip.extra:
        y = _draw_extra_mark(canvas, LEFT, y - 1 * mm)
    day = "打印日期 Printed on" if slip.packing_list else "日期 Date"
    facts = f"批次 Batch {slip.batch_code} · 周 Week {slip.iso_week} · {day} {slip.date.isoformat()}"
    y = draw_wrapped(canvas, facts, LEFT, y - 1 * mm, 9.5, text_room)
    y = draw_wrapped(canvas, page_number_text(page, pages), LEFT, y, 9, text_room)
    y = min(y, barcode_bottom) - 2 * mm
    canvas.setLineWidth(0.8)
    canvas.setStrokeGray(0)
    canvas.line(LEFT, y, RIGHT, y)
    return y - 3 * mm


def _draw_extra_mark(canvas: Canvas, x: float, top: float) -> float:
    # White on black so a batch beyond the weekly quota cannot be missed at the receiving desk.
    size = 11
    width = text_width(EXTRA_MARK, size) + 4 * mm
    height = size + 3 * mm
    canvas.setFillGray(0)
    canvas.rect(x, top - height, width, height, stroke=0, fill=1)
    canvas.setFillGray(1)
    draw_text(canvas, EXTRA_MARK, x + 2 * mm, top - height + 2 * mm, size)
    canvas.setFillGray(0)
    return top - height


def _draw_parties_and_carriage(canvas: Canvas, slip: Slip, top: float) -> float:
    box_width = (CONTENT_WIDTH - PARTY_GAP) / 2
    height = max(
        top - draw_party(scratch_canvas(), "", slip.sender, 0, top, box_width),
        top - draw_party(scratch_canvas(), "", slip.receiver, 0, top, box_width),
    )
    draw_party(canvas, "发件方 From", slip.sender, LEFT, top, box_width, height)
    draw_text(canvas, "→", LEFT + box_width + PARTY_GAP / 2, top - height / 2 - 2 * mm, 16, "centre")
    draw_party(canvas, "收件方 To", slip.receiver, LEFT + box_width + PARTY_GAP, top, box_width, height)
    return _draw_carriage(canvas, slip, top - height - 1 * mm)


def _draw_carriage(canvas: Canvas, slip: Slip, top: float) -> float:
    # Each fact on a line of its own across the page: a 60-character tracking number stays legible.
    size = 9.5
    if slip.packing_list:
        carrier, tracking = TO_FILL_IN, TO_FILL_IN
    else:
        carrier, tracking = slip.carrier, slip.tracking_no
    y = draw_wrapped(canvas, f"承运商 Carrier: {carrier}", LEFT, top, size, CONTENT_WIDTH)
    y = draw_whole(canvas, f"运单号 Tracking no.: {tracking}", LEFT, y, size, CONTENT_WIDTH)
    facts = [f"包裹数 Parcels: {slip.parcels}"]
    if slip.shipping_fee is not None:
        facts.append(f"运费 Shipping fee: {format_money(slip.shipping_fee)}")
    if slip.extra:
        facts.append(EXTRA_MARK)
    y = draw_whole(canvas, "    ".join(facts), LEFT, y, size, CONTENT_WIDTH)
    return y - CELL_PADDING - size * (LINE_GAP - 1)


def _draw_closing(canvas: Canvas, slip: Slip, top: float) -> float:
    y = top
    for total in _totals(slip):
        y = draw_wrapped(canvas, total, LEFT, y, 10, CONTENT_WIDTH)
    if slip.packing_list:
        captions = ("装箱人签名/日期 Packed by/date", "复核人签名/日期 Checked by/date")
    else:
        captions = ("发件方签名/日期 Sender signature/date", "收件方签名/日期 Receiver signature/date")
    return draw_signature_boxes(canvas, y - 3 * mm, captions, SIGNATURE_HEIGHT)
