"""Piece and part labels in TSPL, the language of TSC and of most Chinese label printers
(Xprinter, Gprinter, HPRT…): BARCODE for the printer's own Code 128, BITMAP for the text
rasterised from the embedded fonts. Returns the bytes to send to the printer (port 9100)."""

from __future__ import annotations

from collections.abc import Sequence

from labels.data import PartLabel, PieceLabel
from labels.fonts import Rendered, rendered
from labels.thermal import (
    BarcodeElement,
    ThermalLabel,
    check_labels,
    code_set_b_modules,
    part_label_elements,
    piece_label_elements,
)

GAP_MM = 2  # the gap between labels on the roll
# TSPL prints a dot for a 0 bit (the opposite of ZPL), so bitmaps are sent inverted.
INVERT = bytes(255 - value for value in range(256))


def tspl_piece_labels(
    labels: Sequence[PieceLabel], width_mm: float = 60, height_mm: float = 40, dpi: int = 203
) -> Rendered:
    check_labels(labels, width_mm, height_mm)
    data = b"".join(_label(piece_label_elements(label, width_mm, height_mm, dpi)) for label in labels)
    return rendered(data, labels)


def tspl_part_labels(
    labels: Sequence[PartLabel], width_mm: float = 60, height_mm: float = 40, dpi: int = 203
) -> Rendered:
    check_labels(labels, width_mm, height_mm)
    data = b"".join(_label(part_label_elements(label, width_mm, height_mm, dpi)) for label in labels)
    return rendered(data, labels)


def _label(label: ThermalLabel) -> bytes:
    parts = [
        f"SIZE {label.width_mm:g} mm,{label.height_mm:g} mm\r\n"
        f"GAP {GAP_MM} mm,0 mm\r\nDIRECTION 1,0\r\nREFERENCE 0,0\r\nCLS\r\n".encode("ascii")
    ]
    for element in label.elements:
        if isinstance(element, BarcodeElement):
            parts.append(
                f'BARCODE {element.x},{element.y},"128",{element.height},0,0,'
                f'{element.module},{element.module},"{barcode_data(element.data)}"\r\n'.encode("ascii")
            )
        else:
            bitmap = element.bitmap
            parts.append(f"BITMAP {element.x},{element.y},{bitmap.row_bytes},{bitmap.height},0,".encode("ascii"))
            parts.append(bitmap.rows.translate(INVERT) + b"\r\n")
    parts.append(b"PRINT 1,1\r\n")
    return b"".join(parts)


def barcode_data(data: str) -> str:
    code_set_b_modules(data)  # refuses what set B cannot carry
    if '"' in data or "\\" in data:
        raise ValueError(f"{data!r} has a quote or a backslash, which a TSPL barcode cannot carry reliably.")
    return data
