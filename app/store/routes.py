"""The store desk: the store's pieces, registering them, labels, the weekly batch, parcels back.

Views load, check, validate and call one service; app.boundary commits, or turns a refusal
into the person's message over the page's own fallback.
"""

import io
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from wtforms.fields.choices import SelectChoice

from app import clock, idempotency, inputs, navigation
from app.access import role_required
from app.boundary import CONFLICT, discard, on_refusal
from app.clock import chain_tz
from app.documents import LABEL_FILE, PDF, send_document, warn_missing
from app.errors import render_error
from app.extensions import db
from app.i18n import error_text, translate
from app.models import Batch, DefectCode, Piece, Store
from app.pieces.forms import CorrectionForm
from app.services import (
    batches,
    catalogue,
    corrections,
    deadlines,
    exports,
    grading,
    label_jobs,
    paper,
    photos,
    piece_lists,
    printing,
    registration,
    returns,
    scanning,
    scope,
    trips,
)
from app.services import bulk_import as spreadsheet
from app.services.settings import rules as current_rules
from app.store.forms import (
    SOURCE_CHOICES,
    CloseCheckForm,
    ConfirmForm,
    DispatchForm,
    EditPieceForm,
    ImportDuplicatesForm,
    ImportUploadForm,
    LabelForm,
    PhotosForm,
    PieceForm,
    ScanForm,
    SendAgainForm,
)
from labels import item_sheet, slip_pdf, thermal_labels
from workshop.blame import inspection_warning
from workshop.clock import RUNNING_STATES, local_date
from workshop.codes import CodeKind, normalise, parse_code
from workshop.errors import AlreadyDone, InvalidCode
from workshop.roles import Role
from workshop.statuses import DefectKind, Direction, PieceStatus, Source
from workshop.text import N_
from workshop.transitions import BatchAction, allowed_batch_actions, allowed_piece_actions

bp = Blueprint("store", __name__, template_folder="templates", url_prefix="/store")

LIST_ROLES = (Role.STORE, Role.REGION, Role.TECHNICIAN, Role.FINANCE)


@bp.record_once
def _menu(state) -> None:
    navigation.add(state.app, "store.index", N_("Pieces"), set(Role), order=10)
    navigation.add(state.app, "store.register", N_("Register a piece"), {Role.STORE}, order=11)
    navigation.add(state.app, "store.batch", N_("Weekly batch"), {Role.STORE}, order=12)
    navigation.add(state.app, "store.receive", N_("Receive a parcel"), {Role.STORE}, order=13)
    navigation.add(state.app, "store.send_again_find", N_("A piece came back"), {Role.STORE}, order=14)


def acting_store() -> Store:
    """The store these pages act for: the user's own. Others are refused politely."""
    if current_user.store is None:
        abort(make_response(*render_error(403, _("These pages act for one store: log in as a member of its staff."))))
    return current_user.store


# --- The list of pieces ---------------------------------------------------------------


def wanted_from_request() -> tuple[piece_lists.PieceFilter, Store | None]:
    """The list's filters from the query string (the page and its exports read the same ones)."""
    args = request.args
    many_stores = current_user.role != Role.STORE
    store = piece_lists.store_by_text(current_user, args.get("store", "")) if many_stores else None
    if many_stores and args.get("store", "").strip() and store is None:
        flash(_("No store of yours has the code %(code)s.", code=args.get("store", "").strip()[:40]), "error")
    wanted = piece_lists.PieceFilter(
        store_id=store.id if store else None,
        status=args.get("status", ""),
        week=args.get("week", ""),
        defect_id=inputs.arg_int("defect"),
        q=args.get("q", ""),
        clock=args.get("clock", ""),
        after=inputs.arg_int("after"),
    )
    return wanted, store


@bp.route("/")
@role_required(*LIST_ROLES)
def index():
    """Every role's list of pieces within its scope: filters, the search box's matches, the figures' lists."""
    rules = current_rules()
    today = clock.today()
    wanted, store = wanted_from_request()
    listing = piece_lists.pieces(current_user, wanted, rules, today)
    for message, params in listing.problems:
        flash(translate(message, params), "error")
    clocks = {piece.id: deadlines.reading(piece, rules, today) for piece in listing.items if piece.due_on is not None}
    defects = db.session.scalars(select(DefectCode).order_by(DefectCode.code)).all()
    return render_template(
        "store/index.html",
        listing=listing,
        clocks=clocks,
        many_stores=current_user.role != Role.STORE,
        store=store,
        defects=defects,
        statuses=list(PieceStatus),
        groups=[(name, title) for name, (title, _statuses) in piece_lists.GROUPS.items()],
        clock_states=list(RUNNING_STATES),
        label_form=LabelForm(),
        can_print=current_user.role in (Role.STORE, Role.ADMIN),
        printers=printing.printers_for(current_user) if current_user.role == Role.STORE else [],
        week=listing.week,
        export_limit=piece_lists.EXPORT_LIMIT,
    )


