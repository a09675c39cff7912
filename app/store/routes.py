"""The store desk: the store's pieces, registering them, labels, the weekly batch, parcels back."""

import io
import re
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
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
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app import inputs, navigation
from app.access import role_required
from app.errors import render_error
from app.extensions import db
from app.i18n import error_text, translate
from app.models import Batch, DefectCode, Piece, Product, Store
from app.services import batches, clock, photos, registration, returns, scanning, scope, timeline
from app.services import bulk_import as spreadsheet
from app.services.settings import rules as current_rules
from app.store import paper
from app.store.forms import (
    SOURCE_CHOICES,
    CloseCheckForm,
    ConfirmForm,
    DispatchForm,
    ImportConfirmForm,
    ImportUploadForm,
    LabelForm,
    PhotosForm,
    PieceForm,
    ScanForm,
)
from labels import item_sheet, slip_pdf, thermal_labels
from workshop.blame import inspection_warning
from workshop.clock import local_date
from workshop.codes import CodeKind, normalise, parse_code
from workshop.errors import AlreadyDone, DomainError, InvalidCode
from workshop.quota import IsoWeek
from workshop.roles import Role
from workshop.statuses import BatchStatus, DefectKind, Direction, PieceStatus, Source
from workshop.text import N_

bp = Blueprint("store", __name__, template_folder="templates", url_prefix="/store")

LIST_ROLES = (Role.STORE, Role.REGION)


@bp.record_once
def _menu(state) -> None:
    navigation.add(state.app, "store.index", N_("Pieces"), {Role.STORE, Role.REGION, Role.ADMIN}, order=10)
    navigation.add(state.app, "store.register", N_("Register a piece"), {Role.STORE}, order=11)
    navigation.add(state.app, "store.batch", N_("Weekly batch"), {Role.STORE}, order=12)
    navigation.add(state.app, "store.receive", N_("Receive a parcel"), {Role.STORE}, order=13)


def acting_store() -> Store:
    """The store these pages act for: the user's own. Others are refused politely."""
    if current_user.store is None:
        abort(make_response(*render_error(403, _("These pages act for one store: log in as a member of its staff."))))
    return current_user.store


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


# --- The list of pieces ---------------------------------------------------------------

WEEK_TEXT = re.compile(r"^(\d{4})-?W(\d{1,2})$")
PARTIAL_CODE = re.compile(r"^P?0*(\d{1,8})$")


def parse_week(text: str) -> IsoWeek | None:
    match = WEEK_TEXT.match(text.strip().upper())
    if not match:
        return None
    week = IsoWeek(int(match[1]), int(match[2]))
    try:
        date.fromisocalendar(week.year, week.week, 1)
    except ValueError:
        return None
    return week


def code_number(text: str) -> int:
    """A piece's number from a full code, or from its digits typed without the check character."""
    raw = normalise(text)
    match = PARTIAL_CODE.match(raw)
    if match:
        return int(match[1])
    return parse_code(raw, expect=CodeKind.PIECE).number


