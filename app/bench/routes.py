"""The workshop bench: the scan station, the grading card, repairs, return parcels, deadlines.

The scan station keeps its state (mode, current batch) in the page and sends it with each
scan, so the server stays stateless and any worker can answer any scan.
"""

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

import labels
from app import inputs, navigation
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
from app.database import write_intent
from app.extensions import db
from app.i18n import error_text, translate
from app.models import Batch, DefectCode, Piece, Product, RepairOperation, SparePart, Store, utcnow
from app.services import dashboard, grading, returns, scan_station, scanning, scope, timeline
from app.services.settings import rules as current_rules
from workshop.clock import ClockState, clock_state, days_left
from workshop.errors import DomainError, InvalidTransition
from workshop.money import Month
from workshop.quota import IsoWeek
from workshop.roles import Role
from workshop.statuses import CLOCK_RUNNING, BatchStatus, Blame, Direction, Grade, PieceStatus
from workshop.text import N_

bp = Blueprint("bench", __name__, template_folder="templates", url_prefix="/bench")

BENCH_ROLES = (Role.TECHNICIAN,)
MODES = scan_station.MODES


@bp.record_once
def _menu(state) -> None:
    roles = {Role.TECHNICIAN, Role.ADMIN}
    navigation.add(state.app, "bench.scan", N_("Scan station"), roles, order=20)
    navigation.add(state.app, "bench.returns_index", N_("Return parcels"), roles, order=21)
    navigation.add(state.app, "bench.deadlines", N_("Deadlines"), roles, order=22)


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
    batch = None
    batch_id = inputs.arg_int("batch")
    if batch_id:
        batch = scope.get_batch(current_user, batch_id)
        if batch.direction != Direction.OUTBOUND:
            batch = None
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


@bp.route("/scan.json", methods=["POST"])
@role_required(*BENCH_ROLES)
def scan_json():
    payload = inputs.json_object()
    text = str(payload.get("text") or "")[:200]
    mode = payload.get("mode") if payload.get("mode") in MODES else "receive"
    batch_id = inputs.json_int(payload, "batch_id")
    try:
        if payload.get("action") == "close" or scan_station.is_close_command(text):
            answer = _close(batch_id)
        else:
            answer = _scan(text, mode, batch_id)
        if answer["outcome"] == scanning.OK:
            db.session.commit()
        else:
            db.session.rollback()
    except (IntegrityError, OperationalError):
        # Two people changed the same thing at the same instant: nothing was saved.
        db.session.rollback()
        answer = _answer(
            scanning.ScanResult(
                scanning.REFUSED,
                N_("Someone else changed this at the same moment; nothing was saved. Scan again."),
                code="conflict",
            ),
            mode,
        )
    list_batch = answer.pop("list_batch", None)
    if list_batch is not None:
        # The parcel's list is only read: build it after the commit, so that on SQLite
        # the write lock is not held while hundreds of rows are turned into JSON.
        write_intent.set(False)
        answer["expected"] = expected_rows(db.session.get(Batch, list_batch))
    return jsonify(answer)


def _scan(text: str, mode: str, batch_id: int | None) -> dict:
    # The decision is app.services.scan_station's, shared with POST /api/v1/scan.
    return _station_answer(scan_station.scan(current_user, text, mode, batch_id))


def _current_batch(batch_id: int | None) -> Batch | None:
    return scan_station.current_batch(current_user, batch_id)


def _close(batch_id: int | None) -> dict:
    return _station_answer(scan_station.close(current_user, batch_id))


def _station_answer(station: scan_station.StationAnswer) -> dict:
    answer = _answer(station.result, station.mode)
    if station.list_batch is not None:
        answer["list_batch"] = station.list_batch
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
        batch = db.session.get(Batch, result.batch_id)
        answer["batch"] = batch_json(batch)
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