@bp.route("/pieces.<any(csv,xlsx):fmt>")
@role_required(*LIST_ROLES)
def export_pieces(fmt: str):
    """The list as filtered, as a spreadsheet: the newest EXPORT_LIMIT pieces, within the user's scope."""
    rules = current_rules()
    today = clock.today()
    wanted, _store = wanted_from_request()
    locale = str(get_locale() or "zh_Hans")
    C = exports.Column
    columns = (
        C(_("Code")),
        C(_("Store code")),
        C(_("Store")),
        C(_("Style code")),
        C(_("Product")),
        C(_("Size")),
        C(_("Colour")),
        C(_("Defect")),
        C(_("Registered"), "datetime"),
        C(_("Status")),
        C(_("Due back"), "date"),
        C(_("Days left"), "int"),
    )
    tz = chain_tz()
    rows = []
    for p in piece_lists.every_piece(current_user, wanted, rules, today):
        reading = deadlines.reading(p, rules, today)
        rows.append(
            (
                p.code,
                p.store.code,
                p.store.name,
                p.product.style_code,
                p.product.name,
                p.size,
                p.colour,
                f"{p.defect.code} {p.defect.name(locale)}",
                p.registered_at.astimezone(tz),
                _(p.status.label),
                p.due_on,
                reading.left if reading is not None else None,
            )
        )
    table = exports.Table(f"pieces-{local_date(clock.now(), rules.tz).isoformat()}", columns, rows)
    body, mimetype = exports.encoded(table, fmt)
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=f"{table.name}.{fmt}")


# --- Registering ----------------------------------------------------------------------


def defect_choices() -> list[SelectChoice]:
    """Grouped by kind, each showing its code and both names, so typing any of them finds it."""
    locale = str(get_locale() or "zh_Hans")
    defects = sorted(
        db.session.scalars(select(DefectCode).where(DefectCode.active.is_(True))),
        key=lambda d: (d.kind != DefectKind.QUALITY, d.code),
    )
    return [
        SelectChoice(
            d.id,
            f"{d.code} · {d.name(locale)} · {d.name_en if locale.startswith('zh') else d.name_zh}",
            optgroup=_(DefectKind(d.kind).label),
        )
        for d in defects
    ]


def rule3_sentence() -> str:
    """Rule 3's counter sentence, untranslated params kept, for the form's live hint."""
    sample = inspection_warning(Source.DELIVERY, date(2000, 1, 1), date(2000, 2, 1))
    return _(sample.reason)


@bp.route("/products.json")
@role_required(Role.STORE)
def products_json():
    return jsonify(
        [{"code": p.style_code, "name": p.name} for p in catalogue.search_products(request.args.get("q", ""))]
    )


def render_register(form: PieceForm, status: int = 200):
    rules = current_rules()
    form.defect.choices = defect_choices()
    return render_template(
        "store/register.html",
        form=form,
        store=acting_store(),
        today=clock.today(),
        rules=rules,
        rule3=rule3_sentence(),
    ), status


def uploads_of(form) -> list[photos.Upload]:
    return [photos.read_upload(f.stream, f.filename) for f in form.photos.data or [] if getattr(f, "filename", "")]


@bp.route("/register", methods=["GET", "POST"])
@role_required(Role.STORE)
@on_refusal(lambda error: render_register(PieceForm()))
def register():
    store = acting_store()
    rules = current_rules()
    now = clock.now()
    form = PieceForm()
    form.defect.choices = defect_choices()
    if request.method == "GET":
        # "Save and register another" comes back here with what the next piece shares.
        form.product.data = request.args.get("product", "")
        if request.args.get("source") in {c.value for c in SOURCE_CHOICES}:
            form.source.data = request.args["source"]
        try:
            form.delivery_received_on.data = date.fromisoformat(request.args.get("delivery", ""))
        except ValueError:
            pass
    if not form.validate_on_submit():
        return render_register(form, 422 if request.method == "POST" else 200)
    data = piece_data(form)
    if data is None:
        return render_register(form, 422)
    product = data.product
    uploads = uploads_of(form)
    piece = registration.register_piece(current_user, store, data, rules, at=now)
    photos.add_photos(current_user, piece, uploads, at=now)
    flash(_("Piece %(code)s registered. Print its label from the list of pieces.", code=piece.code), "ok")
    warning = registration.counter_warning(data, rules, local_date(now, rules.tz))
    if warning is not None:
        flash(warning.text(_), "warn")
    if data.purchase is not None:  # the customer waits for the counter's answer
        return redirect(url_for("counter.decide", piece_id=piece.id))
    if "another" in request.form:
        return redirect(
            url_for(
                "store.register",
                product=product.style_code,
                source=data.source.value,
                delivery=data.delivery_received_on.isoformat() if data.delivery_received_on else None,
            )
        )
    return redirect(url_for("pieces.piece", piece_id=piece.id))


