"""The frame shared by A4 documents (slips, statements): a header repeated on every page, a
table whose rows grow to hold their text (a row taller than a page continues on the next), an
optional footer on every page, and a closing block after the last row.

Nothing a reader needs is cut: text cells wrap, and cells that must stay on one line (codes,
amounts) shrink instead. Heights are measured by the same code that draws: each block is drawn
once on a scratch canvas first."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.barcodes import OFFICE_MODULE_WIDTHS, QUIET_ZONE_MODULES, code128, draw_code128, module_width_that_fits
from labels.data import Party
from labels.fonts import FONT, draw_text, fit_whole, register_font, wrap_text

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
LEFT = MARGIN
RIGHT = PAGE_WIDTH - MARGIN
TOP = PAGE_HEIGHT - MARGIN
BOTTOM = MARGIN
CONTENT_WIDTH = RIGHT - LEFT

ROW_HEIGHT = 6.5 * mm
TABLE_TEXT_SIZE = 8.5
NOTE_TEXT_SIZE = 7.5
MIN_WHOLE_SIZE = 5.0
CELL_PADDING = 1.2 * mm
LINE_GAP = 1.25
FOOTER_SIZE = 8.5
FOOTER_HEIGHT = 6 * mm
TICK_BOX = 3.2 * mm

Align = Literal["left", "right", "centre"]


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # points; 0 means "take what the other columns leave"
    align: Align = "left"
    # wrap: text that wraps; whole: a value printed whole on one line (shrunk if needed);
    # tick: an empty box for the receiver to tick.
    fit: Literal["wrap", "whole", "tick"] = "wrap"


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    kind: Literal["line", "heading", "subtotal"] = "line"
    note: str = ""  # a line under the cells, from the column `note_from` to the right edge


def resolve_widths(columns: Sequence[Column]) -> tuple[Column, ...]:
    fixed = sum(column.width for column in columns)
    flexible = [column for column in columns if column.width == 0]
    share = (CONTENT_WIDTH - fixed) / max(len(flexible), 1)
    return tuple(Column(c.title, c.width or share, c.align, c.fit) for c in columns)


def page_number_text(page: int, pages: int) -> str:
    return f"第 {page} / {pages} 页 Page {page} / {pages}"


@dataclass(frozen=True)
class Placed:
    x: float  # from LEFT
    width: float
    align: Align
    text: str
    size: float


@dataclass
class Strip:
    """One line of text across a row; rows are split between strips, never inside one."""

    height: float
    baseline: float  # from the strip's top
    texts: list[Placed] = field(default_factory=list)
    tick: bool = False


@dataclass
class LaidRow:
    row: Row
    strips: list[Strip]

    @property
    def height(self) -> float:
        return sum(strip.height for strip in self.strips)


@dataclass(frozen=True)
class TableDocument:
    """What a paginated A4 document needs; `render_table_document` does the page arithmetic.

    Each drawing callback takes the canvas and the y where it starts and returns the y where
    it ends."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    draw_header: Callable[[Canvas, int, int], float]  # (canvas, page, pages) -> y below it
    draw_first_page_block: Callable[[Canvas, float], float]
    draw_closing: Callable[[Canvas, float], float]
    # (page, pages, line rows starting on the page) -> the text printed at the foot of each page
    page_footer: Callable[[int, int, int], str] | None = None
    note_from: int = 0
    # Paper made in several copies (一式二份): the whole document once per caption, each page
    # marked with its copy's caption in the top margin, page numbers counted per copy.
    copies: tuple[str, ...] = ()


def _cell_lines(column: Column, text: str, size: float) -> tuple[float, list[str]]:
    room = column.width - 2 * CELL_PADDING
    if column.fit == "tick":
        return size, []
    if column.fit == "whole":
        return fit_whole(text, size, room, MIN_WHOLE_SIZE)
    return size, wrap_text(text, size, room)


