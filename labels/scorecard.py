"""A supplier's quality scorecard for one quarter (质量反馈): its pieces and their cost, the
defects that cost most with example photos, its claims, and the trend against the same
months a year before — to send with the claim. Headings in Chinese and English, like the
other paper; names as the chain keeps them (Chinese)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from labels.a4 import BOTTOM, CONTENT_WIDTH, LEFT, RIGHT, TOP, draw_wrapped
from labels.fonts import Rendered, draw_text, fit_text, rendered
from labels.money import format_money

ROW = 6 * mm
TEXT = 8.5
PHOTO = 24 * mm


@dataclass(frozen=True)
class ScorecardDefect:
    code: str
    name: str
    pieces: int
    cost: Decimal
    share: str  # of the supplier's pieces, printed as given ("23.4%")
    photos: tuple[bytes, ...] = ()  # JPEG thumbnails of example pieces
    photo_codes: tuple[str, ...] = ()  # the pieces the photos show


@dataclass(frozen=True)
class ScorecardMonth:
    month: str
    pieces: int
    cost: Decimal
    year_before_pieces: int
    year_before_cost: Decimal


@dataclass(frozen=True)
class ScorecardClaim:
    number: str
    month: str
    status: str
    amount: Decimal
    paid: Decimal
    outstanding: Decimal


@dataclass(frozen=True)
class Scorecard:
    issuer: str
    supplier_code: str
    supplier_name: str
    quarter: str
    generated_on: str
    pieces: int
    scrapped: int
    repairable: int
    no_fault: int
    cost: Decimal
    supplier_cost: Decimal
    repeat_share: str
    average_days: str
    previous_pieces: int
    previous_cost: Decimal
    year_before_pieces: int
    year_before_cost: Decimal
    defects: tuple[ScorecardDefect, ...] = ()
    months: tuple[ScorecardMonth, ...] = ()
    claims: tuple[ScorecardClaim, ...] = field(default=())
    claimed: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    outstanding: Decimal = Decimal("0.00")
    disputed: Decimal = Decimal("0.00")  # withdrawn after the supplier's disputes


class _Pages:
    """A flowing A4 document: each block asks for its height and gets a new page if needed."""

    def __init__(self, card: Scorecard):
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, invariant=True)
        self.canvas.setTitle(f"质量反馈 Quality scorecard {card.supplier_name} {card.quarter}")
        self.card = card
        self.page = 1
        self.y = self._header()

    def _header(self) -> float:
        c, card = self.canvas, self.card
        y = draw_wrapped(
            c, "供应商质量反馈 Supplier quality scorecard", LEFT, TOP + 0.5 * mm, 15, CONTENT_WIDTH - 30 * mm
        )
        draw_text(c, f"第 {self.page} 页 Page {self.page}", RIGHT, TOP - 6 * mm, 9, "right")
        for line in (
            f"供应商 Supplier: {card.supplier_name} ({card.supplier_code})",
            f"期间 Period: {card.quarter} · 出具方 Issuer: {card.issuer} · 生成日期 Generated on: {card.generated_on}",
        ):
            y = draw_wrapped(c, line, LEFT, y, 9.5, CONTENT_WIDTH)
        y -= 1.5 * mm
        c.setLineWidth(0.8)
        c.line(LEFT, y, RIGHT, y)
        return y - 4 * mm

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.canvas.showPage()
            self.page += 1
            self.y = self._header()

    def heading(self, text: str) -> None:
        self.need(10 * mm + ROW * 2)
        self.y -= 4 * mm
        draw_text(self.canvas, text, LEFT, self.y, 11)
        self.y -= 3 * mm

    def table(
        self, widths: Sequence[float], head: Sequence[str], rows: Sequence[Sequence[str]], right_from: int
    ) -> None:
        def line(cells: Sequence[str], bold: bool = False) -> None:
            self.need(ROW)
            self.y -= ROW
            x = LEFT
            for i, (width, text) in enumerate(zip(widths, cells, strict=True)):
                shown = fit_text(text, TEXT, width - 2 * mm)
                if i >= right_from:
                    draw_text(self.canvas, shown, x + width - 1 * mm, self.y + 2 * mm, TEXT, "right")
                else:
                    draw_text(self.canvas, shown, x + 1 * mm, self.y + 2 * mm, TEXT)
                x += width
            self.canvas.setLineWidth(0.6 if bold else 0.3)
            self.canvas.line(LEFT, self.y, LEFT + sum(widths), self.y)

        line(head, bold=True)
        for row in rows:
            line(row)

    def photos(self, images: Sequence[bytes], codes: Sequence[str]) -> None:
        if not images:
            return
        self.need(PHOTO + 6 * mm)
        x = LEFT + 4 * mm
        for data, code in zip(images, codes, strict=True):
            try:
                self.canvas.drawImage(
                    ImageReader(io.BytesIO(data)), x, self.y - PHOTO - 1 * mm, PHOTO, PHOTO, preserveAspectRatio=True
                )
            except OSError:
                continue  # a photo that cannot be read is left out; its code still prints
            draw_text(self.canvas, code, x, self.y - PHOTO - 4.5 * mm, 7)
            x += PHOTO + 4 * mm
        self.y -= PHOTO + 6 * mm

    def done(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def scorecard_pdf(card: Scorecard) -> Rendered:
    """The scorecard as PDF bytes; `.missing_chars` lists characters no embedded font could print."""
    doc = _Pages(card)
    doc.heading("概况 Summary")
    doc.table(
        (70 * mm, 36 * mm, 36 * mm, 36 * mm),
        ("", "本季度 This quarter", "上一季度 Quarter before", "去年同期 A year before"),
        (
            ("问题件 Defective pieces", str(card.pieces), str(card.previous_pieces), str(card.year_before_pieces)),
            (
                "报废成本 Scrap cost",
                format_money(card.cost),
                format_money(card.previous_cost),
                format_money(card.year_before_cost),
            ),
        ),
        right_from=1,
    )
    doc.table(
        (70 * mm, 36 * mm),
        ("", ""),
        (
            ("报废 Scrapped", str(card.scrapped)),
            ("可维修 Repairable", str(card.repairable)),
            ("无故障 No fault found", str(card.no_fault)),
            ("供应商承担 Borne by the supplier", format_money(card.supplier_cost)),
            ("返修率 Repeat repairs", card.repeat_share),
            ("平均在修天数 Average days in the workshop", card.average_days),
        ),
        right_from=1,
    )
    doc.heading("主要缺陷 Top defects")
    for defect in card.defects:
        doc.table(
            (28 * mm, 82 * mm, 22 * mm, 30 * mm, 18 * mm),
            ("编码 Code", "缺陷 Defect", "件数 Pieces", "成本 Cost", "占比 Share"),
            ((defect.code, defect.name, str(defect.pieces), format_money(defect.cost), defect.share),),
            right_from=2,
        )
        doc.photos(defect.photos, defect.photo_codes)
    if not card.defects:
        doc.need(ROW)
        doc.y -= ROW
        draw_text(doc.canvas, "本季度无问题件 No defective pieces this quarter", LEFT, doc.y, TEXT)
    doc.heading("趋势 Trend")
    doc.table(
        (30 * mm, 30 * mm, 34 * mm, 36 * mm, 40 * mm),
        ("月份 Month", "件数 Pieces", "成本 Cost", "去年同月 Year before", "去年成本 Cost year before"),
        [
            (m.month, str(m.pieces), format_money(m.cost), str(m.year_before_pieces), format_money(m.year_before_cost))
            for m in card.months
        ],
        right_from=1,
    )
    doc.heading("索赔 Claims")
    doc.table(
        (34 * mm, 20 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm),
        ("索赔单号 Claim no.", "月份 Month", "状态 Status", "金额 Amount", "已付 Paid", "未付 Outstanding"),
        [
            (c.number, c.month, c.status, format_money(c.amount), format_money(c.paid), format_money(c.outstanding))
            for c in card.claims
        ]
        + [("合计 Total", "", "", format_money(card.claimed), format_money(card.paid), format_money(card.outstanding))],
        right_from=3,
    )
    if card.disputed:
        doc.need(ROW)
        doc.y -= ROW
        draw_text(doc.canvas, f"经申诉撤回 Withdrawn after disputes: {format_money(card.disputed)}", LEFT, doc.y, TEXT)
    return rendered(doc.done(), card)
