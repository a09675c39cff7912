"""Supplier quality: which supplier, product and defect cost the most, whether it is getting
better, the pieces behind every figure, the supplier's scorecard, and disputes on claims."""

import io
import re
from datetime import UTC, datetime
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app import clock, inputs, navigation
from app.access import role_required
from app.boundary import on_refusal
from app.documents import send_document
from app.extensions import db
from app.models import Claim, Region, Supplier
from app.quality import charts
from app.quality.forms import DisputeForm, ResolveForm
from app.services import scope
from app.services.quality import disputes, figures
from app.services.quality import pieces as quality_pieces
from app.services.quality import scorecard as quality_scorecard
from app.services.settings import rules as current_rules
from labels import scorecard_pdf
from workshop.codes import CodeKind, parse_code
from workshop.errors import RuleViolation
from workshop.money import Month
from workshop.quality import Period, pareto
from workshop.roles import Role
from workshop.statuses import DisputeStatus, Grade
from workshop.text import N_

bp = Blueprint("quality", __name__, template_folder="templates", url_prefix="/quality")

READERS = (Role.FINANCE, Role.TECHNICIAN, Role.REGION)  # admin always may
SCORECARD_ROLES = (Role.FINANCE, Role.TECHNICIAN, Role.ADMIN)  # the scorecard is the whole chain's
LONGEST = 36  # months one page may cover
QUARTER_TEXT = re.compile(r"^(\d{4})-Q([1-4])$")


@bp.record_once
def _menu(state) -> None:
    navigation.add(
        state.app,
        "quality.index",
        N_("Supplier quality"),
        {Role.FINANCE, Role.TECHNICIAN, Role.REGION, Role.ADMIN},
        order=63,
    )


def _period() -> Period:
    """The months asked for (from, to), else the twelve months up to this one."""
    this_month = Month.at(clock.now(), current_rules().tz)
    last = _arg_month("to") or this_month
    first = _arg_month("from")
    if first is None:
        first = last
        for _ in range(11):
            first = first.previous()
    if last < first:
        first, last = last, first
    period = Period(first, last)
    if period.length > LONGEST:
        first = last
        for _ in range(LONGEST - 1):
            first = first.previous()
        period = Period(first, last)
    return period


def _arg_month(name: str) -> Month | None:
    text = request.args.get(name)
    if not text:
        return None
    try:
        return inputs.parse_month(text)
    except ValueError:
        return None


def _supplier() -> Supplier | None:
    supplier_id = inputs.arg_int("supplier")
    if supplier_id is None:
        return None
    return db.get_or_404(Supplier, supplier_id)


def _args(period: Period, scope: figures.Scope, supplier: Supplier | None) -> dict:
    """The query arguments every link of the page carries."""
    args = {"from": str(period.first), "to": str(period.last)}
    if not scope.chain:
        args["region"] = scope.region_id
    if supplier is not None:
        args["supplier"] = supplier.id
    return args


def _chosen() -> tuple[Period, figures.Scope, Supplier | None]:
    """The period, the chain or region this user may see, and the supplier asked for."""
    return _period(), figures.scope_for(current_user, inputs.arg_int("region")), _supplier()


