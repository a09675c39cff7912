"""A supplier's scorecard for one quarter: the same figures as the quality pages (read from
the summary), its top defects with example photos, and its claims — as PDF (labels) and as
an Excel workbook."""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Claim, ClaimDispute, Photo, Piece, Product, Supplier
from app.services import exports, photos, settings
from app.services.finance.sums import ZERO, from_cents, sum_cents
from app.services.quality import figures
from app.services.quality.pieces import month_bounds
from labels import Scorecard, ScorecardClaim, ScorecardDefect, ScorecardMonth
from workshop.money import Month, total
from workshop.quality import Period, permille
from workshop.statuses import ClaimStatus, DisputeStatus

TOP_DEFECTS = 5
PHOTOS_PER_DEFECT = 3
CLAIM_STATUS_ZH = {
    ClaimStatus.OPEN: "未发送 open",
    ClaimStatus.SENT: "已发送 sent",
    ClaimStatus.DISPUTED: "申诉中 disputed",
    ClaimStatus.SETTLED: "已结清 settled",
}


def _percent(value: int) -> str:
    return f"{value / 10:.1f}%"


@dataclass(frozen=True)
class ClaimLine:
    claim: Claim
    paid: Decimal
    outstanding: Decimal


def claims_of(supplier_id: int, period: Period) -> list[ClaimLine]:
    """The supplier's claims for the period's months: what was claimed, paid, still owed."""
    found = db.session.scalars(
        select(Claim)
        .where(Claim.supplier_id == supplier_id, Claim.month.between(period.first.key, period.last.key))
        .order_by(Claim.month)
    )
    lines = []
    for claim in found:
        paid = claim.paid_amount or ZERO
        owed = ZERO if claim.status == ClaimStatus.SETTLED else claim.amount
        lines.append(ClaimLine(claim, paid, owed))
    return lines


def withdrawn_of(claim_ids: list[int]) -> Decimal:
    if not claim_ids:
        return ZERO
    cents = db.session.scalar(
        select(sum_cents(ClaimDispute.amount)).where(
            ClaimDispute.claim_id.in_(claim_ids), ClaimDispute.status == DisputeStatus.WITHDRAWN
        )
    )
    return from_cents(cents)


def example_photos(supplier_id: int, defect_id: int, period: Period, tz) -> list[tuple[str, bytes]]:
    """A few photos of this supplier's pieces with this defect in the period (newest first)."""
    start, end = month_bounds(period, tz)
    rows = db.session.execute(
        select(Piece.id, Photo.thumb_name)
        .join(Photo, Photo.piece_id == Piece.id)
        .where(
            Piece.defect_id == defect_id,
            Piece.product_id.in_(select(Product.id).where(Product.supplier_id == supplier_id)),
            Piece.graded_at >= start,
            Piece.graded_at < end,
        )
        .order_by(Piece.graded_at.desc(), Photo.id)
        .limit(PHOTOS_PER_DEFECT * 3)
    ).all()
    found, seen = [], set()
    folder = photos.folder()
    for piece_id, thumb in rows:
        if piece_id in seen:
            continue
        path = photos.path_of(folder, thumb)
        if not Path(path).is_file():
            continue
        seen.add(piece_id)
        found.append((Piece(id=piece_id).code, Path(path).read_bytes()))
        if len(found) == PHOTOS_PER_DEFECT:
            break
    return found