@bp.route("/")
@role_required(*LIST_ROLES)
def index():
    rules = current_rules()
    today = local_date(clock.now(), rules.tz)
    args = request.args
    query = scope.pieces(current_user)
    stores = []
    if current_user.role != Role.STORE:
        stores = list(db.session.scalars(scope.stores(current_user)))
        if inputs.arg_int("store"):
            query = query.where(Piece.store_id == inputs.arg_int("store"))
    if args.get("status") in set(PieceStatus):
        query = query.where(Piece.status == PieceStatus(args["status"]))
    week = parse_week(args.get("week", ""))
    if args.get("week") and week is None:
        flash(_("Give the week like 2026-W48."), "error")
    if week is not None:
        query = query.where(Piece.batch_id.in_(select(Batch.id).where(Batch.iso_week == week.key)))
    if inputs.arg_int("defect"):
        query = query.where(Piece.defect_id == inputs.arg_int("defect"))
    if args.get("q", "").strip():
        try:
            query = query.where(Piece.id == code_number(args["q"]))
        except InvalidCode as e:
            flash(error_text(e), "error")
            query = query.where(Piece.id.is_(None))
    query = query.options(
        selectinload(Piece.product), selectinload(Piece.defect), selectinload(Piece.store), selectinload(Piece.batch)
    ).order_by(Piece.registered_at.desc(), Piece.id.desc())  # ix_piece_store_registered serves a store's list
    page = db.paginate(query, page=inputs.arg_page(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    clocks = {piece.id: timeline.piece_clock(piece, rules, today) for piece in page.items if piece.due_on is not None}
    defects = db.session.scalars(select(DefectCode).order_by(DefectCode.code)).all()
    return render_template(
        "store/index.html",
        page=page,
        clocks=clocks,
        stores=stores,
        defects=defects,
        statuses=list(PieceStatus),
        label_form=LabelForm(),
        can_print=current_user.role in (Role.STORE, Role.ADMIN),
        week=week,
    )


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
    text = request.args.get("q", "").strip()
    if not text:
        return jsonify([])
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = db.session.scalars(
        select(Product)
        .where(
            Product.active.is_(True),
            or_(
                Product.style_code.ilike(pattern + "%", escape="\\"),
                Product.name.ilike("%" + pattern + "%", escape="\\"),
            ),
        )
        .order_by(Product.style_code)
        .limit(15)
    )
    return jsonify([{"code": p.style_code, "name": p.name} for p in rows])


def find_product(style_code: str) -> Product | None:
    return db.session.scalars(
        select(Product).where(func.upper(Product.style_code) == style_code.strip().upper())
    ).one_or_none()


@bp.route("/register", methods=["GET", "POST"])
@role_required(Role.STORE)
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
    context = {"store": store, "today": local_date(now, rules.tz), "rules": rules, "rule3": rule3_sentence()}
    if not form.validate_on_submit():
        return render_template("store/register.html", form=form, **context), 422 if request.method == "POST" else 200
    product = find_product(form.product.data)
    if product is None:
        form.product.errors = [_("No product has the style code %(code)s.", code=form.product.data.strip())]
        return render_template("store/register.html", form=form, **context), 422
    defect = db.session.get(DefectCode, form.defect.data)
    data = registration.NewPiece(
        product=product,
        defect=defect,
        source=Source(form.source.data),
        size=form.size.data or "",
        colour=form.colour.data or "",
        description=form.description.data or "",
        delivery_received_on=form.delivery_received_on.data if form.source.data == Source.DELIVERY else None,
    )
    added = []
    try:
        uploads = [
            photos.read_upload(f.stream, f.filename) for f in form.photos.data or [] if getattr(f, "filename", "")
        ]
        piece = registration.register_piece(current_user, store, data, rules, at=now)
        added = photos.add_photos(current_user, piece, uploads, upload_folder(), at=now)
        db.session.commit()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return render_template("store/register.html", form=form, **context), 422
    except Exception:
        db.session.rollback()
        photos.remove_files(photos.files_of(added, upload_folder()))
        raise
    flash(_("Piece %(code)s registered. Print its label from the list of pieces.", code=piece.code), "ok")
    warning = registration.counter_warning(data, rules, local_date(now, rules.tz))
    if warning is not None:
        flash(warning.text(_), "warn")
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


@bp.route("/pieces/<int:piece_id>/photos", methods=["GET", "POST"])
@role_required(Role.STORE)
def add_photos(piece_id: int):
    piece = scope.get_piece(current_user, piece_id, for_update=request.method == "POST")
    form = PhotosForm()
    if not form.validate_on_submit():
        return render_template("store/photos.html", piece=piece, form=form), 422 if request.method == "POST" else 200
    added = []
    try:
        uploads = [
            photos.read_upload(f.stream, f.filename) for f in form.photos.data or [] if getattr(f, "filename", "")
        ]
        added = photos.add_photos(current_user, piece, uploads, upload_folder(), at=clock.now())
        db.session.commit()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return render_template("store/photos.html", piece=piece, form=form), 422
    except Exception:
        db.session.rollback()
        photos.remove_files(photos.files_of(added, upload_folder()))
        raise
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
    data = [paper.piece_label(p, rules) for p in pieces]
    # Render first: a failed rendering must not mark anything as labelled.
    if form.format.data == "thermal":
        pdf = thermal_labels(data)
    else:
        pdf = item_sheet(data, start_position=form.start.data or 1)
    registration.mark_labelled(current_user, pieces, at=now)
    db.session.commit()
    name = f"labels-{local_date(now, rules.tz).isoformat()}-{len(pieces)}.pdf"
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)


@bp.route("/pieces/<int:piece_id>/label", methods=["POST"])
@role_required(Role.STORE)
def label_one(piece_id: int):
    return print_labels([scope.get_piece(current_user, piece_id, for_update=True)])


@bp.route("/labels", methods=["POST"])
@role_required(Role.STORE)
def label_many():
    if request.form.get("which") == "unlabelled":
        query = scope.pieces(current_user).where(Piece.labelled_at.is_(None))
        if current_user.store_id is not None:
            query = query.where(Piece.store_id == current_user.store_id)
        pieces = list(db.session.scalars(query.order_by(Piece.id).with_for_update()))
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
    waiting = []
    if batch is None or batch.status == BatchStatus.OPEN:
        waiting = db.session.scalars(
            scope.pieces(current_user)
            .where(Piece.store_id == store.id, Piece.status == PieceStatus.REGISTERED)
            .options(selectinload(Piece.product), selectinload(Piece.defect))
            .order_by(Piece.id)
            .limit(500)
        ).all()
    recent = db.session.scalars(
        scope.batches(current_user)
        .where(Batch.store_id == store.id, Batch.direction == Direction.OUTBOUND, Batch.status != BatchStatus.OPEN)
        .order_by(Batch.id.desc())
        .limit(10)
    ).all()
    return render_template(
        "store/batch.html",
        store=store,
        batch=batch,
        quota=quota,
        waiting=waiting,
        recent=recent,
        scan_form=ScanForm(formdata=None),
        dispatch_form=dispatch_form or DispatchForm(formdata=None),
        confirm_form=ConfirmForm(),
        today=local_date(now, rules.tz),
    ), status


def open_batch_for(store: Store) -> Batch | None:
    return batches.open_batch(store, Direction.OUTBOUND)


def batch_refusal(store: Store, message: str, status: int):
    db.session.rollback()
    flash(message, "error")
    return render_batch(store, open_batch_for(store), status)


@bp.route("/batch")
@role_required(Role.STORE)
def batch():
    store = acting_store()
    return render_batch(store, open_batch_for(store))


@bp.route("/batches/<int:batch_id>")
@role_required(Role.STORE)
def batch_detail(batch_id: int):
    store = acting_store()
    found = scope.get_batch(current_user, batch_id)
    if found.direction != Direction.OUTBOUND or found.store_id != store.id:
        abort(404)
    if found.status == BatchStatus.OPEN:
        return redirect(url_for("store.batch"))
    return render_batch(store, found)


def add_to_open_batch(store: Store, pieces: list[Piece]):
    now = clock.now()
    try:
        target = batches.open_or_create_batch(current_user, store, Direction.OUTBOUND, at=now)
        for piece in pieces:
            batches.add_piece(current_user, target, piece, at=now)
        db.session.commit()
    except AlreadyDone as e:
        db.session.rollback()
        flash(error_text(e), "warn")
        return redirect(url_for("store.batch"))
    except DomainError as e:
        return batch_refusal(store, error_text(e), 409)
    except IntegrityError:
        # Two people opened this week's batch at the same moment: the other one won.
        return batch_refusal(store, _("Someone else just opened this week's batch. Scan the piece again."), 409)
    return target


@bp.route("/batch/scan", methods=["POST"])
@role_required(Role.STORE)
def batch_scan():
    store = acting_store()
    form = ScanForm()
    if not form.validate_on_submit():
        return batch_refusal(store, " ".join(map(str, form.code.errors)), 400)
    try:
        code = parse_code(form.code.data, expect=CodeKind.PIECE)
    except InvalidCode as e:
        return batch_refusal(store, error_text(e), 400)
    piece = scope.find_piece(current_user, code.number, for_update=True)
    if piece is None or piece.store_id != store.id:
        return batch_refusal(store, _("%(code)s is not one of your store's pieces.", code=str(code)), 404)
    result = add_to_open_batch(store, [piece])
    if not isinstance(result, Batch):
        return result
    flash(_("Piece %(code)s added to batch %(batch)s.", code=piece.code, batch=result.code), "ok")
    return redirect(url_for("store.batch"))


@bp.route("/batch/add", methods=["POST"])
@role_required(Role.STORE)
def batch_add():
    store = acting_store()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = inputs.form_ids("piece_ids")
    pieces = [scope.get_piece(current_user, piece_id, for_update=True) for piece_id in ids]
    if any(p.store_id != store.id for p in pieces):
        abort(404)
    if not pieces:
        flash(_("Tick the pieces to add."), "warn")
        return redirect(url_for("store.batch"))
    result = add_to_open_batch(store, pieces)
    if not isinstance(result, Batch):
        return result
    flash(_("%(n)d pieces added to batch %(batch)s.", n=len(pieces), batch=result.code), "ok")
    return redirect(url_for("store.batch"))


@bp.route("/batches/<int:batch_id>/remove/<int:piece_id>", methods=["POST"])
@role_required(Role.STORE)
def batch_remove(batch_id: int, piece_id: int):
    store = acting_store()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    found = scope.get_batch(current_user, batch_id, for_update=True)
    piece = scope.get_piece(current_user, piece_id, for_update=True)
    if found.store_id != store.id:
        abort(404)
    try:
        batches.remove_piece(current_user, found, piece, at=clock.now())
        db.session.commit()
    except DomainError as e:
        return batch_refusal(store, error_text(e), 409)
    flash(_("Piece %(code)s taken out of batch %(batch)s.", code=piece.code, batch=found.code), "ok")
    return redirect(url_for("store.batch"))


@bp.route("/batches/<int:batch_id>/dispatch", methods=["POST"])
@role_required(Role.STORE)
def batch_dispatch(batch_id: int):
    store = acting_store()
    found = scope.get_batch(current_user, batch_id, for_update=True)
    if found.direction != Direction.OUTBOUND or found.store_id != store.id:
        abort(404)
    rules = current_rules()
    now = clock.now()
    form = DispatchForm()
    if not form.validate_on_submit():
        return render_batch(store, found if found.status == BatchStatus.OPEN else open_batch_for(store), 422, form)
    quota = batches.quota_check(store, rules, at=now)
    if quota.extra and form.shipping_fee.data is None:
        form.shipping_fee.errors = [
            _("This batch is beyond the store's weekly quota: enter the shipping fee the store pays.")
        ]
        return render_batch(store, found, 422, form)
    try:
        batches.dispatch_batch(
            current_user,
            found,
            rules,
            carrier=form.carrier_name(),
            tracking_no=form.tracking_no.data,
            shipping_fee=form.shipping_fee.data if quota.extra else None,
            at=now,
        )
        db.session.commit()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return render_batch(store, open_batch_for(store), 409, form)
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
        flash(
            _("Batch %(code)s is not dispatched yet: its slip is printed once it is dispatched.", code=found.code),
            "error",
        )
        return redirect(url_for("store.batch"))
    rules = current_rules()
    pdf = slip_pdf(paper.dispatch_slip(found, rules))
    name = f"slip-{found.code}-{local_date(found.dispatched_at, rules.tz).isoformat()}.pdf"
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)


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