def piece_data(form: PieceForm) -> registration.NewPiece | None:
    """The piece a register or edit form describes; None (the form says why) for an unknown product."""
    product = catalogue.product_by_style_code(form.product.data)
    if product is None:
        form.product.errors = [_("No product has the style code %(code)s.", code=form.product.data.strip())]
        return None
    return registration.NewPiece(
        product=product,
        defect=db.session.get(DefectCode, form.defect.data),
        source=Source(form.source.data),
        size=form.size.data or "",
        colour=form.colour.data or "",
        description=form.description.data or "",
        delivery_received_on=form.delivery_received_on.data if form.source.data == Source.DELIVERY else None,
        purchase=form.purchase(),
    )


def render_photos(piece_id: int, form: PhotosForm, status: int = 200):
    return render_template("store/photos.html", piece=scope.get_piece(current_user, piece_id), form=form), status


@bp.route("/pieces/<int:piece_id>/photos", methods=["GET", "POST"])
@role_required(Role.STORE)
@on_refusal(lambda error, piece_id: render_photos(piece_id, PhotosForm()))
def add_photos(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=request.method == "POST")
    form = PhotosForm()
    if not form.validate_on_submit():
        return render_photos(piece_id, form, 422 if request.method == "POST" else 200)
    photos.add_photos(current_user, piece, uploads_of(form), at=clock.now())
    flash(_("Photos added to piece %(code)s.", code=piece.code), "ok")
    return redirect(url_for("pieces.piece", piece_id=piece.id))


# --- Labels ---------------------------------------------------------------------------


def print_labels(pieces: list[Piece]):
    form = LabelForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("store.index"))
    if not pieces:
        flash(_("No piece to print a label for."), "warn")
        return redirect(url_for("store.index"))
    rules = current_rules()
    now = clock.now()
    stem = f"labels-{local_date(now, rules.tz).isoformat()}-{len(pieces)}"
    printer = printing.printer_for(current_user, form.printer.data) if form.format.data == "printer" else None
    if printer is not None and form.deliver.data != "download":
        printed = printing.print_piece_labels(current_user, pieces, printer, rules, now)
        warn_missing(printed.missing_chars, _("The labels"))
        flash(
            _(
                "Labels sent to printer %(printer)s (%(address)s): %(n)d.",
                n=printed.count,
                printer=printer.name,
                address=printer.address,
            ),
            "ok",
        )
        return redirect(url_for("store.index"))
    if printer is None and len(pieces) > label_jobs.threshold():
        # A few hundred labels: made in the background, with a progress bar and the PDF at the end.
        job_id = label_jobs.start(
            db.session, current_user, pieces, layout=form.format.data, start_position=form.start.data or 1
        )
        return redirect(url_for("work.show", job_id=job_id), 303)
    data = [paper.piece_label(p, rules) for p in pieces]
    # Render first: a failed rendering must not mark anything as labelled.
    if printer is not None:
        document, name, mimetype = (
            printing.piece_label_file(printer, data),
            printing.file_name(printer, stem),
            LABEL_FILE,
        )
    elif form.format.data == "thermal":
        document, name, mimetype = thermal_labels(data), f"{stem}.pdf", PDF
    else:
        document, name, mimetype = item_sheet(data, start_position=form.start.data or 1), f"{stem}.pdf", PDF
    registration.mark_labelled(current_user, pieces, at=now)
    return send_document(document, name, _("The labels"), mimetype=mimetype)


def back_to_pieces(error, **_view_args):
    """A refused printing (a printer that did not answer): the list again, the reason flashed."""
    return redirect(url_for("store.index"), 303)