@bp.route("/unexpected.json", methods=["POST"])
@role_required(*BENCH_ROLES)
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
    batch = _current_batch(form.batch_id.data)
    if batch is None:
        abort(404)
    product = db.session.scalars(select(Product).where(Product.style_code == form.product.data.strip())).one_or_none()
    if product is None:
        message = _(
            "There is no product with style code %(style)s: check the garment's tag.", style=form.product.data.strip()
        )
        return jsonify(
            {"outcome": scanning.REFUSED, "code": "unknown_product", "message": message, "counts": None}
        ), 422
    defect = db.session.get(DefectCode, form.defect.data)
    try:
        piece = scanning.register_unexpected(current_user, batch, form.code.data, product=product, defect=defect)
    except DomainError as e:
        db.session.rollback()
        return jsonify(
            _answer(
                scanning._with_counts(batch, scanning.ScanResult(scanning.REFUSED, e.message, e.params, code=e.code)),
                "receive",
            )
        ), 409
    result = scanning._with_counts(
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
    db.session.commit()
    return jsonify(answer)


# --- The grading card ----------------------------------------------------------------


@bp.route("/pieces/<int:piece_id>")
@role_required(*BENCH_ROLES)
def card(piece_id: int):
    piece = scope.get_piece(current_user, piece_id)
    return _render_card(piece)


def _render_card(piece: Piece, status: int = 200, grade_form=None, repair_form=None, scrap_form=None, blame_form=None):
    rules = current_rules()
    today = dashboard.today_in(rules, utcnow())
    suggestion = grading.suggestion_for(piece, rules)
    clock = timeline.piece_clock(piece, rules, today)
    if grade_form is None:
        grade_form = GradeForm(blame=suggestion.blame.value, formdata=None)
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
        clock=clock,
        events=timeline.piece_events(piece.id),
        flagged=grading.flagged_for_exchange(piece),
        suggestion=suggestion,
        suggestion_text=suggestion.text(translate),
        grade_form=grade_form,
        repair_form=repair_form,
        scrap_form=scrap_form,
        blame_form=blame_form,
        operation_names=timeline.operation_names(str(get_locale() or "zh_Hans")),
        scrap_month=str(Month.from_key(piece.scrap_month)) if piece.scrap_month else "",
    ), status


def _repair_choices(form: RepairForm) -> None:
    locale = str(get_locale() or "zh_Hans")
    operations = db.session.scalars(
        select(RepairOperation).where(RepairOperation.active.is_(True)).order_by(RepairOperation.id)
    )
    form.operations.choices = [SelectChoice(o.code, o.name(locale)) for o in operations]
    parts = db.session.scalars(select(SparePart).where(SparePart.active.is_(True)).order_by(SparePart.code)).all()
    for row in form.parts:
        row.part.choices = [SelectChoice(0, "—")] + [
            SelectChoice(p.id, f"{p.name(locale)} ({p.unit})" if p.unit else p.name(locale)) for p in parts
        ]


def _blame_choice(form) -> grading.BlameChoice | None:
    if not form.blame.data:
        return None
    return grading.BlameChoice(Blame(form.blame.data), form.reason.data or "")


