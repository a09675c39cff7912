"""Labels and slips benchmark: `.venv/bin/python bench/labels_bench.py`.

(a) a 1,000-label A4 sheet through `labels.item_sheet` against a plain reportlab script that
draws the same content (same font, same bars as rects, same already-fitted texts);
(b) a 300-piece dispatch slip through `labels.slip_pdf`;
(c) 1,000 piece labels in ZPL through `labels.zpl_piece_labels` at 203 and 300 dpi (text
rasterised to bitmaps, warm and with the bitmap cache cleared). Best of N runs each."""

from __future__ import annotations

import io
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import barcode  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from labels import Party, PieceLabel, Slip, SlipLine, item_sheet, slip_pdf, zpl_piece_labels  # noqa: E402
from labels.fonts import FONT, fit_text, register_font  # noqa: E402
from labels.piece_labels import sheet_layout  # noqa: E402

RUNS = 7
LABELS = [
    PieceLabel(
        code=f"P{n:08d}K",
        store=f"上海南京东路{n % 50}号店",
        product="男士加绒加厚防风保暖连帽羽绒服外套（长款）加大码冬季新款",
        size_colour="XL / 藏青",
        defect="脱线 Open seam",
        registered_on=date(2026, 11, 23),
        batch="B00000042X" if n % 2 else None,
    )
    for n in range(1, 1001)
]


def plain_reportlab_sheet(labels: list[PieceLabel], texts: list[tuple[str, ...]]) -> bytes:
    """What a careful person writes without the package: positions, bars, strings."""
    layout = sheet_layout()
    module = 4 * 25.4 / 300 * mm
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, initialFontName=FONT)
    for index, (label, (store, product, size_colour, defect, batch)) in enumerate(zip(labels, texts, strict=True)):
        if index and index % 24 == 0:
            canvas.showPage()
        row, column = divmod(index % 24, 3)
        x = column * 70 * mm
        y = A4[1] - 0.5 * mm - (row + 1) * 37 * mm
        left, right = x + 4 * mm, x + 66 * mm
        canvas.setFont(FONT, 7)
        canvas.drawRightString(right, y + layout.store_y, label.registered_on.isoformat())
        canvas.drawString(left, y + layout.store_y, store)
        pattern = barcode.get_barcode_class("code128")(label.code).build()[0]
        bar_x = x + 35 * mm - len(pattern) * module / 2
        path = canvas.beginPath()
        start = None
        for i, bit in enumerate(pattern + "0"):
            if bit == "1" and start is None:
                start = i
            elif bit == "0" and start is not None:
                path.rect(bar_x + start * module, y + layout.barcode_y, (i - start) * module, layout.barcode_height)
                start = None
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(x + 35 * mm, y + layout.code_y, label.code)
        canvas.setFont(FONT, 7)
        canvas.drawString(left, y + layout.product_y, product)
        canvas.drawString(left, y + layout.size_colour_y, size_colour)
        if batch:
            canvas.drawRightString(right, y + layout.defect_y, batch)
        canvas.drawString(left, y + layout.defect_y, defect)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def best_of(runs: int, render, *args) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        render(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    register_font()
    layout = sheet_layout()
    inner = layout.inner_width
    texts = [
        (
            fit_text(label.store, 7, inner - 30 * mm),
            fit_text(label.product, 7, inner),
            label.size_colour,
            label.defect,
            f"批次 {label.batch}" if label.batch else "",
        )
        for label in LABELS
    ]
    slip = Slip(
        kind="dispatch",
        batch_code="B00000042X",
        sender=Party("上海南京东路店", "王小明", "021-12345678", "上海市黄浦区南京东路100号"),
        receiver=Party("中央维修车间", "李师傅", "13800000000", "江苏省苏州市工业园区星湖街1号"),
        iso_week="2026-W48",
        date=date(2026, 11, 23),
        carrier="顺丰 SF Express",
        tracking_no="SF1234567890",
        lines=tuple(
            SlipLine(f"P{n:08d}K", "男士加绒加厚防风保暖连帽羽绒服外套（长款）", "XL / 藏青", "脱线 Open seam")
            for n in range(1, 301)
        ),
    )
    # Warm both paths once (font parsing, imports) so neither pays a one-off cost in the timing.
    item_sheet(LABELS[:24])
    plain_reportlab_sheet(LABELS[:24], texts[:24])
    slip_pdf(slip)

    plain = best_of(RUNS, plain_reportlab_sheet, LABELS, texts)
    ours = best_of(RUNS, item_sheet, LABELS)
    # A cold cache is what the app sees on a fresh batch of codes.
    from labels.barcodes import code128
    from labels.fonts import fit_text as fitted

    def cold_item_sheet(labels):
        code128.cache_clear()
        fitted.cache_clear()
        return item_sheet(labels)

    cold = best_of(RUNS, cold_item_sheet, LABELS)
    slip_time = best_of(RUNS, slip_pdf, slip)
    from labels.thermal import text_bitmap

    def cold_zpl(labels, dpi):
        text_bitmap.cache_clear()
        fitted.cache_clear()
        return zpl_piece_labels(labels, dpi=dpi)

    def warm_zpl(labels, dpi):
        return zpl_piece_labels(labels, dpi=dpi)

    zpl_runs = {dpi: (best_of(RUNS, warm_zpl, LABELS, dpi), best_of(RUNS, cold_zpl, LABELS, dpi)) for dpi in (203, 300)}
    zpl_bytes = {dpi: len(zpl_piece_labels(LABELS, dpi=dpi)) for dpi in (203, 300)}

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {date.today().isoformat()}")
    print(f"(a) 1,000-label A4 sheet, best of {RUNS}:")
    print(f"    plain reportlab script  {plain * 1000:7.1f} ms  {len(LABELS) / plain:7.0f} labels/s")
    print(
        f"    labels.item_sheet       {ours * 1000:7.1f} ms  {len(LABELS) / ours:7.0f} labels/s  ratio {ours / plain:.2f}x"
    )
    print(
        f"    item_sheet, cold caches {cold * 1000:7.1f} ms  {len(LABELS) / cold:7.0f} labels/s  ratio {cold / plain:.2f}x"
    )
    print(f"    target: ratio <= 1.30 -> {'OK' if ours / plain <= 1.3 and cold / plain <= 1.3 else 'MISSED'}")
    print(
        f"(b) 300-piece dispatch slip, best of {RUNS}: {slip_time * 1000:.1f} ms"
        f"  target < 300 ms -> {'OK' if slip_time < 0.3 else 'MISSED'}"
    )
    print(f"(c) 1,000 ZPL piece labels, best of {RUNS}:")
    for dpi, (warm, cold) in zpl_runs.items():
        print(
            f"    {dpi} dpi  warm {warm * 1000:7.1f} ms  bitmap cache cleared {cold * 1000:7.1f} ms"
            f"  {zpl_bytes[dpi] / 1e6:.1f} MB  target < 1 s -> {'OK' if max(warm, cold) < 1 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
