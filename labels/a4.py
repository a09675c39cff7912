"""The frame shared by A4 documents (slips, statements): a header repeated on every page,
a table of one-line rows split across pages, and a closing block on the last page."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.fonts import FONT, fit_text, register_font, text_width

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
LEFT = MARGIN
RIGHT = PAGE_WIDTH - MARGIN
TOP = PAGE_HEIGHT - MARGIN
BOTTOM = MARGIN
CONTENT_WIDTH = RIGHT - LEFT

ROW_HEIGHT = 6.5 * mm
TABLE_TEXT_SIZE = 8.5
CELL_PADDING = 1.2 * mm


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # points; 0 means "take what the other columns leave"
    align: Literal["left", "right"] = "left"


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    kind: Literal["line", "heading", "subtotal"] = "line"


def resolve_widths(columns: Sequence[Column]) -> tuple[Column, ...]:
    fixed = sum(column.width for column in columns)
    flexible = [column for column in columns if column.width == 0]
    share = (CONTENT_WIDTH - fixed) / max(len(flexible), 1)
    return tuple(Column(c.title, c.width or share, c.align) for c in columns)


def page_number_text(page: int, pages: int) -> str:
    return f"第 {page} / {pages} 页 Page {page} / {pages}"


def paginate(row_count: int, first_page_rows: int, other_page_rows: int, closing_rows: int) -> list[range]:
    """Rows on each page; the closing block (in row heights) goes after the last row, on a
    page of its own when it does not fit under them."""
    if first_page_rows < 1 or other_page_rows < 1:
        raise ValueError("The page header leaves no room for the table.")
    pages = [range(0, min(row_count, first_page_rows))]
    start = pages[0].stop
    while start < row_count:
        pages.append(range(start, min(row_count, start + other_page_rows)))
        start = pages[-1].stop
    capacity = first_page_rows if len(pages) == 1 else other_page_rows
    if len(pages[-1]) + closing_rows > capacity:
        pages.append(range(row_count, row_count))
    return pages


@dataclass(frozen=True)
class TableDocument:
    """What a paginated A4 document needs; `render_table_document` does the page arithmetic.

    Each drawing callback takes the canvas and the y where it starts and returns the y where
    it ends, so the heights are measured by the same code that draws."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    draw_header: Callable[[Canvas, int, int], float]  # (canvas, page, pages) -> y below it
    header_height: float
    draw_first_page_block: Callable[[Canvas, float], float]
    first_page_block_height: float
    draw_closing: Callable[[Canvas, float], float]
    closing_height: float


def render_table_document(document: TableDocument) -> bytes:
    register_font()
    columns = resolve_widths(document.columns)
    table_top = TOP - document.header_height
    table_space = table_top - BOTTOM - ROW_HEIGHT  # the column titles take one row
    first_rows = int((table_space - document.first_page_block_height) // ROW_HEIGHT)
    other_rows = int(table_space // ROW_HEIGHT)
    closing_rows = int(-(-document.closing_height // ROW_HEIGHT))
    pages = paginate(len(document.rows), first_rows, other_rows, closing_rows)

    buffer = io.BytesIO()
    # The initial font is ours too, so no unembedded Helvetica is ever referenced.
    canvas = Canvas(buffer, pagesize=A4, invariant=True, initialFontName=FONT)
    canvas.setTitle(document.title)
    for number, rows in enumerate(pages, start=1):
        y = document.draw_header(canvas, number, len(pages))
        if number == 1:
            y = document.draw_first_page_block(canvas, y)
        if len(rows):
            y = _draw_table(canvas, columns, [document.rows[i] for i in rows], y)
        if number == len(pages):
            document.draw_closing(canvas, y - 2 * mm)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_table(canvas: Canvas, columns: Sequence[Column], rows: Sequence[Row], top: float) -> float:
    size = TABLE_TEXT_SIZE
    baseline_offset = (ROW_HEIGHT - size * 0.75) / 2 + 0.5
    canvas.setFillGray(0.9)
    canvas.rect(LEFT, top - ROW_HEIGHT, CONTENT_WIDTH, ROW_HEIGHT, stroke=0, fill=1)
    canvas.setFillGray(0)
    _draw_cells(canvas, columns, tuple(c.title for c in columns), top - ROW_HEIGHT + baseline_offset, size)
    y = top - ROW_HEIGHT
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.6)
    for row in rows:
        y -= ROW_HEIGHT
        if row.kind == "heading":
            canvas.drawString(
                LEFT + CELL_PADDING, y + baseline_offset, fit_text(row.cells[0], size + 0.5, CONTENT_WIDTH)
            )
        else:
            if row.kind == "subtotal":
                # The caption spans every column but the last, which holds the amount.
                canvas.setFillGray(0.95)
                canvas.rect(LEFT, y, CONTENT_WIDTH, ROW_HEIGHT, stroke=0, fill=1)
                canvas.setFillGray(0)
                caption, amount = row.cells
                spanned = Column("", sum(c.width for c in columns[:-1]))
                _draw_cells(canvas, (spanned, columns[-1]), (caption, amount), y + baseline_offset, size)
            else:
                _draw_cells(canvas, columns, row.cells, y + baseline_offset, size)
        canvas.line(LEFT, y, RIGHT, y)
    return y


def _draw_cells(canvas: Canvas, columns: Sequence[Column], cells: Sequence[str], baseline: float, size: float) -> None:
    canvas.setFont(FONT, size)
    x = LEFT
    for column, cell in zip(columns, cells, strict=True):
        text = fit_text(cell, size, column.width - 2 * CELL_PADDING)
        if column.align == "right":
            canvas.drawRightString(x + column.width - CELL_PADDING, baseline, text)
        elif text:
            canvas.drawString(x + CELL_PADDING, baseline, text)
        x += column.width


def draw_fitted(canvas: Canvas, text: str, x: float, y: float, size: float, max_width: float) -> float:
    """Draw one line cut to `max_width`; return its drawn width."""
    text = fit_text(text, size, max_width)
    canvas.setFont(FONT, size)
    canvas.drawString(x, y, text)
    return text_width(text, size)


def draw_signature_boxes(canvas: Canvas, top: float, captions: Sequence[str], height: float) -> float:
    gap = 6 * mm
    width = (CONTENT_WIDTH - gap * (len(captions) - 1)) / len(captions)
    canvas.setLineWidth(0.6)
    canvas.setStrokeGray(0)
    for index, caption in enumerate(captions):
        x = LEFT + index * (width + gap)
        canvas.rect(x, top - height, width, height, stroke=1, fill=0)
        draw_fitted(canvas, caption, x + 2 * mm, top - 4.5 * mm, 9, width - 4 * mm)
    return top - height
