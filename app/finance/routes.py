"""Finance: the month's allocation, drill-down, closing, corrections, claims, statements, exports."""

import io
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import clock, inputs, navigation
from app.access import role_required
from app.boundary import on_refusal
from app.clock import chain_tz
from app.documents import send_document
from app.extensions import db
from app.finance import chart, export_jobs
from app.finance.forms import (
    AdjustmentForm,
    ClaimSentForm,
    ClaimSettleForm,
    CloseMonthForm,
    PostForm,
    ReopenMonthForm,
)
from app.models import Claim, Store, Supplier
from app.services import exports, finance, reasons, scope
from app.services.settings import rules as current_rules
from labels import statement_pdf
from workshop.codes import CodeKind, parse_code
from workshop.errors import RuleViolation
from workshop.money import Month
from workshop.roles import Role
from workshop.statuses import Blame, ClaimStatus
from workshop.text import N_

bp = Blueprint("finance", __name__, template_folder="templates", url_prefix="/finance")

FINANCE = (Role.FINANCE,)  # admin always may (role_required)
STATEMENT_ROLES = (Role.FINANCE, Role.STORE, Role.REGION)
PER_PAGE = 50
MONTH_EVENT_LABELS = {
    "month_close": N_("month closed"),
    "month_reopen": N_("month reopened"),
    "adjustment": N_("adjustment booked"),
    "claim_open": N_("claim opened"),
    "claim_sent": N_("claim sent"),
    "claim_settled": N_("claim settled"),
}


@bp.record_once
def _menu(state) -> None:
    navigation.add(state.app, "finance.index", N_("Finance"), {Role.FINANCE, Role.ADMIN}, order=60)
    navigation.add(state.app, "finance.claims", N_("Supplier claims"), {Role.FINANCE, Role.ADMIN}, order=61)
    navigation.add(state.app, "finance.statements", N_("Charges statements"), {Role.STORE, Role.REGION}, order=62)


def _month(text: str | None) -> Month:
    if not text:
        return finance.current_month(current_rules())
    try:
        return inputs.parse_month(text)
    except ValueError:
        abort(404)


def _blame(kind: str) -> Blame:
    try:
        return Blame(kind)
    except ValueError:
        abort(404)


def _party_id(blame: Blame) -> int | None:
    if blame == Blame.HQ:
        return None
    party = inputs.arg_int("party")
    if party is None or finance.party_name(blame, party) is None:
        abort(404)
    return party


# --- The month ---------------------------------------------------------------------------


