"""Code 128 drawn as vector bars: one drawing for labels, slips and anything else."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from barcode.codex import Code128 as PythonBarcodeCode128
from barcode.errors import BarcodeError
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE_MODULES = 10
MINIMUM_MODULE_WIDTH = 0.25 * mm

# Whole printer dots keep every bar the same width: 4 and 3 dots at 300/600 dpi for office
# printers, 3 and 2 dots at 203 dpi for thermal printers (2 dots = 0.25 mm, the floor).
OFFICE_MODULE_WIDTHS = (4 * inch / 300, 3 * inch / 300)
THERMAL_MODULE_WIDTHS = (3 * inch / 203, 2 * inch / 203)


class _Code128Symbols(PythonBarcodeCode128):  # type: ignore[misc]  # python-barcode ships no types
    # python-barcode starts in charset C and then folds "start C, switch to X" into
    # "start X"; but right after start C the value 99 is the digits "99", not a switch,
    # so a code beginning with 99 lost them ("991234" scanned as "1234"). Only codes
    # 100 and 101 are switches in charset C.
    def _try_to_optimize(self, encoded: list[int]) -> list[int]:
        if encoded[0] == 105 and encoded[1:2] in ([100], [101]):
            encoded[:2] = [{100: 104, 101: 103}[encoded[1]]]
        return encoded


@dataclass(frozen=True)
class Code128:
    data: str
    bars: tuple[tuple[int, int], ...]  # (first module, width in modules) of each dark bar
    modules: int

    def width(self, module_width: float) -> float:
        return self.modules * module_width

    def width_with_quiet_zones(self, module_width: float) -> float:
        return (self.modules + 2 * QUIET_ZONE_MODULES) * module_width


@functools.lru_cache(maxsize=65536)
def code128(data: str) -> Code128:
    if not data:
        raise ValueError("A barcode needs at least one character.")
    try:
        # A fresh instance every time: python-barcode keeps the charset state between builds.
        pattern = _Code128Symbols(data).build()[0]
    except (BarcodeError, KeyError, RuntimeError) as error:
        raise ValueError(f"{data!r} cannot be encoded as Code 128: {error}") from error
    bars = []
    start = None
    for index, module in enumerate(pattern + "0"):
        if module == "1" and start is None:
            start = index
        elif module == "0" and start is not None:
            bars.append((start, index - start))
            start = None
    return Code128(data, tuple(bars), len(pattern))


def module_width_that_fits(data: str, available: float, preferred: tuple[float, ...]) -> float:
    """The widest preferred module width whose symbol and quiet zones fit in `available` points."""
    symbol = code128(data)
    for module_width in preferred:
        if symbol.width_with_quiet_zones(module_width) <= available:
            return module_width
    needed = symbol.width_with_quiet_zones(MINIMUM_MODULE_WIDTH) / mm
    raise ValueError(
        f"Barcode {data!r} needs {needed:.1f} mm with its quiet zones at the 0.25 mm minimum "
        f"module width, but only {available / mm:.1f} mm is available: use a shorter code."
    )


def draw_code128(canvas: Canvas, data: str, x: float, y: float, module_width: float, height: float) -> float:
    """Draw the bars with the symbol's left edge at `x` (the quiet zone is the caller's
    space to keep clear); return the symbol's width."""
    symbol = code128(data)
    path = canvas.beginPath()
    for start, width in symbol.bars:
        path.rect(x + start * module_width, y, width * module_width, height)
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    return symbol.width(module_width)