@bp.route("/pieces/<int:piece_id>/label", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(back_to_pieces)
def label_one(piece_id: int):
    return print_labels([scope.get_piece(current_user, piece_id, for_update=True)])


@bp.route("/labels", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(back_to_pieces)
def label_many():
    if request.form.get("which") == "unlabelled":
        pieces = registration.unlabelled(current_user)
    else:
        ids = inputs.form_ids("piece_ids")
        # Every id must be visible to this user, or nothing is printed and nothing marked.
        pieces = [scope.get_piece(current_user, piece_id, for_update=True) for piece_id in ids]
        if not pieces:
            flash(_("Tick the pieces whose labels you want to print."), "warn")
            return redirect(url_for("store.index"))
    return print_labels(pieces)


# --- The weekly batch -----------------------------------------------------------------


def render_batch(store: Store, batch: Batch | None, status: int = 200, dispatch_form: DispatchForm | None = None):
    rules = current_rules()
    now = clock.now()
    quota = batches.quota_check(store, rules, at=now)
    actions = allowed_batch_actions(batch.direction, batch.status, current_user.role) if batch else [BatchAction.OPEN]
    waiting = []
    if batch is not None:
        # The parcel's pieces with their products and defects in three queries, not two per piece.
        members = db.session.scalars(
            select(Piece)
            .where(Piece.batch_id == batch.id)
            .options(selectinload(Piece.product), selectinload(Piece.defect))
            .order_by(Piece.id)
        ).all()
        set_committed_value(batch, "pieces", list(members))
    if batch is None or BatchAction.DISPATCH in actions:
        waiting = db.session.scalars(
            scope.pieces(current_user)
            .where(Piece.store_id == store.id, Piece.status == PieceStatus.REGISTERED)
            .options(selectinload(Piece.product), selectinload(Piece.defect))
            .order_by(Piece.id)
            .limit(500)
        ).all()
    return render_template(
        "store/batch.html",
        store=store,
        batch=batch,
        quota=quota,
        waiting=waiting,
        recent=batches.recent_dispatched(current_user, store),
        scan_form=ScanForm(formdata=None),
        dispatch_form=dispatch_form or DispatchForm(formdata=None),
        confirm_form=ConfirmForm(),
        correction_form=CorrectionForm(formdata=None),
        today=local_date(now, rules.tz),
    ), status


def open_batch_for(store: Store) -> Batch | None:
    return batches.open_batch(store, Direction.OUTBOUND)


def scan_refused(error) -> Response:
    """A refused scan for the page's script (static/js/scanning.js): its sentence, and a
    repeat said as a warning; the boundary gives it the refusal's status and keeps nothing."""
    return jsonify(
        {
            "outcome": scanning.WARNING if isinstance(error, AlreadyDone) else scanning.REFUSED,
            "code": error.code if error is not None else "conflict",
            "message": error_text(error) if error is not None else translate(CONFLICT),
        }
    )


def batch_refused(error, **_kwargs):
    """A refused change of the weekly batch: the batch page again (a repeat only says so)."""
    if request.is_json:
        return scan_refused(error)
    if isinstance(error, AlreadyDone):
        return redirect(url_for("store.batch"))
    store = acting_store()
    return render_batch(store, open_batch_for(store), 400 if isinstance(error, InvalidCode) else 409)


@bp.route("/batch")
@role_required(Role.STORE)
def batch():
    store = acting_store()
    return render_batch(store, open_batch_for(store))


@bp.route("/batches/<int:batch_id>")
@role_required(Role.STORE)
def batch_detail(batch_id: int):
    store = acting_store()
    found = batches.outbound_of(current_user, store, batch_id)
    if BatchAction.DISPATCH in allowed_batch_actions(found.direction, found.status, current_user.role):
        return redirect(url_for("store.batch"))
    return render_batch(store, found)


@bp.route("/batch/scan", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(batch_refused)
def batch_scan():
    """A scanned label into the weekly batch: the page's script gets JSON (the row to put on
    top, the counts), sent with an Idempotency-Key; without the script, the page again."""
    store = acting_store()
    form = ScanForm()
    if not form.validate_on_submit():
        message = " ".join(map(str, form.code.errors))
        if request.is_json:
            return jsonify({"outcome": scanning.REFUSED, "code": "invalid", "message": message}), 422
        flash(message, "error")
        return render_batch(store, open_batch_for(store), 400)
    if request.is_json:
        return idempotency.run_for_page(lambda: jsonify(batch_scan_answer(store, form.code.data)))
    piece, target = batches.scan_into_open_batch(current_user, store, form.code.data, at=clock.now())
    flash(_("Piece %(code)s added to batch %(batch)s.", code=piece.code, batch=target.code), "ok")
    return redirect(url_for("store.batch"))


def batch_scan_answer(store: Store, text: str) -> dict:
    """What the batch page changes after a scan: the piece's row on top, the counts, and the
    batch's code and links when this scan opened it."""
    piece, target = batches.scan_into_open_batch(current_user, store, text, at=clock.now())
    db.session.flush()
    in_batch = db.session.scalar(select(func.count()).where(Piece.batch_id == target.id)) or 0
    waiting = db.session.scalar(
        scope.pieces(current_user)
        .where(Piece.store_id == store.id, Piece.status == PieceStatus.REGISTERED)
        .with_only_columns(func.count())
        .order_by(None)
    )
    row = render_template("store/_batch_row.html", p=piece, batch=target, confirm_form=ConfirmForm(formdata=None))
    return {
        "outcome": scanning.OK,
        "code": "added",
        "message": _("Piece %(code)s added to batch %(batch)s.", code=piece.code, batch=target.code),
        "counts": {"batch": in_batch, "waiting": waiting or 0},
        "row": {"key": f"piece-{piece.id}", "html": row},
        "remove": [f"waiting-{piece.id}"],
        "show": ["batch-pieces", "batch-dispatch"],
        "fill": {"batch-code": target.code},
        "links": {
            "dispatch-form": url_for("store.batch_dispatch", batch_id=target.id),
            "packing-link": url_for("store.batch_packing_list", batch_id=target.id),
        },
    }


@bp.route("/batch/add", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(batch_refused)
def batch_add():
    store = acting_store()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = inputs.form_ids("piece_ids")
    if not ids:
        flash(_("Tick the pieces to add."), "warn")
        return redirect(url_for("store.batch"))
    target = batches.add_to_open_batch(current_user, store, ids, at=clock.now())
    flash(_("%(n)d pieces added to batch %(batch)s.", n=len(ids), batch=target.code), "ok")
    return redirect(url_for("store.batch"))


@bp.route("/batches/<int:batch_id>/remove/<int:piece_id>", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(batch_refused)
def batch_remove(batch_id: int, piece_id: int):
    store = acting_store()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    found = batches.outbound_of(current_user, store, batch_id, for_update=True)
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    batches.remove_piece(current_user, found, piece, at=clock.now())
    flash(_("Piece %(code)s taken out of batch %(batch)s.", code=piece.code, batch=found.code), "ok")
    return redirect(url_for("store.batch"))


def dispatch_refused(error, batch_id: int):
    store = acting_store()
    return render_batch(store, open_batch_for(store), 409, DispatchForm())


@bp.route("/batches/<int:batch_id>/dispatch", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(dispatch_refused)
def batch_dispatch(batch_id: int):
    store = acting_store()
    found = batches.outbound_of(current_user, store, batch_id, for_update=True)
    rules = current_rules()
    now = clock.now()
    form = DispatchForm()
    open_now = BatchAction.DISPATCH in allowed_batch_actions(found.direction, found.status, current_user.role)
    if not form.validate_on_submit():
        return render_batch(store, found if open_now else open_batch_for(store), 422, form)
    quota = batches.quota_check(store, rules, at=now)
    if quota.extra and form.shipping_fee.data is None:
        form.shipping_fee.errors = [
            _("This batch is beyond the store's weekly quota: enter the shipping fee the store pays.")
        ]
        return render_batch(store, found, 422, form)
    batches.dispatch_batch(
        current_user,
        found,
        rules,
        carrier=form.carrier_name(),
        tracking_no=form.tracking_no.data,
        shipping_fee=form.shipping_fee.data if quota.extra else None,
        parcels=form.parcels.data or 1,
        at=now,
    )
    flash(
        _(
            "Batch %(code)s dispatched: %(n)d pieces are in transit. Print its slip and pack it in the parcel.",
            code=found.code,
            n=len(found.pieces),
        ),
        "ok",
    )
    return redirect(url_for("store.batch_detail", batch_id=found.id))


@bp.route("/batches/<int:batch_id>/slip.pdf")
@role_required(Role.STORE, Role.REGION)
def batch_slip(batch_id: int):
    found = scope.get_batch(current_user, batch_id)
    if found.direction != Direction.OUTBOUND:
        abort(404)
    if found.dispatched_at is None:
        # Packed but not yet sent: what goes in the box now is the packing list (the slip follows dispatch).
        if current_user.role == Role.STORE and found.pieces:
            return redirect(url_for("store.batch_packing_list", batch_id=found.id))
        flash(
            _("Batch %(code)s is not dispatched yet: its slip is printed once it is dispatched.", code=found.code),
            "error",
        )
        return redirect(url_for("store.batch"))
    rules = current_rules()
    document = slip_pdf(paper.dispatch_slip(found, rules))
    name = f"slip-{found.code}-{local_date(found.dispatched_at, rules.tz).isoformat()}.pdf"
    return send_document(document, name, _("The dispatch slip of batch %(code)s", code=found.code))


@bp.route("/batches/<int:batch_id>/packing-list.pdf")
@role_required(Role.STORE)
def batch_packing_list(batch_id: int):
    """The list to pack the open batch against, printed before it is dispatched (the slip after)."""
    store = acting_store()
    found = batches.outbound_of(current_user, store, batch_id)
    if BatchAction.DISPATCH not in allowed_batch_actions(found.direction, found.status, current_user.role):
        return redirect(url_for("store.batch_slip", batch_id=found.id))
    if not found.pieces:
        flash(_("Batch %(code)s is empty: add pieces before printing its packing list.", code=found.code), "warn")
        return redirect(url_for("store.batch"))
    rules = current_rules()
    now = clock.now()
    document = slip_pdf(paper.packing_list(found, rules, now))
    name = f"packing-list-{found.code}-{local_date(now, rules.tz).isoformat()}.pdf"
    return send_document(document, name, _("The packing list of batch %(code)s", code=found.code))


# --- Receiving a return parcel --------------------------------------------------------

TALLY_KEY = "receive_tally"
TONE = {scanning.OK: "ok", scanning.WARNING: "warn", scanning.REFUSED: "error"}


def tally(batch_id: int) -> dict:
    return session.get(TALLY_KEY, {}).get(str(batch_id), {})


def count_in_tally(batch_id: int, code: str) -> None:
    # Duplicates and strangers are not stored anywhere else; the session keeps them per check.
    tallies = session.get(TALLY_KEY, {})
    mine = tallies.setdefault(str(batch_id), {})
    mine[code] = mine.get(code, 0) + 1
    session[TALLY_KEY] = {str(batch_id): mine}


def invalid_scan(form: ScanForm):
    """A scan field left empty or too long, for the page's script."""
    message = " ".join(map(str, form.code.errors))
    return jsonify({"outcome": scanning.REFUSED, "code": "invalid", "message": message}), 422


@bp.route("/receive", methods=["GET", "POST"])
@role_required(Role.STORE)
def receive():
    store = acting_store()
    form = ScanForm()
    status = 200
    if form.validate_on_submit():
        found, result = scanning.scan_batch(current_user, form.code.data)
        message = translate(result.message, result.params)
        if found is not None:
            if request.is_json:  # the page's script opens the parcel's check
                target = url_for("store.receive_batch", batch_id=found.id)
                return jsonify({"outcome": scanning.OK, "code": result.code, "message": message, "go_to": target})
            flash(message, "ok")
            return redirect(url_for("store.receive_batch", batch_id=found.id))
        discard()
        status = 404 if result.code == "unknown_batch" else 422
        if request.is_json:
            return jsonify({"outcome": scanning.REFUSED, "code": result.code, "message": message}), status
        flash(message, "error")
    elif request.method == "POST":
        if request.is_json:
            return invalid_scan(form)
        flash(" ".join(map(str, form.code.errors)), "error")
        status = 400
    coming = returns.coming_back(current_user, store)
    return render_template("store/receive.html", form=ScanForm(formdata=None), coming=coming), status


def back_to_check(error, batch_id: int):
    if request.is_json:
        return scan_refused(error)
    return redirect(url_for("store.receive_batch", batch_id=batch_id))


@bp.route("/receive/<int:batch_id>")
@role_required(Role.STORE)
def receive_batch(batch_id: int):
    found = returns.return_parcel_of(current_user, acting_store(), batch_id)
    return render_template(
        "store/receive_batch.html",
        batch=found,
        figures=check_figures(found),
        form=ScanForm(formdata=None),
        close_form=CloseCheckForm(formdata=None),
        correction_form=CorrectionForm(formdata=None),
    )


@bp.route("/receive/<int:batch_id>/scan", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(back_to_check)
def receive_scan(batch_id: int):
    found = returns.return_parcel_of(current_user, acting_store(), batch_id, for_update=True)
    form = ScanForm()
    if not form.validate_on_submit():
        if request.is_json:
            return invalid_scan(form)
        flash(" ".join(map(str, form.code.errors)), "error")
        return redirect(url_for("store.receive_batch", batch_id=found.id))
    if request.is_json:  # the page's script, with an Idempotency-Key: a scan sent twice counts once
        return idempotency.run_for_page(lambda: jsonify(receive_scan_answer(found, form.code.data)))
    result = receive_back(found, form.code.data)
    flash(translate(result.message, result.params), TONE[result.outcome])
    return redirect(url_for("store.receive_batch", batch_id=found.id))


def receive_back(found: Batch, text: str) -> scanning.ScanResult:
    scanning.start_check(current_user, found)
    result = returns.receive_back_scan(current_user, found, text, current_rules(), at=clock.now())
    if result.outcome == scanning.REFUSED:
        discard()
    if result.code != "received":
        count_in_tally(found.id, result.code)
    return result


def check_figures(found: Batch) -> dict:
    """The figures at the top of a return parcel's check, by the names the page marks them with."""
    counts = scanning.check_counts(found)
    mine = tally(found.id)
    return {
        "expected": counts.expected,
        "received": counts.received,
        "pending": max(counts.expected - counts.received, 0),
        "twice": mine.get("already_received", 0),
        "strangers": mine.get("wrong_batch", 0) + mine.get("unknown_piece", 0),
    }


def receive_scan_answer(found: Batch, text: str) -> dict:
    result = receive_back(found, text)
    db.session.flush()
    answer = {
        "outcome": result.outcome,
        "code": result.code,
        "message": translate(result.message, result.params),
        "counts": check_figures(found),
    }
    piece = db.session.get(Piece, result.piece_id) if result.piece_id is not None else None
    if piece is not None and piece.return_batch_id == found.id:
        answer["row"] = {"key": f"piece-{piece.id}", "html": render_template("store/_return_row.html", p=piece)}
    return answer


@bp.route("/receive/<int:batch_id>/close", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(back_to_check)
def receive_close(batch_id: int):
    found = returns.return_parcel_of(current_user, acting_store(), batch_id, for_update=True)
    form = CloseCheckForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.confirm.errors)), "error")
        return redirect(url_for("store.receive_batch", batch_id=found.id))
    counts = scanning.close_check(current_user, found, at=clock.now())
    flash(
        _(
            "Check of batch %(code)s closed: %(received)d of %(expected)d pieces back, %(missing)d missing.",
            code=found.code,
            received=counts.received,
            expected=counts.expected,
            missing=max(counts.expected - counts.received, 0),
        ),
        "ok",
    )
    return redirect(url_for("store.receive_batch", batch_id=found.id))


# --- Registering from a spreadsheet ---------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render_import(preview=None, token=None, status=200):
    chinese = str(get_locale() or "zh_Hans").startswith("zh")

    def column_name(key: str) -> str:
        column = spreadsheet.COLUMN.get(key)
        return "" if column is None else (column.zh if chinese else column.en)

    problems = (
        [(p.row, column_name(p.column), translate(p.message, p.params)) for p in preview.problems] if preview else []
    )
    sources = {s.value: _(s.label) for s in Source}
    return render_template(
        "store/import.html",
        form=ImportUploadForm(formdata=None),
        preview=preview,
        problems=problems,
        token=token,
        confirm_form=ImportDuplicatesForm(formdata=None),
        sources=sources,
    ), status


def import_refused(error):
    """The file's problems listed by row (a refused confirmation lists what changed since); a
    preview confirmed a second time goes to the import it made."""
    if isinstance(error, spreadsheet.AlreadyImported):
        return redirect(url_for("store.import_detail", import_id=error.import_id), 303)
    return render_import(spreadsheet.Preview([], getattr(error, "problems", [])), status=422)


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.STORE)
@on_refusal(import_refused)
def bulk_import():
    store = acting_store()
    if request.method == "GET":
        return render_import()
    form = ImportUploadForm()
    upload = form.file.data if form.validate_on_submit() else None
    if upload is None or not upload.filename:
        flash(_("Choose the XLSX or CSV file to import."), "error")
        return render_import(status=400)
    data = upload.stream.read(spreadsheet.MAX_FILE_BYTES + 1)
    preview = spreadsheet.preview_file(upload.filename, data, current_rules(), at=clock.now())
    if not preview.ok:
        return render_import(preview, status=422)
    return render_import(preview, spreadsheet.sign_rows(preview.rows, store, current_user))


@bp.route("/import/template.xlsx")
@role_required(Role.STORE)
def bulk_template():
    return send_file(
        io.BytesIO(spreadsheet.template_xlsx()),
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name="问题件登记模板-piece-import-template.xlsx",
    )


@bp.route("/import/confirm", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(import_refused)
def bulk_confirm():
    store = acting_store()
    form = ImportDuplicatesForm()
    if not form.validate_on_submit():
        flash(_("Nothing to import: upload the file again."), "error")
        return render_import(status=400)
    rows = spreadsheet.unsign_rows(form.rows.data, store, current_user)
    record, pieces = spreadsheet.import_rows(
        current_user,
        store,
        rows,
        current_rules(),
        at=clock.now(),
        key=spreadsheet.preview_key(form.rows.data),
        duplicates_ticked=form.duplicates.data,
    )
    flash(_("%(n)d pieces registered. Print their labels: “Print every piece not yet labelled”.", n=len(pieces)), "ok")
    return redirect(url_for("store.import_detail", import_id=record.id))


# --- Corrections (更正) ------------------------------------------------------------------


def render_edit(piece: Piece, form: EditPieceForm, status: int = 200):
    form.defect.choices = defect_choices()
    return render_template("store/edit.html", piece=piece, form=form, today=clock.today()), status


def edit_refused(error, piece_id: int):
    return render_edit(scope.get_piece(current_user, piece_id), EditPieceForm())


@bp.route("/pieces/<int:piece_id>/edit", methods=["GET", "POST"])
@role_required(Role.STORE)
@on_refusal(edit_refused)
def edit_piece(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=request.method == "POST")
    if request.method == "GET":
        form = EditPieceForm(formdata=None, obj=piece)
        form.product.data = piece.product.style_code
        form.defect.data = piece.defect_id
        form.source.data = piece.source.value
        return render_edit(piece, form)
    form = EditPieceForm()
    form.defect.choices = defect_choices()
    if not form.validate_on_submit():
        return render_edit(piece, form, 422)
    data = piece_data(form)
    if data is None:
        return render_edit(piece, form, 422)
    uploads = uploads_of(form)
    now = clock.now()
    if uploads and not corrections.changes_of(piece, data):
        photos.add_photos(current_user, piece, uploads, at=now)
    else:
        corrections.edit_piece(current_user, piece, data, form.reason.data, current_rules(), at=now)
        photos.add_photos(current_user, piece, uploads, at=now)
    flash(
        _("Piece %(code)s corrected. Reprint its label if the product, size or defect changed.", code=piece.code), "ok"
    )
    return redirect(url_for("pieces.piece", piece_id=piece.id))


def back_to_piece(error, piece_id: int, **_kwargs):
    return redirect(url_for("pieces.piece", piece_id=piece_id), 303)


@bp.route("/pieces/<int:piece_id>/cancel", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(back_to_piece)
def cancel_piece(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(form.refusal(), "error")
        return redirect(url_for("pieces.piece", piece_id=piece.id), 303)
    corrections.cancel_piece(current_user, piece, form.reason.data, at=clock.now())
    flash(_("Piece %(code)s cancelled: its label is void.", code=piece.code), "ok")
    return redirect(url_for("pieces.piece", piece_id=piece.id))


def back_to_batch(error, batch_id: int):
    return redirect(url_for("store.batch_detail", batch_id=batch_id), 303)


@bp.route("/batches/<int:batch_id>/take-back", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(back_to_batch)
def batch_take_back(batch_id: int):
    store = acting_store()
    found = batches.outbound_of(current_user, store, batch_id, for_update=True)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(form.refusal(), "error")
        return redirect(url_for("store.batch_detail", batch_id=found.id), 303)
    target = corrections.take_back(current_user, store, found, form.reason.data, at=clock.now())
    flash(
        _(
            "Batch %(code)s taken back: its pieces are in batch %(open)s again, and the week's quota is given back. "
            "Dispatch it when the courier comes.",
            code=found.code,
            open=target.code,
        ),
        "ok",
    )
    return redirect(url_for("store.batch"))


@bp.route("/receive/<int:batch_id>/reopen", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(back_to_check)
def receive_reopen(batch_id: int):
    found = returns.return_parcel_of(current_user, acting_store(), batch_id, for_update=True)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(form.refusal(), "error")
        return redirect(url_for("store.receive_batch", batch_id=found.id), 303)
    corrections.reopen_check(current_user, found, form.reason.data, at=clock.now())
    flash(_("Check of batch %(code)s reopened: scan the pieces still to come.", code=found.code), "ok")
    return redirect(url_for("store.receive_batch", batch_id=found.id))


@bp.route("/imports/<int:import_id>")
@role_required(Role.STORE, Role.REGION)
def import_detail(import_id: int):
    record = spreadsheet.import_of(current_user, import_id)
    page = db.paginate(
        spreadsheet.pieces_of(current_user, record).options(selectinload(Piece.product), selectinload(Piece.defect)),
        page=inputs.arg_page(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("store/import_detail.html", record=record, page=page, form=CorrectionForm(formdata=None))


@bp.route("/imports/<int:import_id>/cancel", methods=["POST"])
@role_required(Role.STORE)
@on_refusal(lambda error, import_id: redirect(url_for("store.import_detail", import_id=import_id), 303))
def import_cancel(import_id: int):
    record = spreadsheet.import_of(current_user, import_id, for_update=True)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(form.refusal(), "error")
        return redirect(url_for("store.import_detail", import_id=record.id), 303)
    n = corrections.cancel_import(current_user, record, form.reason.data, at=clock.now())
    flash(_("Import %(number)d cancelled: %(n)d pieces cancelled, their labels void.", number=record.id, n=n), "ok")
    return redirect(url_for("store.import_detail", import_id=record.id))


# --- The second trip (返修) ---------------------------------------------------------------


def found_number(text: str) -> int:
    """A scanned label (its check character verified), else the digits typed by hand."""
    try:
        return parse_code(text, expect=CodeKind.PIECE).number
    except InvalidCode:
        digits = normalise(text).removeprefix("P")
        if digits.isascii() and digits.isdigit() and len(digits) <= 9:
            return int(digits)
        raise


@bp.route("/send-again", methods=["GET", "POST"])
@role_required(Role.STORE)
def send_again_find():
    """Scan the old label, or type its code: the piece that came back."""
    store = acting_store()
    form = ScanForm()
    status = 200
    if form.validate_on_submit():
        try:
            number = found_number(form.code.data)
        except InvalidCode as e:
            flash(translate(e.message, e.params), "error")
            return render_template("store/send_again_find.html", form=form), 422
        piece = scope.find_piece(current_user, number)
        if piece is not None and piece.store_id == store.id:
            return redirect(url_for("store.send_again", piece_id=piece.id))
        flash(_("%(code)s is not one of your store's pieces.", code=form.code.data.strip()), "error")
        status = 404
    elif request.method == "POST":
        flash(" ".join(map(str, form.code.errors)), "error")
        status = 400
    return render_template("store/send_again_find.html", form=ScanForm(formdata=None)), status


def render_send_again(piece: Piece, form: SendAgainForm, status: int = 200):
    form.defect.choices = defect_choices()
    return render_template(
        "store/send_again.html",
        piece=piece,
        form=form,
        flagged=grading.flagged_for_exchange(piece),
        allowed="reopen" in {a.value for a in allowed_piece_actions(piece.status, current_user.role)},
    ), status


@bp.route("/pieces/<int:piece_id>/send-again", methods=["GET", "POST"])
@role_required(Role.STORE)
@on_refusal(lambda error, piece_id: render_send_again(scope.get_piece(current_user, piece_id), SendAgainForm()))
def send_again(piece_id: int):
    store = acting_store()
    piece = scope.get_piece(current_user, piece_id, for_update=request.method == "POST")
    if piece.store_id != store.id:
        abort(404)
    if request.method == "GET":
        return render_send_again(piece, SendAgainForm(formdata=None, defect=piece.defect_id))
    form = SendAgainForm()
    form.defect.choices = defect_choices()
    if not form.validate_on_submit():
        return render_send_again(piece, form, 422)
    now = clock.now()
    uploads = uploads_of(form)
    trip = trips.NewTrip(
        defect=db.session.get(DefectCode, form.defect.data),
        description=form.description.data or "",
        source=Source(form.source.data),
    )
    trips.send_again(current_user, piece, trip, at=now)
    photos.add_photos(current_user, piece, uploads, at=now)
    flash(
        _(
            "Piece %(code)s is sent in again (trip %(n)d): its label stays the same. Pack it into this week's batch.",
            code=piece.code,
            n=piece.trip,
        ),
        "ok",
    )
    return redirect(url_for("pieces.piece", piece_id=piece.id))