def _strips(cells: Sequence[tuple[float, float, Align, float, list[str]]], tick: bool) -> list[Strip]:
    """Strips of cells given as (x, width, align, size, lines), padded to at least ROW_HEIGHT."""
    line_height = TABLE_TEXT_SIZE * LINE_GAP
    count = max([len(lines) for *_, lines in cells] + [1])
    strips = [Strip(line_height, TABLE_TEXT_SIZE) for _ in range(count)]
    for x, width, align, size, lines in cells:
        for index, line in enumerate(lines):
            strips[index].texts.append(Placed(x, width, align, line, size))
    strips[0].tick = tick
    padding = max(CELL_PADDING, (ROW_HEIGHT - count * line_height) / 2)
    strips[0].height += padding
    strips[0].baseline += padding - 0.8
    strips[-1].height += padding
    return strips


def lay_out_row(columns: Sequence[Column], row: Row, note_from: int = 0) -> LaidRow:
    size = TABLE_TEXT_SIZE
    if row.kind == "heading":
        lines = wrap_text(row.cells[0], size + 0.5, CONTENT_WIDTH - 2 * CELL_PADDING)
        return LaidRow(row, _strips([(0, CONTENT_WIDTH, "left", size + 0.5, lines)], False))
    if row.kind == "subtotal":
        # The caption spans every column but the last, which holds the amount.
        spanned = Column("", sum(c.width for c in columns[:-1]))
        caption_size, caption = _cell_lines(spanned, row.cells[0], size)
        amount_size, amount = _cell_lines(columns[-1], row.cells[1], size)
        return LaidRow(
            row,
            _strips(
                [
                    (0, spanned.width, "left", caption_size, caption),
                    (spanned.width, columns[-1].width, columns[-1].align, amount_size, amount),
                ],
                False,
            ),
        )
    cells = []
    x = 0.0
    for column, text in zip(columns, row.cells, strict=True):
        cell_size, lines = _cell_lines(column, text, size)
        cells.append((x, column.width, column.align, cell_size, lines))
        x += column.width
    strips = _strips(cells, any(c.fit == "tick" for c in columns))
    if row.note:
        note_x = sum(c.width for c in columns[:note_from])
        width = CONTENT_WIDTH - note_x
        note_lines = wrap_text(row.note, NOTE_TEXT_SIZE, width - 2 * CELL_PADDING)
        line_height = NOTE_TEXT_SIZE * LINE_GAP
        last = strips[-1]
        last.height -= CELL_PADDING  # the note continues the row: only the row's last strip keeps the padding
        for line in note_lines:
            strips.append(Strip(line_height, NOTE_TEXT_SIZE, [Placed(note_x, width, "left", line, NOTE_TEXT_SIZE)]))
        strips[-1].height += CELL_PADDING
    return LaidRow(row, strips)


def _title_row(columns: Sequence[Column]) -> LaidRow:
    cells = []
    x = 0.0
    for column in columns:
        lines = wrap_text(column.title, TABLE_TEXT_SIZE, column.width - 2 * CELL_PADDING)
        align: Align = "centre" if column.fit == "tick" else column.align
        cells.append((x, column.width, align, TABLE_TEXT_SIZE, lines))
        x += column.width
    return LaidRow(Row(tuple(c.title for c in columns)), _strips(cells, False))


@dataclass
class _Page:
    pieces: list[tuple[LaidRow, list[Strip], bool]] = field(default_factory=list)  # (row, strips, row ends here)
    starts: int = 0  # line rows that start on this page


def scratch_canvas() -> Canvas:
    """A canvas nobody saves: drawing on it measures, with the same code that draws for real."""
    return Canvas(io.BytesIO(), pagesize=A4, initialFontName=register_font())  # type: ignore[arg-type]  # types-reportlab: a font name, not a float


def _measure(draw: Callable[[Canvas, float], float]) -> float:
    return TOP - draw(scratch_canvas(), TOP)