@bp.route("/")
@role_required(*READERS)
def index():
    period, scope, supplier = _chosen()
    supplier_id = supplier.id if supplier else None
    trend = figures.trend(scope, period, supplier_id)
    defects = figures.by_defect(scope, period, supplier_id, english=str(get_locale() or "").startswith("en"))
    by_count = pareto((d.key, d.pieces) for d in defects)
    by_cost = pareto((d.key, d.figures.scrap_cents) for d in defects)
    named = {d.key: d for d in defects}
    suppliers = figures.by_supplier(scope, period) if supplier is None else []
    grid = figures.grid(scope, period, suppliers[:12], defects[:8]) if supplier is None else None
    months = [str(m) for m in trend.months]
    products = figures.by_product(scope, period, supplier_id, limit=20)
    return render_template(
        "quality/index.html",
        period=period,
        scope=scope,
        supplier=supplier,
        args=_args(period, scope, supplier),
        # one URL built, the rest of each drill-down link is its own filters (hundreds a page)
        pieces_url=url_for("quality.pieces", **_args(period, scope, supplier)),
        trend=trend,
        trend_chart=charts.paired_bars(
            [m[5:] for m in months], [ln.pieces for ln in trend.current], [ln.pieces for ln in trend.year_before]
        ),
        by_count=[(line, named[line.key]) for line in by_count],
        by_cost=[(line, named[line.key]) for line in by_cost],
        count_chart=charts.pareto(
            [(named[ln.key].code, ln.value) for ln in by_count[:15]], [ln.cumulative_permille for ln in by_count[:15]]
        ),
        cost_chart=charts.pareto(
            [(named[ln.key].code, ln.value // 100) for ln in by_cost[:15]],
            [ln.cumulative_permille for ln in by_cost[:15]],
        ),
        suppliers=suppliers[:50],
        supplier_count=len(suppliers),
        grid=grid,
        products=products.top,
        categories=products.categories,
        regions=figures.by_region(period, supplier_id) if scope.chain else [],
        stores=figures.by_store(scope, period, limit=20) if supplier is None else [],
        region_choices=_regions() if current_user.role != Role.REGION else [],
        supplier_choices=db.session.execute(select_suppliers()).all(),
        this_month=Month.at(clock.now(), current_rules().tz),
        quarters=_quarters(period),
        can_scorecard=current_user.role in SCORECARD_ROLES,
    )


def select_suppliers():
    return db.select(Supplier.id, Supplier.code, Supplier.name).order_by(Supplier.code)


def _regions():
    return db.session.execute(db.select(Region.id, Region.name).order_by(Region.code)).all()


def _quarters(period: Period) -> list[str]:
    """The quarters the period touches, newest first (a scorecard is per quarter)."""
    found: list[str] = []
    for month in reversed(period.months):
        text = f"{month.year}-Q{(month.month - 1) // 3 + 1}"
        if text not in found:
            found.append(text)
    return found[:8]


# --- The pieces behind a figure -------------------------------------------------------------


def _grade() -> Grade | None:
    try:
        return Grade(request.args.get("grade", ""))
    except ValueError:
        return None


def _cursor() -> tuple[datetime, int] | None:
    at = inputs.arg_int("before_at", maximum=10**17)
    piece_id = inputs.arg_int("before")
    if at is None or piece_id is None:
        return None
    try:
        return datetime.fromtimestamp(at / 1_000_000, UTC), piece_id
    except (OverflowError, OSError, ValueError):
        return None


@bp.route("/pieces")
@role_required(*READERS)
def pieces():
    period, scope, supplier = _chosen()
    category = (request.args.get("category") or "").strip()[:40] or None
    found = quality_pieces.Filter(
        period=period,
        supplier_id=supplier.id if supplier else None,
        product_id=inputs.arg_int("product"),
        defect_id=inputs.arg_int("defect"),
        store_id=inputs.arg_int("store"),
        region_id=None if scope.chain else scope.region_id,
        category=category,
        grade=_grade(),
        repeat=request.args.get("repeat") == "1",
    )
    rows, cursor = quality_pieces.page(current_user, found, current_rules().tz, after=_cursor())
    args = {k: v for k, v in request.args.items() if k not in ("before", "before_at")}
    next_args = None
    if cursor is not None:
        at, piece_id = cursor
        next_args = args | {"before_at": int(at.timestamp() * 1_000_000), "before": piece_id}
    return render_template(
        "quality/pieces.html",
        period=period,
        scope=scope,
        supplier=supplier,
        found=found,
        rows=rows,
        next_args=next_args,
        first_args=args if _cursor() is not None else None,
        back_args=_args(period, scope, supplier),
    )


def parse_quarter(text: str | None) -> Period:
    match = QUARTER_TEXT.match((text or "").strip())
    if not match:
        abort(404)
    year, number = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2999:
        abort(404)
    return Period(Month(year, 3 * number - 2), Month(year, 3 * number))


@bp.route("/suppliers/<int:supplier_id>/scorecard.<any(pdf,xlsx):fmt>")
@role_required(*SCORECARD_ROLES)
def scorecard(supplier_id: int, fmt: str):
    """A supplier's whole-chain scorecard for a quarter: for finance and the workshop, who send it."""
    supplier = db.get_or_404(Supplier, supplier_id)
    period = parse_quarter(request.args.get("quarter"))
    label = quality_scorecard.quarter_label(period)
    card = quality_scorecard.scorecard(supplier, period, label, clock.today(), current_rules().tz)
    name = f"scorecard-{supplier.code}-{label}"
    if fmt == "pdf":
        return send_document(scorecard_pdf(card), f"{name}.pdf", _("The scorecard"), inline=True)
    return send_file(
        io.BytesIO(quality_scorecard.workbook(card)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{name}.xlsx",
    )


@bp.app_template_filter("percent")
def _percent(permille_value: int) -> str:
    return f"{permille_value / 10:.1f}%"


@bp.context_processor
def _helpers():
    from workshop.quality import change_permille

    def change(now: int, before: int) -> str:
        found = change_permille(now, before)
        if found is None:
            return "–"
        return ("+" if found > 0 else "") + f"{found / 10:.1f}%"

    def heat(value: int, top: int) -> int:
        return 0 if not value or not top else min(4, 1 + 4 * value // (top + 1))

    return {"change": change, "heat": heat}


# --- Disputes on a supplier's claim (finance) -------------------------------------------------


def _claim_page(claim_id: int, dispute_form=None, resolve_form=None, status: int = 200):
    claim = db.get_or_404(Claim, claim_id)
    page = db.paginate(disputes.claim_pieces(claim), page=inputs.arg_page(), per_page=50, error_out=False)
    found = disputes.disputes_of(claim)
    return (
        render_template(
            "quality/claim.html",
            claim=claim,
            month=Month.from_key(claim.month),
            page=page,
            disputes=found,
            disputed={d.piece_id: d for d in found},
            original=claim.amount + sum((d.amount for d in found if d.status == DisputeStatus.WITHDRAWN), Decimal(0)),
            dispute_form=dispute_form or DisputeForm(),
            resolve_form=resolve_form or ResolveForm(),
            open_ids={d.id for d in found if d.status == DisputeStatus.DISPUTED},
        ),
        status,
    )


@bp.route("/claims/<int:claim_id>")
@role_required(Role.FINANCE)
def claim(claim_id: int):
    return _claim_page(claim_id)


@bp.route("/claims/<int:claim_id>/disputes", methods=["POST"])
@role_required(Role.FINANCE)
@on_refusal(lambda error, claim_id: _claim_page(claim_id, dispute_form=DisputeForm()))
def dispute(claim_id: int):
    claim = db.get_or_404(Claim, claim_id, with_for_update=True)
    form = DisputeForm()
    if not form.validate_on_submit():
        return _claim_page(claim_id, dispute_form=form, status=422)
    code = parse_code(form.piece.data, expect=CodeKind.PIECE)
    piece = scope.find_piece(current_user, code.number)
    if piece is None:
        raise RuleViolation(N_("Piece %(code)s is unknown."), code=str(code))
    disputes.dispute_piece(current_user, claim, piece, form.note.data)
    flash(_("The dispute on %(code)s is recorded.", code=piece.code), "ok")
    return redirect(url_for("quality.claim", claim_id=claim_id))


@bp.route("/claims/<int:claim_id>/disputes/<int:dispute_id>/resolve", methods=["POST"])
@role_required(Role.FINANCE)
@on_refusal(lambda error, claim_id, dispute_id: _claim_page(claim_id, resolve_form=ResolveForm()))
def resolve(claim_id: int, dispute_id: int):
    claim = db.get_or_404(Claim, claim_id, with_for_update=True)
    found = disputes.get_dispute(claim, dispute_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        return _claim_page(claim_id, resolve_form=form, status=422)
    outcome = DisputeStatus(form.outcome.data)
    disputes.resolve_dispute(current_user, found, outcome, form.resolution.data, current_rules())
    flash(_("The dispute on %(code)s is resolved.", code=found.piece.code), "ok")
    return redirect(url_for("quality.claim", claim_id=claim_id))
