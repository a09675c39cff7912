"""The workshop bench: the scan station, the grading card, repairs, return parcels, deadlines.

The scan station keeps its state (mode, current batch) in the page and sends it with each
scan, so the server stays stateless and any worker can answer any scan. Views call one
service each; app.boundary commits or turns a refusal into the person's message.
"""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

import labels
from app import clock, idempotency, inputs, navigation
from app.access import role_required
from app.bench.forms import (
    BlameChangeForm,
    ButtonForm,
    DispatchReturnForm,
    GradeForm,
    RepairForm,
    ScrapForm,
    UnexpectedForm,
)
from app.boundary import CONFLICT, discard, on_refusal
from app.documents import send_document
from app.extensions import db
from app.i18n import translate
from app.models import Batch, DefectCode, Piece, RepairOperation, SparePart
from app.pieces.forms import CorrectionForm
from app.pieces.routes import repeat_repairs_page
from app.services import (
    batches,
    catalogue,
    corrections,
    deadlines,
    grading,
    paper,
    piece_lists,
    returns,
    scan_station,
    scanning,
    scope,
    timeline,
)
from app.services.settings import rules as current_rules
from workshop.clock import RUNNING_STATES, ClockState, clock_state, days_left
from workshop.money import Month
from workshop.roles import Role
from workshop.statuses import (
    CLOCK_RUNNING,
    ON_THE_BENCH,
    READY_TO_GO_BACK,
    SCRAPPING_GRADES,
    Blame,
    Grade,
    PieceStatus,
)
from workshop.text import N_

bp = Blueprint("bench", __name__, template_folder="templates", url_prefix="/bench")

BENCH_ROLES = (Role.TECHNICIAN,)
MODES = scan_station.MODES


@bp.record_once
def _menu(state) -> None:
    roles = {Role.TECHNICIAN, Role.ADMIN}
    navigation.add(state.app, "bench.scan", N_("Scan station"), roles, order=20)
    navigation.add(state.app, "bench.incoming", N_("Parcels on the way"), roles, order=21)
    navigation.add(state.app, "bench.returns_index", N_("Return parcels"), roles, order=22)
    navigation.add(state.app, "bench.deadlines", N_("Deadlines"), roles | {Role.REGION}, order=23)
    navigation.add(state.app, "bench.repeat_repairs", N_("Repeat repairs"), roles, order=24)


@bp.route("/")
@role_required(*BENCH_ROLES)
def index():
    return redirect(url_for("bench.scan"))


# --- The scan station ----------------------------------------------------------------


@bp.route("/scan")
@role_required(*BENCH_ROLES)
def scan():
    mode = request.args.get("mode", "receive")
    if mode not in MODES:
        mode = "receive"
    batch = scan_station.current_batch(current_user, inputs.arg_int("batch"))
    return render_template(
        "bench/scan.html",
        mode=mode,
        batch=batch_json(batch) if batch else None,
        expected=expected_rows(batch) if batch else [],
        counts=scanning.check_counts(batch).as_dict() if batch else None,
        unexpected_form=UnexpectedForm(),
        defects=db.session.scalars(
            select(DefectCode).where(DefectCode.active.is_(True)).order_by(DefectCode.code)
        ).all(),
    )


def station_conflict(error):
    """Two people changed the same thing at the same instant: the station says so, nothing kept."""
    payload = request.get_json(silent=True) or {}
    mode = payload.get("mode") if payload.get("mode") in MODES else "receive"
    result = scanning.ScanResult(scanning.REFUSED, CONFLICT, code="conflict")
    return jsonify(_answer(result, mode)), 409