@bp.route("/pieces/<int:piece_id>/grade", methods=["POST"])
@role_required(*BENCH_ROLES)
def grade(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = GradeForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_card(piece, 422, grade_form=form)
    chosen = Grade(form.grade.data)
    try:
        grading.grade_piece(
            current_user,
            piece,
            chosen,
            current_rules(),
            blame=_blame_choice(form) if chosen == Grade.SCRAP else None,
            note=form.note.data or "",
            translate=translate,
        )
        db.session.flush()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return _render_card(
            scope.get_piece(current_user, piece_id), 409 if isinstance(e, InvalidTransition) else 422, grade_form=form
        )
    db.session.commit()
    flash(_("Piece %(code)s graded: %(grade)s.", code=piece.code, grade=_(chosen.label)), "ok")
    return redirect(url_for("bench.scan", mode="grade"))


@bp.route("/pieces/<int:piece_id>/repair", methods=["POST"])
@role_required(*BENCH_ROLES)
def repair(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = RepairForm()
    _repair_choices(form)
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_card(piece, 422, repair_form=form)
    parts = tuple((row.part.data, row.quantity.data or 1) for row in form.parts if row.part.data)
    record = grading.RepairRecord(tuple(form.operations.data or ()), form.minutes.data, form.note.data or "", parts)
    try:
        grading.record_repair(current_user, piece, record)
        db.session.flush()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return _render_card(
            scope.get_piece(current_user, piece_id), 409 if isinstance(e, InvalidTransition) else 422, repair_form=form
        )
    db.session.commit()
    flash(_("Piece %(code)s repaired: it is ready to go back to its store.", code=piece.code), "ok")
    return redirect(url_for("bench.scan", mode="grade"))


@bp.route("/pieces/<int:piece_id>/scrap", methods=["POST"])
@role_required(*BENCH_ROLES)
def scrap(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = ScrapForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_card(piece, 422, scrap_form=form)
    try:
        grading.scrap_after_all(current_user, piece, current_rules(), _blame_choice(form), translate=translate)
        db.session.flush()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return _render_card(
            scope.get_piece(current_user, piece_id), 409 if isinstance(e, InvalidTransition) else 422, scrap_form=form
        )
    db.session.commit()
    flash(_("Piece %(code)s scrapped.", code=piece.code), "ok")
    return redirect(url_for("bench.scan", mode="grade"))


@bp.route("/pieces/<int:piece_id>/blame", methods=["POST"])
@role_required(*BENCH_ROLES)
def change_blame(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = BlameChangeForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_card(piece, 422, blame_form=form)
    try:
        grading.change_blame(current_user, piece, Blame(form.blame.data), form.reason.data)
        db.session.flush()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return _render_card(scope.get_piece(current_user, piece_id), 409, blame_form=form)
    db.session.commit()
    flash(_("Piece %(code)s: %(party)s now pays.", code=piece.code, party=_(Blame(form.blame.data).label)), "ok")
    return redirect(url_for("bench.card", piece_id=piece.id))


# --- Return parcels ------------------------------------------------------------------

READY_TO_GO_BACK = (PieceStatus.REPAIRED, PieceStatus.NO_FAULT)


@bp.route("/returns")
@role_required(*BENCH_ROLES)
def returns_index():
    ready = db.session.execute(
        scope.pieces(current_user)
        .with_only_columns(Piece.store_id, func.count(), func.min(Piece.due_on))
        .where(Piece.status.in_(READY_TO_GO_BACK))
        .group_by(Piece.store_id)
    ).all()
    open_returns = db.session.scalars(
        scope.batches(current_user)
        .where(Batch.direction == Direction.RETURN, Batch.status == BatchStatus.OPEN)
        .options(joinedload(Batch.store))
    ).all()
    packed = (
        dict(
            db.session.execute(
                select(Piece.return_batch_id, func.count())
                .where(Piece.return_batch_id.in_([b.id for b in open_returns]))
                .group_by(Piece.return_batch_id)
            ).all()
        )
        if open_returns
        else {}
    )
    store_ids = {row[0] for row in ready} | {b.store_id for b in open_returns}
    stores = {s.id: s for s in db.session.scalars(select(Store).where(Store.id.in_(store_ids)))} if store_ids else {}
    by_store = {b.store_id: b for b in open_returns}
    rows = []
    for store_id in sorted(store_ids, key=lambda i: stores[i].code):
        ready_row = next((r for r in ready if r[0] == store_id), None)
        batch = by_store.get(store_id)
        rows.append(
            {
                "store": stores[store_id],
                "ready": ready_row[1] if ready_row else 0,
                "earliest_due": ready_row[2] if ready_row else None,
                "batch": batch,
                "packed": packed.get(batch.id, 0) if batch else 0,
            }
        )
    rows.sort(key=lambda r: (r["earliest_due"] is None, r["earliest_due"] or 0, r["store"].code))
    return render_template("bench/returns.html", rows=rows)


@bp.route("/returns/<int:batch_id>")
@role_required(*BENCH_ROLES)
def return_batch(batch_id: int):
    batch = _return_batch(batch_id)
    return _render_return(batch)


def _return_batch(batch_id: int, for_update: bool = False) -> Batch:
    batch = scope.get_batch(current_user, batch_id, for_update=for_update)
    if batch.direction != Direction.RETURN:
        abort(404)
    return batch


def _render_return(batch: Batch, status: int = 200, dispatch_form=None):
    ready = db.session.scalars(
        scope.pieces(current_user)
        .where(Piece.store_id == batch.store_id, Piece.status.in_(READY_TO_GO_BACK))
        .options(joinedload(Piece.product))
        .order_by(Piece.due_on, Piece.id)
        .limit(500)
    ).all()
    return render_template(
        "bench/return_batch.html",
        batch=batch,
        members=batch.return_pieces,
        ready=ready,
        dispatch_form=dispatch_form or DispatchReturnForm(formdata=None),
        button=ButtonForm(),
    ), status


@bp.route("/returns/<int:batch_id>/pieces/<int:piece_id>/remove", methods=["POST"])
@role_required(*BENCH_ROLES)
def unpack(batch_id: int, piece_id: int):
    batch = _return_batch(batch_id, for_update=True)
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        returns.unpack_return(current_user, batch, piece)
        db.session.flush()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return _render_return(_return_batch(batch_id), 409)
    db.session.commit()
    flash(_("Piece %(code)s taken out of batch %(batch)s.", code=piece.code, batch=batch.code), "ok")
    return redirect(url_for("bench.return_batch", batch_id=batch.id))


@bp.route("/returns/<int:batch_id>/dispatch", methods=["POST"])
@role_required(*BENCH_ROLES)
def dispatch_return(batch_id: int):
    batch = _return_batch(batch_id, for_update=True)
    form = DispatchReturnForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_return(batch, 422, form)
    try:
        returns.dispatch_return(current_user, batch, carrier=form.carrier.data, tracking_no=form.tracking_no.data)
        db.session.flush()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return _render_return(_return_batch(batch_id), 409, form)
    db.session.commit()
    flash(_("Return batch %(batch)s dispatched to %(store)s.", batch=batch.code, store=batch.store.name), "ok")
    return redirect(url_for("bench.return_batch", batch_id=batch.id))


@bp.route("/returns/<int:batch_id>/slip.pdf")
@role_required(*BENCH_ROLES)
def return_slip(batch_id: int):
    batch = _return_batch(batch_id)
    if not batch.return_pieces:
        abort(404)  # an empty parcel has no slip (labels.slip_pdf refuses one)
    rules = current_rules()
    locale = str(get_locale() or "zh_Hans")
    store = batch.store
    lines = tuple(
        labels.SlipLine(
            code=p.code,
            product=f"{p.product.style_code} {p.product.name}",
            size_colour=" / ".join(x for x in (p.size, p.colour) if x),
            defect=p.defect.name(locale),
            outcome=_(p.grade.label) if p.grade else "",
        )
        for p in batch.return_pieces
    )
    at = batch.dispatched_at or utcnow()
    slip = labels.Slip(
        kind="return",
        batch_code=batch.code,
        sender=labels.Party(name=_("Head office after-sales workshop")),
        receiver=labels.Party(
            name=store.name, contact=store.contact_name, phone=store.contact_phone, address=store.address
        ),
        iso_week=str(IsoWeek.at(at, rules.tz)),
        date=at.astimezone(rules.tz).date(),
        carrier=batch.carrier,
        tracking_no=batch.tracking_no,
        lines=lines,
    )
    return Response(
        labels.slip_pdf(slip),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{batch.code}.pdf"'},
    )


# --- Deadlines (rule 1) --------------------------------------------------------------

BOARD_FILTERS = {"overdue", "at_risk", "on_track"}


@bp.route("/deadlines")
@role_required(*BENCH_ROLES)
def deadlines():
    rules = current_rules()
    today = dashboard.today_in(rules, utcnow())
    risk_until = today + timedelta(days=rules.at_risk_days)
    query = scope.pieces(current_user).where(Piece.status.in_(list(CLOCK_RUNNING)), Piece.due_on.is_not(None))
    store_id = inputs.arg_int("store")
    if store_id:
        query = query.where(Piece.store_id == store_id)
    status = request.args.get("status", "")
    if status in {s.value for s in CLOCK_RUNNING}:
        query = query.where(Piece.status == status)
    clock = request.args.get("clock", "")
    if clock == "overdue":
        query = query.where(Piece.due_on < today)
    elif clock == "at_risk":
        query = query.where(Piece.due_on >= today, Piece.due_on <= risk_until)
    elif clock == "on_track":
        query = query.where(Piece.due_on > risk_until)
    page = db.paginate(
        query.options(joinedload(Piece.store), joinedload(Piece.product)).order_by(Piece.due_on, Piece.id),
        page=inputs.arg_page(),
        per_page=50,
        error_out=False,
    )
    rows = [(p, days_left(p.due_on, today), clock_state(p.due_on, today, rules.at_risk_days)) for p in page.items]
    at_risk, overdue = dashboard.deadline_counts(current_user, rules, today)
    queues = _queues()
    return render_template(
        "bench/deadlines.html",
        page=page,
        rows=rows,
        today=today,
        at_risk=at_risk,
        overdue=overdue,
        rate=dashboard.on_time(current_user, rules, today),
        queues=queues,
        stores=db.session.scalars(scope.stores(current_user)).all(),
        statuses=sorted(CLOCK_RUNNING, key=list(PieceStatus).index),
        clock_states=[ClockState.OVERDUE, ClockState.AT_RISK, ClockState.ON_TRACK],
        selected={"store": store_id, "status": status, "clock": clock},
    )


QUEUES = (
    (N_("Received, not graded"), (PieceStatus.RECEIVED,)),
    (N_("Repairable, not repaired"), (PieceStatus.REPAIRABLE,)),
    (N_("Ready to go back"), READY_TO_GO_BACK),
)


def _queues() -> list[tuple[str, list]]:
    """The technician's three queues, per store with the earliest due date first."""
    result = []
    for title, statuses in QUEUES:
        rows = db.session.execute(
            scope.pieces(current_user)
            .with_only_columns(Store.name, Piece.store_id, func.count(), func.min(Piece.due_on))
            .join(Store, Store.id == Piece.store_id)
            .where(Piece.status.in_(list(statuses)))
            .group_by(Store.name, Piece.store_id)
            .order_by(func.min(Piece.due_on), Store.name)
            .limit(50)
        ).all()
        result.append((title, statuses, rows))
    return result
