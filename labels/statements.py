"""Monthly statements: the supplier claim (二次索赔) and the store charges, with totals to sign."""

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
    draw_fitted,
    draw_signature_boxes,
    page_number_text,
    render_table_document,
)
from labels.data import Statement, StatementLine
from labels.fonts import FONT, fit_text, text_width, wrap_text
from labels.money import format_money, to_cents

PARTY_CAPTIONS = {"claim": "供应商 Supplier", "store": "门店 Store"}
CONFIRMATIONS = {"claim": "供应商确认 Supplier confirmation", "store": "门店确认 Store confirmation"}
MAIN_SECTION_TITLE = "明细 Lines"

HEADER_HEIGHT = 24 * mm
PARTY_BOX_HEIGHT = 27 * mm
SIGNATURE_HEIGHT = 22 * mm
COLUMNS = (
    Column("编码 Code", 28 * mm),
    Column("产品 Product", 0),
    Column("故障 Defect", 30 * mm),
    Column("说明 Description", 50 * mm),
    Column("金额 Amount", 26 * mm, "right"),
)


def statement_pdf(statement: Statement) -> bytes:
    if statement.kind not in PARTY_CAPTIONS:
        raise ValueError(f"A statement is a 'claim' or a 'store' statement, not {statement.kind!r}.")
    rows, grand_total = _rows_and_total(statement)
    return render_table_document(
        TableDocument(
            title=f"{statement.title} {statement.party.name} {statement.period}",
            columns=COLUMNS,
            rows=rows,
            draw_header=lambda canvas, page, pages: _draw_header(canvas, statement, page, pages),
            header_height=HEADER_HEIGHT,
            draw_first_page_block=lambda canvas, y: _draw_party_block(canvas, statement, y),
            first_page_block_height=PARTY_BOX_HEIGHT + 4 * mm,
            draw_closing=lambda canvas, y: _draw_closing(canvas, statement, grand_total, y),
            closing_height=10 * mm + SIGNATURE_HEIGHT,
        )
    )


def _rows_and_total(statement: Statement) -> tuple[tuple[Row, ...], Decimal]:
    sections = ((MAIN_SECTION_TITLE, statement.lines),) + statement.sections
    titled = bool(statement.sections)
    rows: list[Row] = []
    grand_total = Decimal("0.00")
    for title, lines in sections:
        if titled and not lines and title == MAIN_SECTION_TITLE:
            continue
        if titled:
            rows.append(Row((title,), "heading"))
        rows.extend(_line_row(line) for line in lines)
        subtotal = sum((to_cents(line.amount) for line in lines), Decimal("0.00"))
        grand_total += subtotal
        if titled:
            rows.append(Row((f"小计 Subtotal · {title}", format_money(subtotal)), "subtotal"))
    return tuple(rows), grand_total


def _line_row(line: StatementLine) -> Row:
    return Row((line.code, line.product, line.defect, line.description, format_money(line.amount)))


def _draw_header(canvas: Canvas, statement: Statement, page: int, pages: int) -> float:
    page_text = page_number_text(page, pages)
    canvas.setFont(FONT, 9)
    canvas.drawRightString(RIGHT, TOP - 6 * mm, page_text)
    title_room = CONTENT_WIDTH - text_width(page_text, 9) - 8 * mm
    draw_fitted(canvas, statement.title, LEFT, TOP - 6 * mm, 15, title_room)
    draw_fitted(
        canvas,
        f"出具方 Issuer: {statement.issuer} · {PARTY_CAPTIONS[statement.kind]}: {statement.party.name}",
        LEFT,
        TOP - 12.5 * mm,
        9.5,
        CONTENT_WIDTH,
    )
    draw_fitted(canvas, f"期间 Period: {statement.period}", LEFT, TOP - 18 * mm, 9.5, CONTENT_WIDTH)
    canvas.setLineWidth(0.8)
    canvas.setStrokeGray(0)
    canvas.line(LEFT, TOP - 21 * mm, RIGHT, TOP - 21 * mm)
    return TOP - HEADER_HEIGHT


def _draw_party_block(canvas: Canvas, statement: Statement, top: float) -> float:
    party = statement.party
    width = CONTENT_WIDTH / 2 - 3 * mm
    inner = width - 4 * mm
    left = LEFT + 2 * mm
    canvas.setLineWidth(0.6)
    canvas.rect(LEFT, top - PARTY_BOX_HEIGHT, width, PARTY_BOX_HEIGHT, stroke=1, fill=0)
    canvas.setFillGray(0.35)
    draw_fitted(canvas, PARTY_CAPTIONS[statement.kind], left, top - 4 * mm, 8, inner)
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

    right_column = LEFT + CONTENT_WIDTH / 2 + 3 * mm
    facts = [f"出具方 Issuer: {statement.issuer}", f"期间 Period: {statement.period}"]
    if statement.generated_on:
        facts.append(f"生成日期 Generated on: {statement.generated_on.isoformat()}")
    if statement.prepared_by:
        facts.append(f"编制 Prepared by: {statement.prepared_by}")
    for index, fact in enumerate(facts):
        draw_fitted(canvas, fact, right_column, top - (5 + 5 * index) * mm, 9.5, RIGHT - right_column)
    return top - PARTY_BOX_HEIGHT - 4 * mm


def _draw_closing(canvas: Canvas, statement: Statement, grand_total: Decimal, top: float) -> float:
    total = fit_text(f"合计 Grand total: {format_money(grand_total)}", 11, CONTENT_WIDTH)
    canvas.setFont(FONT, 11)
    canvas.drawRightString(RIGHT - 1.2 * mm, top - 5 * mm, total)
    canvas.setLineWidth(0.8)
    canvas.line(RIGHT - text_width(total, 11) - 1.2 * mm, top - 6.2 * mm, RIGHT - 1.2 * mm, top - 6.2 * mm)
    prepared = "编制 Prepared by" + (f": {statement.prepared_by}" if statement.prepared_by else "")
    return draw_signature_boxes(
        canvas, top - 10 * mm, (prepared, "审核 Checked by", CONFIRMATIONS[statement.kind]), SIGNATURE_HEIGHT
    )
