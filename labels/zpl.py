"""Piece and part labels in ZPL II for Zebra and Zebra-compatible printers: the printer draws the
barcode with its own Code 128 command (^BC), and the text arrives as bitmaps (^GFA) rasterised
from the embedded fonts. Returns the bytes to send to the printer (port 9100) or to download."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from labels.data import PartLabel, PieceLabel
from labels.fonts import Rendered, rendered
from labels.thermal import (
    BarcodeElement,
    Bitmap,
    ThermalLabel,
    check_labels,
    code_set_b_modules,
    part_label_elements,
    piece_label_elements,
)

# Characters ZPL would read as commands are sent as hex under ^FH (escape character "_").
ESCAPED = {"^": "_5E", "~": "_7E", "_": "_5F"}


def zpl_piece_labels(
    labels: Sequence[PieceLabel], width_mm: float = 60, height_mm: float = 40, dpi: int = 203
) -> Rendered:
    check_labels(labels, width_mm, height_mm)
    data = b"".join(_label(piece_label_elements(label, width_mm, height_mm, dpi)) for label in labels)
    return rendered(data, labels)


def zpl_part_labels(
    labels: Sequence[PartLabel], width_mm: float = 60, height_mm: float = 40, dpi: int = 203
) -> Rendered:
    check_labels(labels, width_mm, height_mm)
    data = b"".join(_label(part_label_elements(label, width_mm, height_mm, dpi)) for label in labels)
    return rendered(data, labels)


def _label(label: ThermalLabel) -> bytes:
    commands = [f"^XA^PW{label.width}^LL{label.height}^LH0,0^CI28"]
    for element in label.elements:
        if isinstance(element, BarcodeElement):
            commands.append(
                f"^FO{element.x},{element.y}^BY{element.module},2,{element.height}"
                f"^BCN,{element.height},N,N,N^FH_^FD{code128_field(element.data)}^FS"
            )
        else:
            commands.append(f"^FO{element.x},{element.y}{graphic_field(element.bitmap)}^FS")
    commands.append("^PQ1^XZ\n")
    return "\n".join(commands).encode("ascii")


def code128_field(data: str) -> str:
    """The ^BC field data: start code B (">:") and the characters, so every printer draws the same
    symbol, as wide as laid out. (Code set B throughout is a few modules longer than switching to
    set C for digits, but ZPL's invocation codes for switching are read differently by different
    firmware and emulations; set B is read alike by all.)"""
    code_set_b_modules(data)  # refuses what set B cannot carry
    if ">" in data:
        # ^BC reads ">" as the start of an invocation code, and its escape is read differently
        # by different printers: refused rather than printed as something else.
        raise ValueError(f"{data!r} has a '>', which a ZPL barcode cannot carry reliably.")
    return ">:" + "".join(ESCAPED.get(char, char) for char in data)


@functools.lru_cache(maxsize=16384)
def graphic_field(bitmap: Bitmap) -> str:
    """^GFA with ZPL's own compression of hex rows: ":" repeats the row above, "," fills the
    rest of a row with white."""
    width = bitmap.row_bytes * 2
    hexed = bitmap.rows.hex().upper()
    rows = []
    previous = None
    for start in range(0, len(hexed), width):
        row = hexed[start : start + width]
        if row == previous:
            rows.append(":")
            continue
        previous = row
        stripped = row.rstrip("0")
        rows.append(stripped + "," if len(stripped) < width else row)
    total = len(bitmap.rows)
    return f"^GFA,{total},{total},{bitmap.row_bytes},{''.join(rows)}"