@bp.route("/receive", methods=["GET", "POST"])
@role_required(Role.STORE)
def receive():
    store = acting_store()
    form = ScanForm()
    status = 200
    if form.validate_on_submit():
        found, result = scanning.scan_batch(current_user, form.code.data)
        if found is not None:
            db.session.commit()
            flash(translate(result.message, result.params), "ok")
            return redirect(url_for("store.receive_batch", batch_id=found.id))
        db.session.rollback()
        flash(translate(result.message, result.params), "error")
        status = 404 if result.code == "unknown_batch" else 422
    elif request.method == "POST":
        flash(" ".join(map(str, form.code.errors)), "error")
        status = 400
    coming = db.session.scalars(
        scope.batches(current_user)
        .where(
            Batch.store_id == store.id,
            Batch.direction == Direction.RETURN,
            Batch.status.in_([BatchStatus.DISPATCHED, BatchStatus.CHECKING]),
        )
        .order_by(Batch.id)
    ).all()
    return render_template("store/receive.html", form=ScanForm(formdata=None), coming=coming), status


def return_batch(batch_id: int, for_update: bool = False) -> Batch:
    store = acting_store()
    found = scope.get_batch(current_user, batch_id, for_update=for_update)
    if found.direction != Direction.RETURN or found.store_id != store.id or found.status == BatchStatus.OPEN:
        abort(404)
    return found