def scorecard(supplier: Supplier, period: Period, label: str, today: date, tz) -> Scorecard:
    scope = figures.Scope()
    trend = figures.trend(scope, period, supplier.id)
    now, before, year_ago = trend.current_total, trend.previous_total, trend.year_before_total
    defects = figures.by_defect(scope, period, supplier.id)[:TOP_DEFECTS]
    card_defects = []
    for d in defects:
        shots = example_photos(supplier.id, d.key, period, tz)
        card_defects.append(
            ScorecardDefect(
                code=d.code,
                name=d.name,  # paper is in Chinese
                pieces=d.pieces,
                cost=d.cost,
                share=_percent(permille(d.pieces, now.pieces)),
                photos=tuple(data for _, data in shots),
                photo_codes=tuple(code for code, _ in shots),
            )
        )
    claims = claims_of(supplier.id, period)
    months = tuple(
        ScorecardMonth(str(m), c.pieces, c.cost, y.pieces, y.cost)
        for m, c, y in zip(trend.months, trend.current, trend.year_before, strict=True)
    )
    return Scorecard(
        issuer=settings.workshop().name,
        supplier_code=supplier.code,
        supplier_name=supplier.name,
        quarter=label,
        generated_on=today.isoformat(),
        pieces=now.pieces,
        scrapped=now.figures.scrapped,
        repairable=now.figures.repairable,
        no_fault=now.figures.no_fault,
        cost=now.cost,
        supplier_cost=now.supplier_cost,
        repeat_share=_percent(now.repeat_share),
        average_days=str(now.average_days) if now.average_days is not None else "–",
        previous_pieces=before.pieces,
        previous_cost=before.cost,
        year_before_pieces=year_ago.pieces,
        year_before_cost=year_ago.cost,
        defects=tuple(card_defects),
        months=months,
        claims=tuple(
            ScorecardClaim(
                c.claim.number,
                str(Month.from_key(c.claim.month)),
                CLAIM_STATUS_ZH[c.claim.status],
                c.claim.amount,
                c.paid,
                c.outstanding,
            )
            for c in claims
        ),
        claimed=total(c.claim.amount for c in claims),
        paid=total(c.paid for c in claims),
        outstanding=total(c.outstanding for c in claims),
        disputed=withdrawn_of([c.claim.id for c in claims]),
    )


def workbook(card: Scorecard) -> bytes:
    """The scorecard's figures as an Excel workbook: one sheet per part, numbers as numbers."""
    book = Workbook()
    summary = book.active
    summary.title = "Summary 概况"
    for row in (
        ("Supplier 供应商", card.supplier_name),
        ("Code 编码", card.supplier_code),
        ("Quarter 期间", card.quarter),
        ("Defective pieces 问题件", card.pieces),
        ("Scrapped 报废", card.scrapped),
        ("Repairable 可维修", card.repairable),
        ("No fault found 无故障", card.no_fault),
        ("Scrap cost 报废成本", card.cost),
        ("Borne by the supplier 供应商承担", card.supplier_cost),
        ("Repeat repairs 返修率", card.repeat_share),
        ("Average days in the workshop 平均在修天数", card.average_days),
        ("Pieces, quarter before 上一季度件数", card.previous_pieces),
        ("Cost, quarter before 上一季度成本", card.previous_cost),
        ("Pieces, a year before 去年同期件数", card.year_before_pieces),
        ("Cost, a year before 去年同期成本", card.year_before_cost),
        ("Claimed 索赔金额", card.claimed),
        ("Paid 已付", card.paid),
        ("Outstanding 未付", card.outstanding),
        ("Withdrawn after disputes 经申诉撤回", card.disputed),
    ):
        summary.append([exports.neutralise(v) if isinstance(v, str) else v for v in row])
    sheets = (
        (
            "Defects 缺陷",
            ("Code", "Defect 缺陷", "Pieces 件数", "Cost 成本", "Share 占比", "Pieces with photos 照片件"),
            [(d.code, d.name, d.pieces, d.cost, d.share, " ".join(d.photo_codes)) for d in card.defects],
        ),
        (
            "Trend 趋势",
            ("Month 月份", "Pieces 件数", "Cost 成本", "Pieces a year before 去年同月", "Cost a year before 去年成本"),
            [(m.month, m.pieces, m.cost, m.year_before_pieces, m.year_before_cost) for m in card.months],
        ),
        (
            "Claims 索赔",
            ("Claim no. 索赔单号", "Month 月份", "Status 状态", "Amount 金额", "Paid 已付", "Outstanding 未付"),
            [(c.number, c.month, c.status, c.amount, c.paid, c.outstanding) for c in card.claims],
        ),
    )
    for title, head, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(head)
        for row in rows:
            sheet.append([exports.neutralise(v) if isinstance(v, str) else v for v in row])
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def quarter_label(period: Period) -> str:
    return f"{period.first.year}-Q{(period.first.month - 1) // 3 + 1}"