def paginate(laid: Sequence[LaidRow], first_space: float, other_space: float, closing_height: float) -> list[_Page]:
    """Rows on each page, split between strips when a row is taller than a whole page; the
    closing block goes after the last row, on a page of its own when it does not fit."""
    if first_space < ROW_HEIGHT or other_space < ROW_HEIGHT:
        raise ValueError("The page header leaves no room for the table.")
    pages = [_Page()]
    space = first_space
    for row in laid:
        strips = list(row.strips)
        first_piece = True
        while strips:
            height = sum(strip.height for strip in strips)
            if height > space and pages[-1].pieces and (height <= other_space or strips[0].height > space):
                pages.append(_Page())
                space = other_space
                continue
            taken: list[Strip] = []
            while strips and (not taken or strips[0].height <= space):
                strip = strips.pop(0)
                taken.append(strip)
                space -= strip.height
            pages[-1].pieces.append((row, taken, not strips))
            if first_piece and row.row.kind == "line":
                pages[-1].starts += 1
            first_piece = False
            if strips:
                pages.append(_Page())
                space = other_space
    if closing_height > space:
        pages.append(_Page())
    return pages


def render_table_document(document: TableDocument) -> bytes:
    register_font()
    columns = resolve_widths(document.columns)
    laid = [lay_out_row(columns, row, document.note_from) for row in document.rows]
    title_row = _title_row(columns)
    header_height = _measure(lambda canvas, top: document.draw_header(canvas, 1, 1))
    first_block_height = _measure(document.draw_first_page_block)
    closing_height = _measure(document.draw_closing) + 2 * mm
    footer = FOOTER_HEIGHT if document.page_footer else 0
    table_space = TOP - header_height - BOTTOM - footer - title_row.height
    pages = paginate(laid, table_space - first_block_height, table_space, closing_height)

    buffer = io.BytesIO()
    # The initial font is ours too, so no unembedded Helvetica is ever referenced.
    canvas = Canvas(buffer, pagesize=A4, invariant=True, initialFontName=FONT)  # type: ignore[arg-type]  # types-reportlab: a font name, not a float
    canvas.setTitle(document.title)
    for copy in document.copies or ("",):
        for number, page in enumerate(pages, start=1):
            if copy:
                draw_text(canvas, copy, RIGHT, TOP + MARGIN / 2, FOOTER_SIZE, "right")
            y = document.draw_header(canvas, number, len(pages))
            if number == 1:
                y = document.draw_first_page_block(canvas, y)
            if page.pieces:
                y = _draw_table(canvas, columns, title_row, page.pieces, y)
            if number == len(pages):
                document.draw_closing(canvas, y - 2 * mm)
            if document.page_footer:
                draw_text(canvas, document.page_footer(number, len(pages), page.starts), LEFT, BOTTOM, FOOTER_SIZE)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_strips(canvas: Canvas, strips: Sequence[Strip], top: float) -> float:
    y = top
    for strip in strips:
        baseline = y - strip.baseline
        for placed in strip.texts:
            if placed.align == "right":
                x = LEFT + placed.x + placed.width - CELL_PADDING
            elif placed.align == "centre":
                x = LEFT + placed.x + placed.width / 2
            else:
                x = LEFT + placed.x + CELL_PADDING
            draw_text(canvas, placed.text, x, baseline, placed.size, placed.align)
        y -= strip.height
    return y


def _draw_table(
    canvas: Canvas,
    columns: Sequence[Column],
    title_row: LaidRow,
    pieces: Sequence[tuple[LaidRow, list[Strip], bool]],
    top: float,
) -> float:
    canvas.setFillGray(0.9)
    canvas.rect(LEFT, top - title_row.height, CONTENT_WIDTH, title_row.height, stroke=0, fill=1)
    canvas.setFillGray(0)
    y = _draw_strips(canvas, title_row.strips, top)
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.6)
    for laid, strips, ends_here in pieces:
        height = sum(strip.height for strip in strips)
        if laid.row.kind == "subtotal":
            canvas.setFillGray(0.95)
            canvas.rect(LEFT, y - height, CONTENT_WIDTH, height, stroke=0, fill=1)
            canvas.setFillGray(0)
        if strips[0].tick:
            _draw_tick_box(canvas, columns, y - strips[0].baseline)
        y = _draw_strips(canvas, strips, y)
        if ends_here:
            canvas.line(LEFT, y, RIGHT, y)
    return y