@bp.route("/receive/<int:batch_id>")
@role_required(Role.STORE)
def receive_batch(batch_id: int):
    found = return_batch(batch_id)
    counts = scanning.check_counts(found)
    return render_template(
        "store/receive_batch.html",
        batch=found,
        counts=counts,
        tally=tally(found.id),
        form=ScanForm(formdata=None),
        close_form=CloseCheckForm(formdata=None),
    )


@bp.route("/receive/<int:batch_id>/scan", methods=["POST"])
@role_required(Role.STORE)
def receive_scan(batch_id: int):
    found = return_batch(batch_id, for_update=True)
    form = ScanForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.code.errors)), "error")
        return redirect(url_for("store.receive_batch", batch_id=found.id))
    try:
        scanning.start_check(current_user, found)
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return redirect(url_for("store.receive_batch", batch_id=found.id))
    result = returns.receive_back_scan(current_user, found, form.code.data, current_rules(), at=clock.now())
    if result.outcome == scanning.REFUSED:
        db.session.rollback()
    else:
        db.session.commit()
    if result.code != "received":
        count_in_tally(found.id, result.code)
    flash(translate(result.message, result.params), TONE[result.outcome])
    return redirect(url_for("store.receive_batch", batch_id=found.id))


@bp.route("/receive/<int:batch_id>/close", methods=["POST"])
@role_required(Role.STORE)
def receive_close(batch_id: int):
    found = return_batch(batch_id, for_update=True)
    form = CloseCheckForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.confirm.errors)), "error")
        return redirect(url_for("store.receive_batch", batch_id=found.id))
    try:
        counts = scanning.close_check(current_user, found, at=clock.now())
        db.session.commit()
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return redirect(url_for("store.receive_batch", batch_id=found.id))
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
        confirm_form=ImportConfirmForm(formdata=None),
        sources=sources,
    ), status


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.STORE)
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
    try:
        preview = spreadsheet.preview_file(upload.filename, data, current_rules(), at=clock.now())
    except DomainError as e:
        flash(error_text(e), "error")
        return render_import(status=422)
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
def bulk_confirm():
    store = acting_store()
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("Nothing to import: upload the file again."), "error")
        return render_import(status=400)
    try:
        rows = spreadsheet.unsign_rows(form.rows.data, store, current_user)
        pieces = spreadsheet.import_rows(current_user, store, rows, current_rules(), at=clock.now())
        db.session.commit()
    except spreadsheet.ImportRefused as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return render_import(spreadsheet.Preview([], e.problems), status=422)
    except DomainError as e:
        db.session.rollback()
        flash(error_text(e), "error")
        return render_import(status=422)
    flash(_("%(n)d pieces registered. Print their labels: “Print every piece not yet labelled”.", n=len(pieces)), "ok")
    return redirect(url_for("store.index"))
