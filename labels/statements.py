"""Monthly statements: the supplier claim (二次索赔) and the store charges, with totals to sign."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.a4 import (
    CELL_PADDING,
    CONTENT_WIDTH,
    LEFT,
    RIGHT,
    TABLE_TEXT_SIZE,
    TOP,
    Column,
    Row,
    TableDocument,
    draw_party,
    draw_signature_boxes,
    draw_whole,
    draw_wrapped,
    page_number_text,
    render_table_document,
    scratch_canvas,
)
from labels.data import Statement, StatementLine
from labels.fonts import Rendered, draw_text, fit_whole, rendered, text_width, wrap_text
from labels.money import format_money, to_cents

PARTY_CAPTIONS = {"claim": "供应商 Supplier", "store": "门店 Store"}
CONFIRMATIONS = {"claim": "供应商确认 Supplier confirmation", "store": "门店确认 Store confirmation"}
MAIN_SECTION_TITLE = "明细 Lines"

SIGNATURE_HEIGHT = 22 * mm
COLUMN_LINES = 4
BOX_GAP = 6 * mm
COLUMNS = (
    Column("编码 Code", 26 * mm, fit="whole"),
    Column("产品 Product", 0),
    Column("故障 Defect", 30 * mm),
    Column("说明 Description", 52 * mm),
    Column("金额 Amount", 26 * mm, "right", "whole"),
)


def statement_pdf(statement: Statement) -> Rendered:
    """The statement as PDF bytes; `.missing_chars` lists characters no embedded font could print."""
    if statement.kind not in PARTY_CAPTIONS:
        raise ValueError(f"A statement is a 'claim' or a 'store' statement, not {statement.kind!r}.")
    rows, grand_total = _rows_and_total(statement)
    pdf = render_table_document(
        TableDocument(
            title=f"{statement.title} {statement.party.name} {statement.period}",
            columns=COLUMNS,
            rows=rows,
            draw_header=lambda canvas, page, pages: _draw_header(canvas, statement, page, pages),
            draw_first_page_block=lambda canvas, y: _draw_parties(canvas, statement, y),
            draw_closing=lambda canvas, y: _draw_closing(canvas, statement, grand_total, y),
            note_from=1,
        )
    )
    return rendered(pdf, statement)


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
    # A long reason reads better across the page, under its line, than down a narrow column.
    description = COLUMNS[3]
    if len(wrap_text(line.description, TABLE_TEXT_SIZE, description.width - 2 * CELL_PADDING)) <= COLUMN_LINES:
        return Row((line.code, line.product, line.defect, line.description, format_money(line.amount)))
    return Row(
        (line.code, line.product, line.defect, "", format_money(line.amount)),
        note=f"说明 Description: {line.description}",
    )


def _claim_facts(statement: Statement) -> list[str]:
    facts = []
    if statement.claim_no:
        facts.append(f"索赔单号 Claim no.: {statement.claim_no}")
    if statement.due_on:
        facts.append(f"付款期限 Due on: {statement.due_on.isoformat()}")
    return facts


def _draw_header(canvas: Canvas, statement: Statement, page: int, pages: int) -> float:
    page_text = page_number_text(page, pages)
    draw_text(canvas, page_text, RIGHT, TOP - 6 * mm, 9, "right")
    title_room = CONTENT_WIDTH - text_width(page_text, 9) - 8 * mm
    y = draw_wrapped(canvas, statement.title, LEFT, TOP + 0.5 * mm, 15, title_room)
    lines = [
        f"出具方 Issuer: {statement.issuer.name}",
        f"{PARTY_CAPTIONS[statement.kind]}: {statement.party.name}",
        " · ".join([f"期间 Period: {statement.period}", *_claim_facts(statement)]),
    ]
    for line in lines:
        y = draw_wrapped(canvas, line, LEFT, y, 9.5, CONTENT_WIDTH)
    y -= 1.5 * mm
    canvas.setLineWidth(0.8)
    canvas.setStrokeGray(0)
    canvas.line(LEFT, y, RIGHT, y)
    return y - 3 * mm


def _issuer_facts(statement: Statement) -> list[tuple[str, bool]]:
    """(text, printed whole) of the issuer's box: who is asking, and where to pay."""
    issuer = statement.issuer
    facts = [(f"出具方 Issuer: {issuer.name}", False)]
    if issuer.address:
        facts.append((f"地址 Address: {issuer.address}", False))
    if issuer.contact:
        facts.append((f"联系人 Contact: {issuer.contact}", False))
    if issuer.phone:
        facts.append((f"电话 Tel: {issuer.phone}", True))
    if statement.bank:
        facts.append((f"开户行 Bank: {statement.bank.bank}", False))
        facts.append((f"户名 Account name: {statement.bank.account_name}", False))
        facts.append((f"账号 Account no.: {statement.bank.account_no}", True))
    facts.extend((fact, True) for fact in _claim_facts(statement))
    facts.append((f"期间 Period: {statement.period}", False))
    if statement.generated_on:
        facts.append((f"生成日期 Generated on: {statement.generated_on.isoformat()}", True))
    if statement.prepared_by:
        facts.append((f"编制 Prepared by: {statement.prepared_by}", False))
    return facts


def _draw_issuer(canvas: Canvas, statement: Statement, x: float, top: float, width: float) -> float:
    y = top - 0.5 * mm
    for fact, whole in _issuer_facts(statement):
        draw = draw_whole if whole else draw_wrapped
        y = draw(canvas, fact, x, y, 9.5, width)
    return y


def _draw_parties(canvas: Canvas, statement: Statement, top: float) -> float:
    width = (CONTENT_WIDTH - BOX_GAP) / 2
    right = LEFT + width + BOX_GAP
    party_height = top - draw_party(scratch_canvas(), "", statement.party, LEFT, top, width)
    issuer_height = top - _draw_issuer(scratch_canvas(), statement, right, top, RIGHT - right)
    bottom = draw_party(
        canvas, PARTY_CAPTIONS[statement.kind], statement.party, LEFT, top, width, max(party_height, issuer_height)
    )
    _draw_issuer(canvas, statement, right, top, RIGHT - right)
    return bottom - 4 * mm


def _draw_closing(canvas: Canvas, statement: Statement, grand_total: Decimal, top: float) -> float:
    size, lines = fit_whole(f"合计 Grand total: {format_money(grand_total)}", 11, CONTENT_WIDTH, 8)
    y = top
    for line in lines:
        y -= size * 1.25
        draw_text(canvas, line, RIGHT - 1.2 * mm, y + 2, size, "right")
    canvas.setLineWidth(0.8)
    canvas.line(RIGHT - text_width(lines[-1], size) - 1.2 * mm, y, RIGHT - 1.2 * mm, y)
    prepared = "编制 Prepared by" + (f": {statement.prepared_by}" if statement.prepared_by else "")
    return draw_signature_boxes(
        canvas, y - 4 * mm, (prepared, "审核 Checked by", CONFIRMATIONS[statement.kind]), SIGNATURE_HEIGHT
    )
