"""Labels for thermal printers in their own languages, laid out in printer dots.

A label is a list of elements: Code 128 barcodes, which the printer draws itself from its own
barcode command (crisp bars at any resolution), and text, which is rasterised here from the
embedded fonts (the printer's fonts have no Chinese) into 1-bit bitmaps. `labels.zpl` and
`labels.tspl` write these elements in each printer's language."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from labels.barcodes import QUIET_ZONE_MODULES
from labels.data import PartLabel, PieceLabel
from labels.fonts import CHAIN, fit_text, fit_whole, register_font, runs

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72
# 0.25 mm is the narrowest bar an ordinary scanner reads reliably.
MINIMUM_MODULE_MM = 0.25
SUPPORTED_DPI = (203, 300)


@dataclass(frozen=True)
class Bitmap:
    """Text rasterised: `rows` holds `height` rows of `row_bytes` bytes, most significant bit
    first, a set bit a printed (black) dot."""

    row_bytes: int
    height: int
    rows: bytes

    @property
    def width(self) -> int:
        return self.row_bytes * 8


@dataclass(frozen=True)
class TextElement:
    x: int
    y: int  # top of the bitmap, dots from the label's top edge
    bitmap: Bitmap


@dataclass(frozen=True)
class BarcodeElement:
    x: int
    y: int
    data: str
    module: int  # dots per module
    height: int  # dots


Element = TextElement | BarcodeElement


@dataclass(frozen=True)
class ThermalLabel:
    width: int  # dots
    height: int
    dpi: int
    width_mm: float
    height_mm: float
    elements: tuple[Element, ...]


def dots(mm: float, dpi: int) -> int:
    return round(mm * dpi / MM_PER_INCH)


def point_dots(points: float, dpi: int) -> int:
    return max(1, round(points * dpi / POINTS_PER_INCH))


def code_set_b_modules(data: str) -> int:
    """Modules of `data` encoded in Code 128 code set B throughout (start, characters, checksum,
    stop): what the printer draws from our field data, so its width is known to the dot."""
    if not data:
        raise ValueError("A barcode needs at least one character.")
    if any(not " " <= char <= "~" for char in data):
        raise ValueError(f"{data!r} has characters outside Code 128 set B, which a printer label cannot carry.")
    return 11 * (len(data) + 3) + 2


def module_dots(data: str, available: int, dpi: int) -> int:
    """The widest of the two whole-dot module widths at or above 0.25 mm whose symbol and quiet
    zones fit in `available` dots."""
    modules = code_set_b_modules(data)
    narrowest = math.ceil(MINIMUM_MODULE_MM * dpi / MM_PER_INCH - 1e-6)
    for module in (narrowest + 1, narrowest):
        if (modules + 2 * QUIET_ZONE_MODULES) * module <= available:
            return module
    raise ValueError(
        f"Barcode {data!r} needs {(modules + 2 * QUIET_ZONE_MODULES) * narrowest * MM_PER_INCH / dpi:.1f} mm with "
        f"its quiet zones at {dpi} dpi, but the label has {available * MM_PER_INCH / dpi:.1f} mm: use a wider label."
    )


@functools.cache
def _pil_font(index: int, pixels: int) -> ImageFont.FreeTypeFont:
    font_file = CHAIN[index]
    return ImageFont.truetype(str(font_file.path), pixels, index=font_file.index)


_FONT_INDEX = {font_file.name: index for index, font_file in enumerate(CHAIN)}


@dataclass(frozen=True)
class _Glyph:
    image: Image.Image | None  # None for a glyph with no ink (a space)
    left: int  # from the pen position
    top: int  # from the baseline (negative: above it)
    advance: float


@functools.lru_cache(maxsize=65536)
def _glyph(font_index: int, char: str, pixels: int) -> _Glyph:
    # Each character is rasterised once per size; lines are composed from these (a label file
    # of 1,000 labels repeats the same few dozen characters).
    font = _pil_font(font_index, pixels)
    left, top, right, bottom = (int(v) for v in font.getbbox(char, anchor="ls"))
    advance = float(font.getlength(char))
    if right <= left or bottom <= top:
        return _Glyph(None, 0, 0, advance)
    image = Image.new("1", (right - left, bottom - top), 0)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"  # no anti-aliasing: a thermal dot is on or off
    draw.text((-left, -top), char, font=font, fill=1, anchor="ls")
    return _Glyph(image, left, top, advance)


@functools.lru_cache(maxsize=16384)
def text_bitmap(text: str, pixels: int) -> Bitmap:
    """One line of text, run by run in the font that has each character, `pixels` high (the em)."""
    register_font()
    ascent, descent = _pil_font(0, pixels).getmetrics()
    glyphs = [_glyph(_FONT_INDEX[font], char, pixels) for font, part in runs(text) for char in part]
    width = math.ceil(sum(glyph.advance for glyph in glyphs)) + 2
    row_bytes = max(1, (width + 7) // 8)
    image = Image.new("1", (row_bytes * 8, ascent + descent), 0)
    x = 0.0
    for glyph in glyphs:
        if glyph.image is not None:
            image.paste(1, (round(x) + glyph.left, ascent + glyph.top), mask=glyph.image)
        x += glyph.advance
    return Bitmap(row_bytes, image.height, image.tobytes())


@dataclass(frozen=True)
class _Layout:
    """Positions in dots for one label size and resolution."""

    width: int
    height: int
    dpi: int
    padding_x: int
    text_px: int
    code_px: int
    line: int
    top: int


@functools.cache
def _layout(width_mm: float, height_mm: float, dpi: int) -> _Layout:
    if dpi not in SUPPORTED_DPI:
        raise ValueError(f"Thermal printers here print at {' or '.join(map(str, SUPPORTED_DPI))} dpi, not {dpi}.")
    text_px = point_dots(7.5, dpi)
    return _Layout(
        width=dots(width_mm, dpi),
        height=dots(height_mm, dpi),
        dpi=dpi,
        padding_x=dots(2.5, dpi),
        text_px=text_px,
        code_px=point_dots(8.5, dpi),
        line=round(text_px * 1.2),
        top=dots(2, dpi),
    )


def _text(layout: _Layout, text: str, x: int, y: int, pixels: int, align: str = "left") -> TextElement:
    bitmap = text_bitmap(text, pixels)
    if align == "right":
        x -= bitmap.width
    elif align == "centre":
        x -= bitmap.width // 2
    return TextElement(max(0, x), y, bitmap)


def _fitted(text: str, pixels: int, room: int) -> str:
    # Pixel widths are point widths at a size of `pixels` points: the same font, the same metrics.
    return fit_text(text, pixels, room)


def _whole_px(text: str, pixels: int, room: int) -> int:
    """The pixel size at which a value that must print whole (a code, a bin) fits in `room`:
    shrunk down to 60 %, and refused beyond that rather than cut."""
    size, lines = fit_whole(text, pixels, room, pixels * 0.6)
    if len(lines) > 1:
        raise ValueError(f"{text!r} does not fit whole on the label even in small print: use a wider label.")
    return max(1, math.floor(size))


def _barcode_block(layout: _Layout, code: str, y: int, bottom: int) -> tuple[list[Element], int]:
    """The barcode centred with its code under it, between `y` and `bottom`; return the elements
    and the y below them."""
    module = module_dots(code, layout.width, layout.dpi)
    modules = code_set_b_modules(code)
    code_px = _whole_px(code, layout.code_px, layout.width - 2 * layout.padding_x)
    code_height = text_bitmap(code, code_px).height
    bar_height = min(dots(15, layout.dpi), bottom - y - code_height)
    if bar_height < dots(6, layout.dpi):
        raise ValueError(
            f"A {layout.width * MM_PER_INCH / layout.dpi:.0f} × {layout.height * MM_PER_INCH / layout.dpi:.0f} mm "
            "label is too small for a scannable barcode."
        )
    x = (layout.width - modules * module) // 2
    centre = layout.width // 2
    return [
        BarcodeElement(x, y, code, module, bar_height),
        _text(layout, code, centre, y + bar_height + 2, code_px, "centre"),
    ], y + bar_height + 2 + code_height


def piece_label_elements(label: PieceLabel, width_mm: float, height_mm: float, dpi: int) -> ThermalLabel:
    """A piece label as on the 60 × 40 mm PDF: store and date, barcode and code, product,
    size/colour, defect and batch."""
    layout = _layout(width_mm, height_mm, dpi)
    px, line = layout.text_px, layout.line
    left, right = layout.padding_x, layout.width - layout.padding_x
    inner = right - left
    gap = dots(2, dpi)
    date = label.registered_on.isoformat()
    date_element = _text(layout, date, right, layout.top, px, "right")
    elements: list[Element] = [
        date_element,
        _text(layout, _fitted(label.store, px, inner - date_element.bitmap.width - gap), left, layout.top, px),
    ]
    lines_below = 3
    bottom = layout.height - dots(2, dpi) - lines_below * line
    barcode, y = _barcode_block(layout, label.code, layout.top + line + dots(1, dpi), bottom)
    elements += barcode
    y = max(y, bottom)
    elements.append(_text(layout, _fitted(label.product, px, inner), left, y, px))
    elements.append(_text(layout, _fitted(label.size_colour, px, inner), left, y + line, px))
    defect_room = inner
    if label.batch:
        batch = f"批次 {label.batch}"
        batch_element = _text(layout, batch, right, y + 2 * line, _whole_px(batch, px, inner // 2), "right")
        elements.append(batch_element)
        defect_room = inner - batch_element.bitmap.width - gap
    elements.append(_text(layout, _fitted(label.defect, px, defect_room), left, y + 2 * line, px))
    return ThermalLabel(layout.width, layout.height, dpi, width_mm, height_mm, tuple(elements))


def part_label_elements(label: PartLabel, width_mm: float, height_mm: float, dpi: int) -> ThermalLabel:
    """A spare part's shelf label: its Chinese name large, the English name, the barcode of its
    code, its unit and the bin it lives in."""
    layout = _layout(width_mm, height_mm, dpi)
    px, line = layout.text_px, layout.line
    left, right = layout.padding_x, layout.width - layout.padding_x
    inner = right - left
    big = point_dots(10, dpi)
    name_element = _text(layout, _fitted(label.name_zh, big, inner), left, layout.top, big)
    elements: list[Element] = [name_element]
    y = layout.top + name_element.bitmap.height
    if label.name_en:
        elements.append(_text(layout, _fitted(label.name_en, px, inner), left, y, px))
        y += line
    facts = [
        fact
        for fact in (
            f"单位 Unit: {label.unit}" if label.unit else "",
            f"库位 Bin: {label.location}" if label.location else "",
        )
        if fact
    ]
    if len(facts) == 2 and text_bitmap("    ".join(facts), px).width <= inner:
        facts = ["    ".join(facts)]
    bottom = layout.height - dots(2, dpi) - len(facts) * line
    barcode, below = _barcode_block(layout, label.code, y + dots(1, dpi), bottom)
    elements += barcode
    y = max(below, bottom)
    for fact in facts:
        # The unit and the bin print whole: a shelf label is read for them.
        elements.append(_text(layout, fact, left, y, _whole_px(fact, px, inner)))
        y += line
    return ThermalLabel(layout.width, layout.height, dpi, width_mm, height_mm, tuple(elements))


def check_labels(labels: Sequence[object], width_mm: float, height_mm: float) -> None:
    if not labels:
        raise ValueError("No labels to print: give at least one.")
    if width_mm < 40 or height_mm < 25:
        raise ValueError(f"Thermal labels must be at least 40 × 25 mm, got {width_mm} × {height_mm} mm.")