@bp.route("/")
@role_required(*FINANCE)
def index():
    month = _month(request.args.get("month"))
    current = finance.allocation(month)
    previous = finance.allocation(month.previous())
    series = finance.scrap_by_month(month)
    # A chain has ~2,000 stores: show them 50 at a time, biggest first; the footer and the
    # export carry all of them.
    stores = finance.beside(current.stores, previous.stores)
    stores_pages = max(1, -(-len(stores) // PER_PAGE))
    stores_page = min(max(inputs.arg_page("stores_page"), 1), stores_pages)
    return render_template(
        "finance/index.html",
        month=month,
        figures=current,
        previous=previous,
        suppliers=finance.beside(current.suppliers, previous.suppliers),
        stores=stores[(stores_page - 1) * PER_PAGE : stores_page * PER_PAGE],
        store_count=len(stores),
        stores_page=stores_page,
        stores_pages=stores_pages,
        series=series,
        chart=chart.stacked_bars(series),
        blames=chart.ORDER,
        colours=chart.COLOURS,
        events=finance.month_events(month),
        close_form=CloseMonthForm(),
        reopen_form=ReopenMonthForm(),
        post_form=PostForm(),
        this_month=finance.current_month(current_rules()),
        event_labels=MONTH_EVENT_LABELS,
    )


@bp.route("/<month>/<kind>")
@role_required(*FINANCE)
def party(month: str, kind: str):
    month_, blame = _month(month), _blame(kind)
    party_id = _party_id(blame)
    page = db.paginate(
        finance.party_pieces(month_, blame, party_id),
        page=inputs.arg_page(),
        per_page=PER_PAGE,
        error_out=False,
    )
    line = next((ln for ln in finance.allocation(month_).lines if ln.key == (blame.value, party_id)), None)
    return render_template(
        "finance/party.html",
        month=month_,
        blame=blame,
        party_id=party_id,
        name=finance.party_name(blame, party_id),
        page=page,
        line=line or finance.PartyLine(blame, party_id),
        adjustments=finance.party_adjustments(month_, blame, party_id),
        extras=finance.extra_batches(month_, party_id) if blame == Blame.STORE else [],
        closed=finance.is_closed(month_),
    )


def _close_page(month: str, form: CloseMonthForm, status: int = 200):
    month_ = _month(month)
    return render_template("finance/close.html", month=month_, figures=finance.allocation(month_), form=form), status


@bp.route("/<month>/close", methods=["GET", "POST"])
@role_required(*FINANCE)
@on_refusal(lambda error, month: _close_page(month, CloseMonthForm()))
def close(month: str):
    month_ = _month(month)
    form = CloseMonthForm()
    if form.validate_on_submit():
        finance.close_month(current_user, month_, current_rules())
        flash(_("%(month)s is closed. Corrections now go into the open month as adjustments.", month=str(month_)), "ok")
        return redirect(url_for("finance.index", month=str(month_)))
    return _close_page(month, form, 422 if form.is_submitted() else 200)


def _month_page(error, month: str):
    return redirect(url_for("finance.index", month=str(_month(month))), 303)


@bp.route("/<month>/reopen", methods=["POST"])
@role_required(Role.ADMIN)
@on_refusal(_month_page)
def reopen(month: str):
    month_ = _month(month)
    form = ReopenMonthForm()
    if not form.validate_on_submit():
        flash(_("Write why the month is reopened."), "error")
        return redirect(url_for("finance.index", month=str(month_))), 303
    finance.reopen_month(current_user, month_, form.reason.data)
    flash(_("%(month)s is open again; the reason is recorded.", month=str(month_)), "ok")
    return redirect(url_for("finance.index", month=str(month_)))


# --- Corrections -------------------------------------------------------------------------


def _adjustment_page(form: AdjustmentForm, status: int = 200):
    piece_id = inputs.arg_int("piece")
    piece = scope.get_piece(current_user, piece_id) if piece_id is not None else None
    this_month = finance.current_month(current_rules())
    return render_template("finance/adjustment.html", form=form, piece=piece, this_month=this_month), status


@bp.route("/adjustments/new", methods=["GET", "POST"])
@role_required(*FINANCE)
@on_refusal(lambda error: _adjustment_page(AdjustmentForm()))
def adjustment():
    form = AdjustmentForm()
    piece_id = inputs.arg_int("piece")
    if piece_id is not None and request.method == "GET":
        piece = scope.get_piece(current_user, piece_id)
        form.piece.data = piece.code
        if piece.blame is not None:
            form.blame.data = piece.blame.value
            form.party.data = _party_code(piece.blame, piece.blamed_supplier_id, piece.store_id)
    if not form.validate_on_submit():
        return _adjustment_page(form, 422 if form.is_submitted() else 200)
    entry = _adjustment_entry(form)
    this_month = finance.current_month(current_rules())
    finance.book_adjustment(current_user, entry, current_rules())
    flash(_("The adjustment is booked in %(month)s.", month=str(this_month)), "ok")
    if entry.piece is not None:
        return redirect(url_for("pieces.piece", piece_id=entry.piece.id))
    return redirect(url_for("finance.index", month=str(this_month)))


def _party_code(blame: Blame, supplier_id: int | None, store_id: int | None) -> str:
    if blame == Blame.SUPPLIER and supplier_id:
        return db.session.get(Supplier, supplier_id).code
    if blame == Blame.STORE and store_id:
        return db.session.get(Store, store_id).code
    return ""


def _adjustment_entry(form: AdjustmentForm) -> finance.AdjustmentEntry:
    blame = Blame(form.blame.data)
    piece = None
    if form.piece.data and form.piece.data.strip():
        code = parse_code(form.piece.data, expect=CodeKind.PIECE)
        piece = scope.find_piece(current_user, code.number)
        if piece is None:
            raise RuleViolation(N_("Piece %(code)s is unknown."), code=str(code))
    supplier_id = store_id = None
    party = (form.party.data or "").strip()
    if party:
        model = Supplier if blame == Blame.SUPPLIER else Store if blame == Blame.STORE else None
        if model is not None:
            found = db.session.scalar(db.select(model.id).where(model.code == party))
            if found is None:
                raise RuleViolation(N_("No supplier or store has the code %(code)s."), code=party)
            supplier_id, store_id = (found, None) if model is Supplier else (None, found)
    return finance.AdjustmentEntry(
        blame, Decimal(form.amount.data), form.reason.data, piece=piece, supplier_id=supplier_id, store_id=store_id
    )


# --- Supplier claims ---------------------------------------------------------------------


@bp.route("/claims")
@role_required(*FINANCE)
def claims():
    status = request.args.get("status")
    supplier = inputs.arg_int("supplier")
    try:
        status_ = ClaimStatus(status) if status else None
    except ValueError:
        abort(404)
    page = db.paginate(
        finance.claims_query(supplier_id=supplier, status=status_),
        page=inputs.arg_page(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "finance/claims.html",
        outstanding=finance.outstanding_by_supplier(),
        page=page,
        status=status_,
        statuses=list(ClaimStatus),
        sent_form=ClaimSentForm(),
        Month=Month,
        settle_form=ClaimSettleForm(),
        today=clock.today(),
    )


@bp.route("/<month>/claims/open", methods=["POST"])
@role_required(*FINANCE)
@on_refusal(_month_page)
def open_claims(month: str):
    month_ = _month(month)
    if not PostForm().validate_on_submit():
        abort(400)
    opened = finance.open_claims(current_user, month_)
    flash(_("%(n)d claims opened for %(month)s.", n=len(opened), month=str(month_)), "ok")
    return redirect(url_for("finance.claims"))


def _claims_page(error, claim_id: int):
    return redirect(url_for("finance.claims"), 303)


def _claim(claim_id: int) -> Claim:
    return db.get_or_404(Claim, claim_id)


@bp.route("/claims/<int:claim_id>/sent", methods=["POST"])
@role_required(*FINANCE)
@on_refusal(_claims_page)
def claim_sent(claim_id: int):
    claim, form = _claim(claim_id), ClaimSentForm()
    if not form.validate_on_submit():
        flash(_("Give the date the claim was sent."), "error")
        return redirect(url_for("finance.claims")), 303
    finance.mark_claim_sent(current_user, claim, form.sent_on.data)
    flash(_("The claim is marked sent."), "ok")
    return redirect(url_for("finance.claims"))


@bp.route("/claims/<int:claim_id>/settle", methods=["POST"])
@role_required(*FINANCE)
@on_refusal(_claims_page)
def claim_settle(claim_id: int):
    claim, form = _claim(claim_id), ClaimSettleForm()
    if not form.validate_on_submit():
        flash(_("Give the date and the amount the supplier paid (two decimals at most)."), "error")
        return redirect(url_for("finance.claims")), 303
    finance.settle_claim(current_user, claim, form.settled_on.data, form.paid.data, form.note.data or "")
    flash(_("The claim is settled."), "ok")
    return redirect(url_for("finance.claims"))


@bp.route("/<month>/supplier/<int:supplier_id>/claim.pdf")
@role_required(*FINANCE)
def claim_pdf(month: str, supplier_id: int):
    supplier = db.get_or_404(Supplier, supplier_id)
    data = finance.claim_statement(supplier, _month(month), current_user.display_name, clock.today())
    return _pdf(data)


# --- Store statements (store users and region managers: their own, read-only) -------------


@bp.route("/statements")
@role_required(Role.STORE, Role.REGION)
def statements():
    this_month = finance.current_month(current_rules())
    stores = {s.id: s for s in db.session.scalars(scope.stores(current_user))}
    rows = []
    if stores:
        rows = finance.store_months(
            db.select(Store.id).where(scope.store_condition(current_user, Store.id)), this_month
        )
    return render_template("finance/statements.html", rows=rows, stores=stores, this_month=this_month)


@bp.route("/<month>/store/<int:store_id>/statement.pdf")
@role_required(*STATEMENT_ROLES)
def store_pdf(month: str, store_id: int):
    if not scope.can_see_store(current_user, store_id):
        abort(404)  # never a hint that another store exists
    store = db.get_or_404(Store, store_id)
    data = finance.store_statement(store, _month(month), current_user.display_name, clock.today())
    return _pdf(data)


def _pdf(data: finance.StatementData):
    return send_document(statement_pdf(data.statement), data.filename, _("The statement"), inline=True)


# --- Exports -----------------------------------------------------------------------------


@bp.route("/export/<name>.<any(csv,xlsx):fmt>")
@role_required(*FINANCE)
def export(name: str, fmt: str):
    if name not in EXPORTS:
        abort(404)
    if name == "pieces" and export_jobs.too_big(_pieces_query()):
        # Thousands of pieces: the file is made in the background, with a progress bar.
        job_id = export_jobs.start(db.session, current_user, name, fmt, request.args.to_dict())
        return redirect(url_for("work.show", job_id=job_id), 303)
    table = export_table(name)
    body, mimetype = exports.encoded(table, fmt)
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=f"{table.name}.{fmt}")


def export_table(name: str) -> exports.Table:
    """The table of one export, read from the request's query (a background job gives its own)."""
    return EXPORTS[name]()


def _blame_name(line: finance.PartyLine) -> str:
    return _("head office") if line.blame == Blame.HQ else line.name


def _allocation_table() -> exports.Table:
    month = _month(request.args.get("month"))
    figures, previous = finance.allocation(month), finance.allocation(month.previous())
    before = {line.key: line.total for line in previous.lines}
    C = exports.Column
    columns = (
        C(_("Party")),
        C(_("Code")),
        C(_("Name")),
        C(_("Pieces"), "int"),
        C(_("Scrap cost"), "money"),
        C(_("Extra shipments"), "int"),
        C(_("Extra-shipment charges"), "money"),
        C(_("Adjustments"), "money"),
        C(_("Total"), "money"),
        C(_("Previous month"), "money"),
    )
    rows = [
        (
            _(line.blame.label),
            line.code,
            _blame_name(line),
            line.pieces,
            line.scrap,
            line.extra_batches,
            line.extra_fees,
            line.adjustments,
            line.total,
            before.get(line.key, Decimal("0.00")),
        )
        for line in figures.lines
    ]
    rows.append(
        (
            _("Total"),
            "",
            "",
            figures.pieces,
            figures.sum_of(figures.lines, "scrap"),
            sum(ln.extra_batches for ln in figures.lines),
            figures.sum_of(figures.lines, "extra_fees"),
            figures.sum_of(figures.lines, "adjustments"),
            figures.total,
            previous.total,
        )
    )
    return exports.Table(f"allocation-{month}", columns, rows)


def _pieces_query():
    month = _month(request.args.get("month"))
    blame = _blame(request.args.get("kind", ""))
    return month, blame, _party_id(blame)


def _pieces_table() -> exports.Table:
    month, blame, party_id = _pieces_query()
    tz = chain_tz()
    C = exports.Column
    columns = (
        C(_("Piece")),
        C(_("Store")),
        C(_("Product")),
        C(_("Defect")),
        C(_("Unit cost"), "money"),
        C(_("Blame")),
        C(_("Overridden")),
        C(_("Decided by")),
        C(_("Decided at"), "datetime"),
        C(_("Reason")),
    )
    rows = [
        (
            p.code,
            p.store.name,
            f"{p.product.style_code} {p.product.name}",
            f"{p.defect.code} {p.defect.name_zh}",
            p.scrap_cost,
            _(p.blame.label),
            _("yes") if p.blame_overridden else _("no"),
            p.graded_by.display_name if p.graded_by else "",
            p.graded_at.astimezone(tz) if p.graded_at else None,
            reasons.blame_reason(p),
        )
        for p in db.session.scalars(finance.party_pieces(month, blame, party_id)).unique()
    ]
    return exports.Table(f"pieces-{month}-{blame.value}{'-' + str(party_id) if party_id else ''}", columns, rows)


def _claims_table() -> exports.Table:
    C = exports.Column
    columns = (
        C(_("Supplier code")),
        C(_("Supplier")),
        C(_("Month")),
        C(_("Status")),
        C(_("Amount"), "money"),
        C(_("Sent on"), "date"),
        C(_("Settled on"), "date"),
        C(_("Paid"), "money"),
        C(_("Note")),
    )
    rows = [
        (
            c.supplier.code,
            c.supplier.name,
            str(Month.from_key(c.month)),
            _(c.status.label),
            c.amount,
            c.sent_on,
            c.settled_on,
            c.paid_amount,
            c.note,
        )
        for c in db.session.scalars(finance.claims_query())
    ]
    return exports.Table("claims", columns, rows)


def _outstanding_table() -> exports.Table:
    C = exports.Column
    columns = (
        C(_("Supplier code")),
        C(_("Supplier")),
        C(_("Open claims"), "int"),
        C(_("Open amount"), "money"),
        C(_("Sent claims"), "int"),
        C(_("Sent amount"), "money"),
        C(_("Outstanding"), "money"),
        C(_("Short-paid on settled claims"), "money"),
        C(_("Oldest month outstanding")),
    )
    rows = [
        (
            o.code,
            o.name,
            o.open_count,
            o.open_amount,
            o.sent_count,
            o.sent_amount,
            o.outstanding,
            o.settled_short,
            str(o.oldest_month) if o.oldest_month else "",
        )
        for o in finance.outstanding_by_supplier()
    ]
    return exports.Table("outstanding", columns, rows)


def _months_table() -> exports.Table:
    month = _month(request.args.get("month"))
    C = exports.Column
    columns = (C(_("Month")), *(C(_(b.label), "money") for b in chart.ORDER), C(_("Total"), "money"))
    rows = [
        (str(m), *(values[b] for b in chart.ORDER), sum(values.values(), Decimal("0.00")))
        for m, values in finance.scrap_by_month(month)
    ]
    return exports.Table(f"scrap-by-month-{month}", columns, rows)


EXPORTS = {
    "allocation": _allocation_table,
    "pieces": _pieces_table,
    "claims": _claims_table,
    "outstanding": _outstanding_table,
    "months": _months_table,
}