@bp.route("/scan.json", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(station_conflict)
def scan_json():
    """One scan of the station. The page's script sends each with an Idempotency-Key and
    sends it again if the answer never came: a scan that reached us is applied once."""
    payload = inputs.json_object()
    text = str(payload.get("text") or "")[:200]
    mode = payload.get("mode") if payload.get("mode") in MODES else "receive"
    batch_id = inputs.json_int(payload, "batch_id")

    def work():
        if payload.get("action") == "close" or scan_station.is_close_command(text):
            station = scan_station.close(current_user, batch_id)
        else:
            station = scan_station.scan(current_user, text, mode, batch_id)
        if station.result.outcome != scanning.OK:
            discard()
        answer = _station_answer(station)
        if station.list_batch is not None:
            answer["expected"] = expected_rows(db.session.get(Batch, station.list_batch))
        return jsonify(answer)

    return idempotency.run_for_page(work)


def _station_answer(station: scan_station.StationAnswer) -> dict:
    answer = _answer(station.result, station.mode)
    if station.register_unexpected is not None:
        answer["register_unexpected"] = station.register_unexpected
    if station.open_card:
        answer["go_to"] = url_for("bench.card", piece_id=station.result.piece_id)
    if station.show_piece:
        answer["open_url"] = url_for("pieces.piece", piece_id=station.result.piece_id)
    if station.return_batch is not None:
        answer["return_batch"] = station.return_batch
    return answer


def _answer(result: scanning.ScanResult, mode: str) -> dict:
    """A scan's answer for the page: the sentence already in the user's language."""
    answer = {
        "outcome": result.outcome,
        "code": result.code,
        "message": translate(result.message, result.params),
        "mode": mode,
        "counts": result.counts,
        "batch": None,
        "piece": None,
    }
    if result.batch_id is not None:
        answer["batch"] = batch_json(db.session.get(Batch, result.batch_id))
    if result.piece_id is not None:
        piece = db.session.get(Piece, result.piece_id)
        answer["piece"] = {
            "id": piece.id,
            "code": piece.code,
            "status": piece.status.value,
            "status_label": _(piece.status.label),
        }
    return answer


def batch_json(batch: Batch) -> dict:
    return {
        "id": batch.id,
        "code": batch.code,
        "store": batch.store.name,
        "status": batch.status.value,
        "status_label": _(batch.status.label),
    }


def expected_rows(batch: Batch) -> list[dict]:
    pieces = db.session.scalars(
        select(Piece).where(Piece.batch_id == batch.id).options(joinedload(Piece.product)).order_by(Piece.id)
    ).all()
    return [
        {
            "id": p.id,
            "code": p.code,
            "product": f"{p.product.style_code} {p.product.name}",
            "store": batch.store.name,
            "status": p.status.value,
            "status_label": _(p.status.label),
            "unexpected": p.unexpected,
        }
        for p in pieces
    ]


def unexpected_refused(error):
    form = UnexpectedForm()
    batch = scan_station.current_batch(current_user, form.batch_id.data)
    message, params, code = (error.message, error.params, error.code) if error else (CONFLICT, {}, "conflict")
    result = scanning.ScanResult(scanning.REFUSED, message, params, code=code)
    if batch is not None:
        result = scanning.with_counts(batch, result)
    return jsonify(_answer(result, "receive")), 409


@bp.route("/unexpected.json", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(unexpected_refused)
def unexpected_json():
    inputs.form_only()
    form = UnexpectedForm()
    form.defect.choices = [
        SelectChoice(d.id, d.code) for d in db.session.scalars(select(DefectCode).where(DefectCode.active.is_(True)))
    ]
    if not form.validate_on_submit():
        message = next(
            iter(e for errors in form.errors.values() for e in errors), _("Fill in the product and the defect.")
        )
        return jsonify({"outcome": scanning.REFUSED, "code": "invalid", "message": str(message), "counts": None}), 422
    batch = scan_station.current_batch(current_user, form.batch_id.data)
    if batch is None:
        abort(404)
    product = catalogue.product_by_style_code(form.product.data)
    if product is None:
        message = _(
            "There is no product with style code %(style)s: check the garment's tag.", style=form.product.data.strip()
        )
        return jsonify(
            {"outcome": scanning.REFUSED, "code": "unknown_product", "message": message, "counts": None}
        ), 422
    defect = db.session.get(DefectCode, form.defect.data)
    piece = scanning.register_unexpected(current_user, batch, form.code.data, product=product, defect=defect)
    result = scanning.with_counts(
        batch,
        scanning.ScanResult(
            scanning.OK,
            N_("Piece %(code)s registered as unexpected and received."),
            {"code": piece.code},
            code="unexpected_received",
            piece_id=piece.id,
        ),
    )
    answer = _answer(result, "receive")
    answer["expected"] = expected_rows(batch)
    return jsonify(answer)


# --- The grading card ----------------------------------------------------------------


@bp.route("/pieces/<int:piece_id>")
@role_required(*BENCH_ROLES)
def card(piece_id: int):
    return _render_card(piece_id)


def _render_card(piece_id: int, status: int = 200, grade_form=None, repair_form=None, scrap_form=None, blame_form=None):
    piece = scope.get_piece(current_user, piece_id)
    rules = current_rules()
    suggestion = grading.suggestion_for(piece, rules)
    flagged = grading.flagged_for_exchange(piece)
    if grade_form is None:
        # Rule 6: a piece repaired twice for this defect is offered the exchange first.
        grade_form = GradeForm(
            blame=suggestion.blame.value, grade=Grade.EXCHANGE.value if flagged else None, formdata=None
        )
    if scrap_form is None:
        scrap_form = ScrapForm(blame=suggestion.blame.value, formdata=None)
    if repair_form is None:
        repair_form = RepairForm(formdata=None)
    if blame_form is None:
        blame_form = BlameChangeForm(blame=piece.blame.value if piece.blame else None, formdata=None)
    _repair_choices(repair_form)
    return render_template(
        "bench/card.html",
        piece=piece,
        clock=deadlines.reading(piece, rules, clock.today()),
        events=timeline.piece_events(piece.id),
        flagged=flagged,
        suggestion=suggestion,
        suggestion_text=suggestion.text(translate),
        grade_form=grade_form,
        repair_form=repair_form,
        scrap_form=scrap_form,
        blame_form=blame_form,
        operation_names=timeline.operation_names(str(get_locale() or "zh_Hans")),
        scrap_month=str(Month.from_key(piece.scrap_month)) if piece.scrap_month else "",
        correction_form=CorrectionForm(formdata=None),
    ), status


def _repair_choices(form: RepairForm) -> None:
    locale = str(get_locale() or "zh_Hans")
    operations = db.session.scalars(
        select(RepairOperation).where(RepairOperation.active.is_(True)).order_by(RepairOperation.id)
    )
    # Both names and the code, so that typing any of them finds the operation (static/js/scan.js).
    form.operations.choices = [SelectChoice(o.code, operation_label(o, locale)) for o in operations]
    parts = db.session.scalars(select(SparePart).where(SparePart.active.is_(True)).order_by(SparePart.code)).all()
    for row in form.parts:
        row.part.choices = [SelectChoice(0, "—")] + [SelectChoice(p.id, part_label(p, locale)) for p in parts]


def operation_label(operation: RepairOperation, locale: str) -> str:
    other = operation.name_zh if locale.startswith("en") else operation.name_en
    return f"{operation.name(locale)} · {other} · {operation.code}"


def part_label(part: SparePart, locale: str) -> str:
    other = part.name_zh if locale.startswith("en") else part.name_en
    label = f"{part.name(locale)} · {other} · {part.code}"
    return f"{label} ({part.unit})" if part.unit else label


def _blame_choice(form) -> grading.BlameChoice | None:
    if not form.blame.data:
        return None
    return grading.BlameChoice(Blame(form.blame.data), form.reason.data or "")


def _card_again(form_name: str, form_class):
    """A refused change on the card: the card again, with what was typed."""

    def again(error, piece_id: int):
        form = form_class()
        if form_class is RepairForm:
            _repair_choices(form)
        return _render_card(piece_id, **{form_name: form})

    return again


@bp.route("/pieces/<int:piece_id>/grade", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(_card_again("grade_form", GradeForm))
def grade(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = GradeForm()
    if not form.validate_on_submit():
        return _render_card(piece_id, 422, grade_form=form)
    chosen = Grade(form.grade.data)
    grading.grade_piece(
        current_user,
        piece,
        chosen,
        current_rules(),
        blame=_blame_choice(form) if chosen in SCRAPPING_GRADES else None,
        note=form.note.data or "",
        translate=translate,
    )
    flash(_("Piece %(code)s graded: %(grade)s.", code=piece.code, grade=_(chosen.label)), "ok")
    return redirect(url_for("bench.scan", mode="grade"))


@bp.route("/pieces/<int:piece_id>/repair", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(_card_again("repair_form", RepairForm))
def repair(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = RepairForm()
    _repair_choices(form)
    if not form.validate_on_submit():
        return _render_card(piece_id, 422, repair_form=form)
    parts = tuple((row.part.data, row.quantity.data or 1) for row in form.parts if row.part.data)
    record = grading.RepairRecord(
        tuple(form.operations.data or ()),
        form.minutes.data,
        form.note.data or "",
        parts,
        bool(form.keep_old_parts.data),
    )
    grading.record_repair(current_user, piece, record)
    flash(_("Piece %(code)s repaired: it is ready to go back to its store.", code=piece.code), "ok")
    return redirect(url_for("bench.scan", mode="grade"))


@bp.route("/pieces/<int:piece_id>/scrap", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(_card_again("scrap_form", ScrapForm))
def scrap(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = ScrapForm()
    if not form.validate_on_submit():
        return _render_card(piece_id, 422, scrap_form=form)
    grading.scrap_after_all(current_user, piece, current_rules(), _blame_choice(form), translate=translate)
    flash(_("Piece %(code)s scrapped.", code=piece.code), "ok")
    return redirect(url_for("bench.scan", mode="grade"))


@bp.route("/pieces/<int:piece_id>/blame", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(_card_again("blame_form", BlameChangeForm))
def change_blame(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = BlameChangeForm()
    if not form.validate_on_submit():
        return _render_card(piece_id, 422, blame_form=form)
    grading.change_blame(current_user, piece, Blame(form.blame.data), form.reason.data)
    flash(_("Piece %(code)s: %(party)s now pays.", code=piece.code, party=_(Blame(form.blame.data).label)), "ok")
    return redirect(url_for("bench.card", piece_id=piece.id))


# --- Return parcels ------------------------------------------------------------------


@bp.route("/returns")
@role_required(*BENCH_ROLES)
def returns_index():
    page = returns.board(current_user, inputs.arg_page())
    return render_template(
        "bench/returns.html",
        page=page,
        rows=page.items,
        sent=returns.dispatched_recently(current_user, clock.now(), after=inputs.arg_int("after")),
    )


# --- Parcels on their way to the workshop --------------------------------------------


@bp.route("/incoming")
@role_required(*BENCH_ROLES)
def incoming():
    """Outbound parcels dispatched by the stores and not yet scanned in, the longest on the road first."""
    listing = batches.on_the_way_in(current_user, after=inputs.arg_int("after"))
    today = clock.today()
    on_the_road = {b.id: (today - clock.local_date(b.dispatched_at)).days for b in listing.batches if b.dispatched_at}
    return render_template("bench/incoming.html", listing=listing, on_the_road=on_the_road)


@bp.route("/returns/<int:batch_id>")
@role_required(*BENCH_ROLES)
def return_batch(batch_id: int):
    return _render_return(batch_id)


def _render_return(batch_id: int, status: int = 200, dispatch_form=None):
    batch = returns.return_batch_of(current_user, batch_id)
    return render_template(
        "bench/return_batch.html",
        batch=batch,
        members=batch.return_pieces,
        ready=returns.ready_for(current_user, batch.store_id),
        dispatch_form=dispatch_form or DispatchReturnForm(formdata=None),
        button=ButtonForm(),
    ), status


@bp.route("/returns/<int:batch_id>/pieces/<int:piece_id>/remove", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(lambda error, batch_id, piece_id: _render_return(batch_id))
def unpack(batch_id: int, piece_id: int):
    batch = returns.return_batch_of(current_user, batch_id, for_update=True)
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    if not ButtonForm().validate_on_submit():
        abort(400)
    returns.unpack_return(current_user, batch, piece)
    flash(_("Piece %(code)s taken out of batch %(batch)s.", code=piece.code, batch=batch.code), "ok")
    return redirect(url_for("bench.return_batch", batch_id=batch.id))


@bp.route("/returns/<int:batch_id>/dispatch", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(lambda error, batch_id: _render_return(batch_id, dispatch_form=DispatchReturnForm()))
def dispatch_return(batch_id: int):
    batch = returns.return_batch_of(current_user, batch_id, for_update=True)
    form = DispatchReturnForm()
    if not form.validate_on_submit():
        return _render_return(batch_id, 422, form)
    returns.dispatch_return(
        current_user,
        batch,
        carrier=form.carrier_name(),
        tracking_no=form.tracking_no.data,
        parcels=form.parcels.data or 1,
    )
    flash(_("Return batch %(batch)s dispatched to %(store)s.", batch=batch.code, store=batch.store.name), "ok")
    return redirect(url_for("bench.return_batch", batch_id=batch.id))


@bp.route("/returns/<int:batch_id>/slip.pdf")
@role_required(*BENCH_ROLES)
def return_slip(batch_id: int):
    """The return slip once the parcel is dispatched; before, the packing list to pack it against."""
    batch = returns.return_batch_of(current_user, batch_id)
    if not batch.return_pieces:
        flash(_("Batch %(code)s is empty: add pieces before printing its packing list.", code=batch.code), "warn")
        return redirect(url_for("bench.return_batch", batch_id=batch.id))
    if batch.dispatched_at is None:
        document = labels.slip_pdf(paper.packing_list(batch, current_rules(), clock.now()))
        what = _("The packing list of batch %(code)s", code=batch.code)
        return send_document(document, f"packing-list-{batch.code}.pdf", what, inline=True)
    document = labels.slip_pdf(paper.return_slip(batch, current_rules(), batch.dispatched_at))
    what = _("The return slip of batch %(code)s", code=batch.code)
    return send_document(document, f"{batch.code}.pdf", what, inline=True)


# --- Deadlines (rule 1) --------------------------------------------------------------

QUEUES = (
    (N_("Received, not graded"), (PieceStatus.RECEIVED,)),
    (N_("Repairable, not repaired"), (PieceStatus.REPAIRABLE,)),
    (N_("Ready to go back"), tuple(sorted(READY_TO_GO_BACK, key=list(PieceStatus).index))),
)
assert {s for _title, statuses in QUEUES for s in statuses} == ON_THE_BENCH | READY_TO_GO_BACK


def _choice(enum_cls, value: str):
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


@bp.route("/deadlines", endpoint="deadlines")
@role_required(Role.TECHNICIAN, Role.REGION)
def deadlines_board():
    """The deadline board: the workshop's, or a region manager's stores' (scope decides), with on-time rates per store."""
    rules = current_rules()
    today = clock.today()
    store = piece_lists.store_by_text(current_user, request.args.get("store", ""))
    if request.args.get("store", "").strip() and store is None:
        flash(_("No store of yours has the code %(code)s.", code=request.args.get("store", "").strip()[:40]), "error")
    store_id = store.id if store else None
    status = _choice(PieceStatus, request.args.get("status", ""))
    state = _choice(ClockState, request.args.get("clock", ""))
    page = deadlines.board_page(
        current_user, rules, today, after=inputs.arg_int("after"), store_id=store_id, status=status, state=state
    )
    rows = [(p, days_left(p.due_on, today), clock_state(p.due_on, today, rules.at_risk_days)) for p in page.items]
    counts = deadlines.counts(current_user, rules, today)
    queues = []
    if current_user.role != Role.REGION:
        queues = [(title, statuses, deadlines.queue(current_user, frozenset(statuses))) for title, statuses in QUEUES]
    return render_template(
        "bench/deadlines.html",
        page=page,
        rows=rows,
        today=today,
        at_risk=counts.at_risk,
        overdue=counts.overdue,
        rate=deadlines.on_time(current_user, rules, today),
        queues=queues,
        store=store,
        store_rates=deadlines.on_time_by_store(current_user, rules, today),
        at_bench=current_user.role != Role.REGION,
        statuses=sorted(CLOCK_RUNNING, key=list(PieceStatus).index),
        clock_states=list(RUNNING_STATES),
        selected={
            "store": store_id,
            "status": status.value if status else "",
            "clock": state.value if state else "",
        },
    )


# --- Corrections (更正) ------------------------------------------------------------------


def _back_to_card(error, piece_id: int):
    return redirect(url_for("bench.card", piece_id=piece_id), 303)


def _correction_form() -> CorrectionForm | None:
    form = CorrectionForm()
    if form.validate_on_submit():
        return form
    flash(form.refusal(), "error")
    return None


@bp.route("/pieces/<int:piece_id>/undo-grade", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(_back_to_card)
def undo_grade(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = _correction_form()
    if form is None:
        return redirect(url_for("bench.card", piece_id=piece.id), 303)
    corrections.undo_grade(current_user, piece, form.reason.data, at=clock.now())
    flash(_("The grade of piece %(code)s is undone: grade it again.", code=piece.code), "ok")
    return redirect(url_for("bench.card", piece_id=piece.id))


@bp.route("/pieces/<int:piece_id>/undo-receive", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(_back_to_card)
def undo_receive(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = _correction_form()
    if form is None:
        return redirect(url_for("bench.card", piece_id=piece.id), 303)
    corrections.undo_receive(current_user, piece, form.reason.data, at=clock.now())
    flash(
        _(
            "The receive scan of piece %(code)s is undone: it is %(status)s.",
            code=piece.code,
            status=_(piece.status.label),
        ),
        "ok",
    )
    return redirect(url_for("pieces.piece", piece_id=piece.id))


@bp.route("/batches/<int:batch_id>/reopen", methods=["POST"])
@role_required(*BENCH_ROLES)
@on_refusal(lambda error, batch_id: redirect(url_for("pieces.batch", batch_id=batch_id), 303))
def reopen_check(batch_id: int):
    batch = scope.get_batch(current_user, batch_id, for_update=True)
    form = _correction_form()
    if form is None:
        return redirect(url_for("pieces.batch", batch_id=batch.id), 303)
    corrections.reopen_check(current_user, batch, form.reason.data, at=clock.now())
    flash(_("Check of batch %(code)s reopened: scan the pieces still to come.", code=batch.code), "ok")
    return redirect(url_for("bench.scan", mode="receive"))


@bp.route("/repeat-repairs")
@role_required(*BENCH_ROLES)
def repeat_repairs():
    return repeat_repairs_page("bench.repeat_repairs")