def _draw_tick_box(canvas: Canvas, columns: Sequence[Column], baseline: float) -> None:
    """An empty box in the middle of the tick column, for the receiver's pen."""
    left = LEFT
    for column in columns:
        if column.fit == "tick":
            break
        left += column.width
    x = left + column.width / 2
    canvas.setLineWidth(0.6)
    canvas.setStrokeGray(0)
    canvas.rect(x - TICK_BOX / 2, baseline - 0.6 * mm, TICK_BOX, TICK_BOX, stroke=1, fill=0)
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.6)


def draw_wrapped(canvas: Canvas, text: str, x: float, top: float, size: float, max_width: float) -> float:
    """Draw `text` wrapped to `max_width` with its first line's top at `top`; return the y
    below the last line."""
    y = top
    for line in wrap_text(text, size, max_width):
        y -= size * LINE_GAP
        draw_text(canvas, line, x, y + size * 0.25, size)
    return y


def draw_whole(canvas: Canvas, text: str, x: float, top: float, size: float, max_width: float) -> float:
    """Draw a value that must print whole, shrunk to fit on one line if it can."""
    fitted_size, lines = fit_whole(text, size, max_width, MIN_WHOLE_SIZE)
    y = top
    for line in lines:
        y -= max(fitted_size, size * 0.8) * LINE_GAP
        draw_text(canvas, line, x, y + fitted_size * 0.25, fitted_size)
    return y


def draw_signature_boxes(canvas: Canvas, top: float, captions: Sequence[str], height: float) -> float:
    """Boxes side by side, each with its caption (wrapped) and room to sign under it."""
    gap = 6 * mm
    width = (CONTENT_WIDTH - gap * (len(captions) - 1)) / len(captions)
    size = 9
    lines = max(len(wrap_text(caption, size, width - 4 * mm)) for caption in captions)
    height = max(height, lines * size * LINE_GAP + 14 * mm)
    canvas.setLineWidth(0.6)
    canvas.setStrokeGray(0)
    for index, caption in enumerate(captions):
        x = LEFT + index * (width + gap)
        canvas.rect(x, top - height, width, height, stroke=1, fill=0)
        draw_wrapped(canvas, caption, x + 2 * mm, top - 1 * mm, size, width - 4 * mm)
    return top - height


def draw_party(
    canvas: Canvas, caption: str, party: Party, x: float, top: float, width: float, height: float = 0
) -> float:
    """A box with a party's name, contact, phone and address, all of it; return its bottom."""
    inner = width - 4 * mm
    left = x + 2 * mm
    y = top - 0.5 * mm - 8 * LINE_GAP
    canvas.setFillGray(0.35)
    draw_text(canvas, caption, left, y + 2, 8)
    canvas.setFillGray(0)
    y = draw_wrapped(canvas, party.name, left, y, 11, inner)
    if party.contact:
        y = draw_wrapped(canvas, f"联系人 Contact: {party.contact}", left, y, 9, inner)
    if party.phone:
        y = draw_whole(canvas, f"电话 Tel: {party.phone}", left, y, 9, inner)
    if party.address:
        y = draw_wrapped(canvas, f"地址 Address: {party.address}", left, y, 9, inner)
    bottom = min(y - 2 * mm, top - height)
    canvas.setLineWidth(0.6)
    canvas.setStrokeGray(0)
    canvas.rect(x, bottom, width, top - bottom, stroke=1, fill=0)
    return bottom


def draw_corner_barcode(canvas: Canvas, code: str, area: float, height: float) -> tuple[float, float]:
    """A document's number as a Code 128 barcode, with the number under it, in the top right
    corner; returns the room left for text beside it and the y under it."""
    module_width = module_width_that_fits(code, area, OFFICE_MODULE_WIDTHS)
    symbol_width = code128(code).width(module_width)
    symbol_left = RIGHT - QUIET_ZONE_MODULES * module_width - symbol_width
    draw_code128(canvas, code, symbol_left, TOP - height, module_width, height)
    draw_text(canvas, code, symbol_left + symbol_width / 2, TOP - height - 4.5 * mm, 10, "centre")
    return symbol_left - QUIET_ZONE_MODULES * module_width - LEFT, TOP - height - 6 * mm
