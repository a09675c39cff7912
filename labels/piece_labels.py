"""Piece labels: A4 sheets of 3 × 8 for office printers, one label per page for thermal rolls."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels.barcodes import (
    OFFICE_MODULE_WIDTHS,
    THERMAL_MODULE_WIDTHS,
    code128,
    draw_code128,
    module_width_that_fits,
)
from labels.data import PieceLabel
from labels.fonts import FONT, Rendered, draw_text, fit_text, fit_whole, register_font, rendered

# Avery 3474 / Herma 4453 style: 24 labels of 70 × 37 mm, edge to edge, 0.5 mm top margin.
SHEET_COLUMNS = 3
SHEET_ROWS = 8
SHEET_CELL_WIDTH = 70 * mm
SHEET_CELL_HEIGHT = 37 * mm
SHEET_TOP_MARGIN = 0.5 * mm
LABELS_PER_SHEET = SHEET_COLUMNS * SHEET_ROWS

MIN_CODE_SIZE = 5.0
MINIMUM_THERMAL_WIDTH_MM = 40
MINIMUM_THERMAL_HEIGHT_MM = 25


@dataclass(frozen=True)
class LabelLayout:
    """Where each element of a label goes, in points from the label's bottom-left corner."""

    width: float
    height: float
    padding_x: float
    module_widths: tuple[float, ...]
    text_size: float
    code_size: float
    store_y: float
    barcode_y: float
    barcode_height: float
    code_y: float
    product_y: float
    size_colour_y: float
    defect_y: float

    @property
    def inner_width(self) -> float:
        return self.width - 2 * self.padding_x


@functools.cache
def label_layout(
    width: float, height: float, padding_x: float, padding_y: float, module_widths: tuple[float, ...]
) -> LabelLayout:
    text_size = 7.0
    code_size = 8.0
    line = text_size * 1.3
    top = height - padding_y
    store_y = top - text_size
    defect_y = padding_y + 0.25 * text_size
    size_colour_y = defect_y + line
    product_y = size_colour_y + line
    code_y = product_y + line
    barcode_y = code_y + code_size * 1.05
    barcode_height = min(15 * mm, store_y - 0.35 * text_size - 1 * mm - barcode_y)
    if barcode_height < 6 * mm:
        raise ValueError(f"A {width / mm:.0f} × {height / mm:.0f} mm label is too small for a scannable barcode.")
    return LabelLayout(
        width=width,
        height=height,
        padding_x=padding_x,
        module_widths=module_widths,
        text_size=text_size,
        code_size=code_size,
        store_y=store_y,
        barcode_y=barcode_y,
        barcode_height=barcode_height,
        code_y=code_y,
        product_y=product_y,
        size_colour_y=size_colour_y,
        defect_y=defect_y,
    )


def sheet_layout() -> LabelLayout:
    return label_layout(SHEET_CELL_WIDTH, SHEET_CELL_HEIGHT, 4 * mm, 3 * mm, OFFICE_MODULE_WIDTHS)


def draw_piece_label(canvas: Canvas, label: PieceLabel, x: float, y: float, layout: LabelLayout) -> None:
    left = x + layout.padding_x
    right = left + layout.inner_width
    size = layout.text_size
    inner = layout.inner_width
    gap = 2 * mm

    canvas.setFillGray(0)
    registered = label.registered_on.isoformat()
    date_width = draw_text(canvas, registered, right, y + layout.store_y, size, "right")
    draw_text(canvas, fit_text(label.store, size, inner - date_width - gap), left, y + layout.store_y, size)

    module_width = module_width_that_fits(label.code, layout.width, layout.module_widths)

    symbol_width = code128(label.code).width(module_width)
    centre = x + layout.width / 2
    draw_code128(
        canvas, label.code, centre - symbol_width / 2, y + layout.barcode_y, module_width, layout.barcode_height
    )
    code_size = fit_whole(label.code, layout.code_size, layout.inner_width, MIN_CODE_SIZE)[0]
    draw_text(canvas, label.code, centre, y + layout.code_y, code_size, "centre")

    draw_text(canvas, fit_text(label.product, size, inner), left, y + layout.product_y, size)
    draw_text(canvas, fit_text(label.size_colour, size, inner), left, y + layout.size_colour_y, size)
    if label.batch:
        # The batch code prints whole: it is what the store looks for when a label comes back.
        batch = f"批次 {label.batch}"
        batch_size = fit_whole(batch, size, inner / 2, MIN_CODE_SIZE)[0]
        defect_room = inner - draw_text(canvas, batch, right, y + layout.defect_y, batch_size, "right") - gap
    else:
        defect_room = inner
    draw_text(canvas, fit_text(label.defect, size, defect_room), left, y + layout.defect_y, size)


def _new_canvas(buffer: io.BytesIO, pagesize: tuple[float, float], title: str) -> Canvas:
    register_font()
    # invariant: the same labels give the same bytes, which keeps PDFs diffable and cacheable.
    canvas = Canvas(buffer, pagesize=pagesize, invariant=True, initialFontName=FONT)  # type: ignore[arg-type]  # types-reportlab: a font name, not a float
    canvas.setTitle(title)
    return canvas


def item_sheet(labels: Sequence[PieceLabel], start_position: int = 1) -> Rendered:
    """A4 sheets of 3 × 8 labels; `start_position` (1–24) skips cells already used on the first sheet."""
    if not labels:
        raise ValueError("No labels to print: the sheet needs at least one piece.")
    if not 1 <= start_position <= LABELS_PER_SHEET:
        raise ValueError(
            f"start_position must be between 1 and {LABELS_PER_SHEET} "
            f"(cells are numbered left to right, top to bottom), got {start_position}."
        )
    layout = sheet_layout()
    page_width, page_height = A4
    left_margin = (page_width - SHEET_COLUMNS * SHEET_CELL_WIDTH) / 2
    top = page_height - SHEET_TOP_MARGIN
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, A4, "Piece labels")
    position = start_position - 1
    for label in labels:
        if position == LABELS_PER_SHEET:
            canvas.showPage()
            position = 0
        row, column = divmod(position, SHEET_COLUMNS)
        draw_piece_label(
            canvas,
            label,
            left_margin + column * SHEET_CELL_WIDTH,
            top - (row + 1) * SHEET_CELL_HEIGHT,
            layout,
        )
        position += 1
    canvas.showPage()
    canvas.save()
    return rendered(buffer.getvalue(), labels)


def thermal_labels(labels: Sequence[PieceLabel], width_mm: float = 60, height_mm: float = 40) -> Rendered:
    """One label per page, the page the size of the label, for thermal roll printers."""
    if not labels:
        raise ValueError("No labels to print: give at least one piece.")
    if width_mm < MINIMUM_THERMAL_WIDTH_MM or height_mm < MINIMUM_THERMAL_HEIGHT_MM:
        raise ValueError(
            f"Thermal labels must be at least {MINIMUM_THERMAL_WIDTH_MM} × {MINIMUM_THERMAL_HEIGHT_MM} mm, "
            f"got {width_mm} × {height_mm} mm."
        )
    width, height = width_mm * mm, height_mm * mm
    layout = label_layout(width, height, 2.5 * mm, 2 * mm, THERMAL_MODULE_WIDTHS)
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, (width, height), "Piece labels")
    for label in labels:
        draw_piece_label(canvas, label, 0, 0, layout)
        canvas.showPage()
    canvas.save()
    return rendered(buffer.getvalue(), labels)
