"""Spare parts (备件): the stock of each location, a part's ledger, receiving with a receipt
slip, reorder points and the parts to order, write-offs and transfers to stores.

Views call one service each; app.boundary commits or turns a refusal into the person's message.
"""

import io
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, select
from wtforms.fields.choices import SelectChoice

from app import clock, inputs, navigation
from app.access import role_required
from app.boundary import on_refusal
from app.documents import LABEL_FILE, send_document, warn_missing
from app.extensions import db
from app.models import PartStock, SparePart, StockLocation, Store, Supplier
from app.services import exports, old_parts, paper, printing, requisitions, scope, settings, stock, stocktakes
from app.services.finance import repair_costs
from app.spares.forms import (
    ButtonForm,
    CountForm,
    DecisionForm,
    MoveForm,
    PartLabelForm,
    ReceiptForm,
    RequisitionForm,
    ReturnForm,
    ShelfForm,
    SparesSettingsForm,
)
from labels import stock_pdf
from workshop.clock import local_date
from workshop.codes import CodeKind, parse_code
from workshop.errors import RuleViolation
from workshop.money import Month, money
from workshop.roles import Role
from workshop.statuses import RequisitionStatus
from workshop.stock import OldPartAction
from workshop.text import N_
from workshop.transitions import RequisitionAction, StocktakeAction

bp = Blueprint("spares", __name__, template_folder="templates", url_prefix="/spares")

READERS = (Role.TECHNICIAN, Role.FINANCE, Role.STORE, Role.REGION)  # admin always may
KEEPERS = (Role.TECHNICIAN,)


@bp.record_once
def _menu(state) -> None:
    navigation.add(state.app, "spares.index", N_("Spare parts"), {Role.TECHNICIAN, Role.FINANCE, Role.ADMIN}, order=30)


@bp.app_template_filter("yuan")
def yuan(value: Decimal | None) -> str:
    """Money as the ``money`` filter shows it (¥1,234.50), without Babel's pattern parsing on
    every call: a stock or ledger page shows a hundred amounts."""
    if value is None:
        return ""
    cents = money(value)
    return f"{'-' if cents < 0 else ''}¥{abs(cents):,.2f}"


def _can_keep() -> bool:
    return current_user.role in (Role.TECHNICIAN, Role.ADMIN)


@bp.route("/")
@role_required(*READERS)
def index():
    if current_user.role in scope.WORKSHOP_WIDE:
        return redirect(url_for("spares.stock_page", location_id=stock.workshop_location().id))
    found = db.session.scalar(scope.stock_locations(current_user).order_by(StockLocation.id).limit(1))
    if found is None:
        return render_template("spares/none.html")
    return redirect(url_for("spares.stock_page", location_id=found.id))


@bp.route("/<int:location_id>/")
@role_required(*READERS)
def stock_page(location_id: int):
    return _stock(location_id, only_to_order=False)


@bp.route("/<int:location_id>/to-order")
@role_required(*READERS)
def to_order(location_id: int):
    return _stock(location_id, only_to_order=True)


def _stock(location_id: int, *, only_to_order: bool):
    location = scope.get_stock_location(current_user, location_id)
    q = (request.args.get("q") or "").strip()[:60]
    after = (request.args.get("after") or "").strip()[:20]
    page = stock.stock_page(location, search=q, after=after, only_to_order=only_to_order)
    return render_template(
        "spares/stock.html",
        location=location,
        location_name=stock.location_name(location),
        page=page,
        q=q,
        after=after,
        only_to_order=only_to_order,
        can_keep=_can_keep(),
        locations=_other_locations(location),
        label_form=_label_form(),
    )


def _label_form() -> PartLabelForm | None:
    """The shelf-label form for those who keep the shelves (the workshop's label printers)."""
    if not _can_keep():
        return None
    printers = printing.printers_for(current_user)
    form = PartLabelForm(formdata=None)
    form.printer.choices = [SelectChoice(p.id, f"{p.name} ({p.address})") for p in printers]
    return form


def _other_locations(location: StockLocation) -> list[tuple[int, str]]:
    """The locations this user may switch to (a handful: the workshop and the stores that keep parts)."""
    found = db.session.scalars(scope.stock_locations(current_user).order_by(StockLocation.id).limit(50))
    return [(loc.id, stock.location_name(loc)) for loc in found if loc.id != location.id]


# --- A part's ledger ----------------------------------------------------------------------


@bp.route("/<int:location_id>/parts/<int:part_id>")
@role_required(*READERS)
def part(location_id: int, part_id: int):
    return _part_page(location_id, part_id)


def _part_page(location_id: int, part_id: int, status: int = 200, shelf_form=None, move_form=None, return_form=None):
    location = scope.get_stock_location(current_user, location_id)
    spare = stock.get_part(part_id)
    shelf = stock.find_shelf(location, spare.id)
    before = inputs.arg_int("before")
    ledger = stock.ledger(shelf, before=before) if shelf is not None else stock.LedgerPage([], None)
    if shelf_form is None:
        shelf_form = ShelfForm(
            formdata=None,
            shelf=shelf.shelf if shelf else "",
            reorder_point=shelf.reorder_point if shelf else 0,
            reorder_quantity=shelf.reorder_quantity if shelf else 0,
        )
    return render_template(
        "spares/part.html",
        location=location,
        location_name=stock.location_name(location),
        part=spare,
        shelf=shelf,
        row=stock.StockRow(spare, shelf),
        ledger=ledger,
        before=before,
        can_keep=_can_keep(),
        shelf_form=shelf_form,
        move_form=move_form or MoveForm(formdata=None),
        return_form=return_form or ReturnForm(formdata=None),
        is_workshop=location.store_id is None,
        label_form=_label_form(),
        names=_location_names([m.other_location_id for m in ledger.movements if m.other_location_id]),
    ), status


def _location_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = db.session.scalars(select(StockLocation).where(StockLocation.id.in_(set(ids))))
    return {loc.id: stock.location_name(loc) for loc in found}


def _part_again(form_name: str, form_class):
    def again(error, location_id: int, part_id: int):
        return _part_page(location_id, part_id, **{form_name: form_class()})

    return again


@bp.route("/<int:location_id>/parts/<int:part_id>/shelf", methods=["POST"])
@role_required(*KEEPERS)
@on_refusal(_part_again("shelf_form", ShelfForm))
def shelf(location_id: int, part_id: int):
    location = scope.get_stock_location(current_user, location_id)
    spare = stock.get_part(part_id)
    form = ShelfForm()
    if not form.validate_on_submit():
        return _part_page(location_id, part_id, 422, shelf_form=form)
    stock.set_reorder(location, spare, form.reorder_point.data, form.reorder_quantity.data or 0, form.shelf.data or "")
    flash(_("Shelf and reorder point of %(part)s saved.", part=spare.code), "ok")
    return redirect(url_for("spares.part", location_id=location_id, part_id=part_id))


@bp.route("/<int:location_id>/parts/<int:part_id>/write-off", methods=["POST"])
@role_required(*KEEPERS)
@on_refusal(_part_again("move_form", MoveForm))
def write_off(location_id: int, part_id: int):
    location = scope.get_stock_location(current_user, location_id)
    spare = stock.get_part(part_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _part_page(location_id, part_id, 422, move_form=form)
    stock.write_off(current_user, location, spare, form.quantity.data, form.reason.data or "")
    flash(_("%(n)d × %(part)s written off.", n=form.quantity.data, part=spare.code), "ok")
    return redirect(url_for("spares.part", location_id=location_id, part_id=part_id))


@bp.route("/<int:location_id>/parts/<int:part_id>/transfer", methods=["POST"])
@role_required(*KEEPERS)
@on_refusal(_part_again("move_form", MoveForm))
def transfer(location_id: int, part_id: int):
    location = scope.get_stock_location(current_user, location_id)
    spare = stock.get_part(part_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _part_page(location_id, part_id, 422, move_form=form)
    code = (form.store.data or "").strip()
    store = db.session.scalar(select(Store).where(Store.code == code)) if code else None
    if store is None:
        raise RuleViolation(N_("Enter the code of the store the parts go to."))
    stock.transfer(
        current_user, location, stock.store_location(store), spare, form.quantity.data, form.reason.data or ""
    )
    flash(_("%(n)d × %(part)s sent to %(store)s.", n=form.quantity.data, part=spare.code, store=store.name), "ok")
    return redirect(url_for("spares.part", location_id=location_id, part_id=part_id))


# --- Receiving ----------------------------------------------------------------------------


@bp.route("/<int:location_id>/receive", methods=["GET", "POST"])
@role_required(*KEEPERS)
@on_refusal(lambda error, location_id: _receive_page(location_id, ReceiptForm()))
def receive(location_id: int):
    location = scope.get_stock_location(current_user, location_id)
    form = ReceiptForm()
    if not form.validate_on_submit():
        return _receive_page(location_id, form, 422 if form.errors else 200)
    supplier_id = None
    if (form.supplier.data or "").strip():
        supplier = db.session.scalar(select(Supplier).where(Supplier.code == form.supplier.data.strip()))
        if supplier is None:
            raise RuleViolation(N_("No supplier has the code %(code)s."), code=form.supplier.data.strip()[:40])
        supplier_id = supplier.id
    lines = []
    for number, row in enumerate(form.lines, start=1):
        code = (row.part.data or "").strip()
        if not code:
            continue
        found = stock.part_by_code(code)
        if found is None:
            raise RuleViolation(N_("Line %(n)d: no spare part has the code %(code)s."), n=number, code=code[:40])
        if row.quantity.data is None or row.unit_price.data is None:
            raise RuleViolation(N_("Line %(n)d: enter the quantity and the unit price."), n=number)
        lines.append(stock.ReceiptLineIn(found.id, row.quantity.data, row.unit_price.data))
    receipt = stock.receive(
        current_user,
        location,
        lines,
        supplier_id=supplier_id,
        delivery_note=form.delivery_note.data or "",
        note=form.note.data or "",
    )
    flash(_("Receipt %(number)s recorded: print its slip in two copies.", number=receipt.number), "ok")
    return redirect(url_for("spares.receipt", receipt_id=receipt.id))


def _receive_page(location_id: int, form, status: int = 200):
    location = scope.get_stock_location(current_user, location_id)
    return render_template(
        "spares/receive.html", location=location, location_name=stock.location_name(location), form=form
    ), status


@bp.route("/receipts/<int:receipt_id>")
@role_required(*READERS)
def receipt(receipt_id: int):
    found = stock.get_receipt(current_user, receipt_id)
    return render_template("spares/receipt.html", receipt=found, location_name=stock.location_name(found.location))


@bp.route("/receipts/<int:receipt_id>/slip.pdf")
@role_required(*READERS)
def receipt_slip(receipt_id: int):
    found = stock.get_receipt(current_user, receipt_id)
    document = paper.receipt_document(found, stock.location_name(found.location), settings.rules())
    return send_document(stock_pdf(document), f"{found.number}.pdf", _("the receipt slip"), inline=True)


# --- Settings -----------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@role_required()
@on_refusal(lambda error: _settings_page(SparesSettingsForm()))
def spares_settings():
    now = settings.spares()
    form = SparesSettingsForm(
        data={
            "labour_rate": now.labour_rate,
            "requisition_quantity": now.limits.quantity,
            "requisition_value": now.limits.value,
        }
        if request.method == "GET"
        else None
    )
    if not form.validate_on_submit():
        return _settings_page(form, 422 if form.errors else 200)
    settings.save_spares(form.labour_rate.data, form.requisition_quantity.data, form.requisition_value.data)
    flash(_("Spare parts settings saved."), "ok")
    return redirect(url_for("spares.spares_settings"))


def _settings_page(form, status: int = 200):
    return render_template("spares/settings.html", form=form), status


# --- Stocktakes ---------------------------------------------------------------------------


@bp.route("/<int:location_id>/stocktakes")
@role_required(*READERS)
def stocktakes_page(location_id: int):
    location = scope.get_stock_location(current_user, location_id)
    found, next_before = stocktakes.for_location(location, inputs.arg_int("before"))
    return render_template(
        "spares/stocktakes.html",
        location=location,
        location_name=stock.location_name(location),
        stocktakes=found,
        next_before=next_before,
        can_keep=_can_keep(),
        form=ButtonForm(),
    )


@bp.route("/<int:location_id>/stocktakes", methods=["POST"])
@role_required(*KEEPERS)
def start_stocktake(location_id: int):
    location = scope.get_stock_location(current_user, location_id, for_update=True)
    found = stocktakes.start(current_user, location)
    flash(_("Stocktake %(number)s started: print the count sheet, then count.", number=found.number), "ok")
    return redirect(url_for("spares.stocktake", stocktake_id=found.id))


@bp.route("/stocktakes/<int:stocktake_id>")
@role_required(*READERS)
def stocktake(stocktake_id: int):
    return _stocktake_page(stocktake_id)


def _stocktake_page(stocktake_id: int, status: int = 200, count_form=None):
    found = stocktakes.get(current_user, stocktake_id)
    rows = stocktakes.lines(found)
    return render_template(
        "spares/stocktake.html",
        stocktake=found,
        location=found.location,
        location_name=stock.location_name(found.location),
        rows=[
            (line, shelf, line.counted - line.book, stocktakes.difference_value(line, shelf)) for line, shelf in rows
        ],
        count_form=count_form or CountForm(formdata=None),
        form=ButtonForm(),
        can_keep=_can_keep(),
    ), status


@bp.route("/stocktakes/<int:stocktake_id>/count", methods=["POST"])
@role_required(*KEEPERS)
@on_refusal(lambda error, stocktake_id: _stocktake_page(stocktake_id, count_form=CountForm()))
def count(stocktake_id: int):
    found = stocktakes.get(current_user, stocktake_id, for_update=True)
    form = CountForm()
    if not form.validate_on_submit():
        return _stocktake_page(stocktake_id, 422, count_form=form)
    spare = stock.part_by_code(form.part.data)
    if spare is None:
        raise RuleViolation(N_("No spare part has the code %(code)s."), code=form.part.data.strip()[:40])
    line = stocktakes.count(current_user, found, spare, form.quantity.data, form.reason.data or "")
    flash(_("%(part)s: %(n)d counted.", part=spare.code, n=line.counted), "ok")
    return redirect(url_for("spares.stocktake", stocktake_id=stocktake_id))


STOCKTAKE_MOVES = {
    StocktakeAction.SUBMIT: (stocktakes.submit, N_("Stocktake %(number)s submitted: the lead approves it next.")),
    StocktakeAction.POST: (stocktakes.post, N_("Stocktake %(number)s approved: its differences are in the ledger.")),
    StocktakeAction.CANCEL: (stocktakes.cancel, N_("Stocktake %(number)s cancelled: nothing was posted.")),
}


@bp.route("/stocktakes/<int:stocktake_id>/<any(submit, post, cancel):action>", methods=["POST"])
@role_required(*KEEPERS)
@on_refusal(lambda error, stocktake_id, action: _stocktake_page(stocktake_id))
def stocktake_move(stocktake_id: int, action: str):
    found = stocktakes.get(current_user, stocktake_id, for_update=True)
    move, said = STOCKTAKE_MOVES[StocktakeAction(action)]
    move(current_user, found)
    flash(_(said, number=found.number), "ok")
    return redirect(url_for("spares.stocktake", stocktake_id=stocktake_id))


@bp.route("/stocktakes/<int:stocktake_id>/sheet.pdf")
@role_required(*READERS)
def count_sheet_pdf(stocktake_id: int):
    found = stocktakes.get(current_user, stocktake_id)
    document = paper.count_sheet(
        found.number,
        stock.location_name(found.location),
        stocktakes.sheet_rows(found.location),
        local_date(found.started_at, settings.rules().tz),
    )
    return send_document(stock_pdf(document), f"{found.number}.pdf", _("the count sheet"), inline=True)


@bp.route("/stocktakes/<int:stocktake_id>/sheet.xlsx")
@role_required(*READERS)
def count_sheet_xlsx(stocktake_id: int):
    found = stocktakes.get(current_user, stocktake_id)
    table = exports.Table(
        name=found.number,
        columns=(
            exports.Column(_("Code")),
            exports.Column(_("Part") + " (中文)"),
            exports.Column(_("Part") + " (English)"),
            exports.Column(_("Unit")),
            exports.Column(_("Shelf")),
            exports.Column(_("Books"), "int"),
            exports.Column(_("Counted"), "int"),
        ),
        rows=[
            (p.code, p.name_zh, p.name_en, p.unit, s.shelf if s else "", s.on_hand if s else 0, None)
            for p, s in stocktakes.sheet_rows(found.location)
        ],
    )
    return send_file(
        io.BytesIO(exports.xlsx_bytes(table)),
        mimetype=exports.XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"{found.number}.xlsx",
    )


# --- Requisitions (领料单) ------------------------------------------------------------------

WORKSHOP_READERS = (Role.TECHNICIAN, Role.FINANCE)


@bp.route("/requisitions")
@role_required(*WORKSHOP_READERS)
def requisitions_page():
    status = request.args.get("status") or ""
    chosen = RequisitionStatus(status) if status in {s.value for s in RequisitionStatus} else None
    found, next_before = requisitions.listing(chosen, inputs.arg_int("before"))
    location = stock.workshop_location()
    return render_template(
        "spares/requisitions.html",
        requisitions=found,
        next_before=next_before,
        status=chosen,
        statuses=list(RequisitionStatus),
        location=location,
        location_name=stock.location_name(location),
        can_keep=_can_keep(),
    )


@bp.route("/requisitions/new", methods=["GET", "POST"])
@role_required(*KEEPERS)
@on_refusal(lambda error: _requisition_form(RequisitionForm()))
def new_requisition():
    form = (
        RequisitionForm(formdata=None, piece=request.args.get("piece", "")[:40])
        if request.method == "GET"
        else RequisitionForm()
    )
    if request.method == "GET" or not form.validate_on_submit():
        return _requisition_form(form, 422 if form.errors else 200)
    code = parse_code(form.piece.data, expect=CodeKind.PIECE)  # a mistyped code is refused with why
    piece = scope.find_piece(current_user, code.number)
    if piece is None:
        raise RuleViolation(N_("Piece %(code)s is unknown."), code=str(code))
    lines = []
    for number, row in enumerate(form.lines, start=1):
        text = (row.part.data or "").strip()
        if not text:
            continue
        spare = stock.part_by_code(text)
        if spare is None:
            raise RuleViolation(N_("Line %(n)d: no spare part has the code %(code)s."), n=number, code=text[:40])
        if row.quantity.data is None:
            raise RuleViolation(N_("Line %(n)d: enter the quantity."), n=number)
        lines.append((spare.id, row.quantity.data))
    found = requisitions.request(current_user, piece, lines, form.reason.data or "")
    flash(_("Requisition %(number)s asked for: the lead approves it next.", number=found.number), "ok")
    return redirect(url_for("spares.requisition", requisition_id=found.id))


def _requisition_form(form, status: int = 200):
    location = stock.workshop_location()
    return render_template(
        "spares/requisition_new.html", form=form, location=location, location_name=stock.location_name(location)
    ), status


@bp.route("/requisitions/<int:requisition_id>")
@role_required(*WORKSHOP_READERS)
def requisition(requisition_id: int):
    return _requisition_page(requisition_id)


def _requisition_page(requisition_id: int, status: int = 200):
    found = requisitions.get(current_user, requisition_id)
    return render_template(
        "spares/requisition.html",
        requisition=found,
        estimates={line.id: requisitions.estimated_value(line.part_id, line.quantity)[1] for line in found.lines},
        form=DecisionForm(formdata=None),
    ), status


@bp.route("/requisitions/<int:requisition_id>/<any(approve, reject, cancel):action>", methods=["POST"])
@role_required(*KEEPERS)
@on_refusal(lambda error, requisition_id, action: _requisition_page(requisition_id))
def requisition_move(requisition_id: int, action: str):
    found = requisitions.get(current_user, requisition_id, for_update=True)
    form = DecisionForm()
    requisitions.decide(current_user, found, RequisitionAction(action), form.note.data or "")
    flash(_("Requisition %(number)s: %(what)s.", number=found.number, what=_(RequisitionAction(action).label)), "ok")
    return redirect(url_for("spares.requisition", requisition_id=requisition_id))


# --- What repairs cost (finance) ------------------------------------------------------------


@bp.route("/costs")
@role_required(Role.FINANCE, Role.TECHNICIAN)
def costs():
    rules = settings.rules()
    month = _month_arg(rules)
    by = request.args.get("by") if request.args.get("by") in repair_costs.GROUPINGS else "supplier"
    page = repair_costs.costs(month, rules, by, inputs.arg_page())
    return render_template(
        "spares/costs.html",
        month=month,
        by=by,
        groupings=GROUPING_LABELS,
        page=page,
        previous=month.previous(),
        following=month.next(),
    )


GROUPING_LABELS = {"supplier": N_("By supplier"), "store": N_("By store"), "product": N_("By product")}


def _month_arg(rules) -> Month:
    try:
        return inputs.parse_month(request.args.get("month"))
    except ValueError:
        return Month.at(clock.now(), rules.tz)


@bp.route("/costs.<any(xlsx, csv):fmt>")
@role_required(Role.FINANCE, Role.TECHNICIAN)
def costs_export(fmt: str):
    rules = settings.rules()
    month = _month_arg(rules)
    by = request.args.get("by") if request.args.get("by") in repair_costs.GROUPINGS else "supplier"
    rows = []
    number = 1
    while True:  # every line of the month, a page at a time (a few thousand at most)
        page = repair_costs.costs(month, rules, by, number)
        rows += [(line.name, line.repairs, line.parts, line.labour, line.total, line.claimable) for line in page.lines]
        if not page.has_next or number >= 200:
            break
        number += 1
    table = exports.Table(
        name=f"repair-costs-{month}-{by}",
        columns=(
            exports.Column(_(GROUPING_LABELS[by])),
            exports.Column(_("Repairs"), "int"),
            exports.Column(_("Parts"), "money"),
            exports.Column(_("Labour"), "money"),
            exports.Column(_("Total"), "money"),
            exports.Column(_("Claimable from the supplier"), "money"),
        ),
        rows=rows,
    )
    body, mimetype = exports.encoded(table, fmt)
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=f"{table.name}.{fmt}")


# --- Old parts (旧件) ----------------------------------------------------------------------


@bp.route("/old-parts")
@role_required(*WORKSHOP_READERS)
def old_parts_page():
    rules = settings.rules()
    month = None
    if request.args.get("month"):
        month = _month_arg(rules)
    on_hand_only = request.args.get("all") != "1"
    found, next_before = old_parts.listing(month, rules, on_hand_only=on_hand_only, before=inputs.arg_int("before"))
    location = stock.workshop_location()
    return render_template(
        "spares/old_parts.html",
        old_parts=found,
        next_before=next_before,
        month=month,
        this_month=Month.at(clock.now(), rules.tz),
        on_hand_only=on_hand_only,
        actions_=list(OldPartAction),
        form=DecisionForm(formdata=None),
        location=location,
        location_name=stock.location_name(location),
        can_keep=_can_keep(),
    )


@bp.route("/old-parts/<int:old_part_id>/<any(returned, scrapped):action>", methods=["POST"])
@role_required(*KEEPERS)
def old_part_action(old_part_id: int, action: str):
    form = DecisionForm()
    found = old_parts.deal_with(current_user, old_part_id, OldPartAction(action), form.note.data or "")
    flash(
        _("%(part)s × %(n)d: %(action)s.", part=found.part.code, n=found.quantity, action=_(found.action.label)), "ok"
    )
    return redirect(request.referrer if _same_site(request.referrer) else url_for("spares.old_parts_page"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


# --- Shelf labels (the same label machinery as pieces) ----------------------------------------


@bp.route("/<int:location_id>/labels", methods=["POST"])
@role_required(*KEEPERS)
def part_labels(location_id: int):
    location = scope.get_stock_location(current_user, location_id)
    form = PartLabelForm()
    back = redirect(
        request.referrer if _same_site(request.referrer) else url_for("spares.stock_page", location_id=location.id)
    )
    ids = inputs.form_ids("part")[:200]
    if not form.validate_on_submit() or not ids:
        flash(_("Tick at least one part, choose a printer and the number of labels."), "error")
        return back
    printer = printing.printer_for(current_user, form.printer.data)
    shelves = {
        part.id: shelf
        for part, shelf in db.session.execute(
            select(SparePart, PartStock)
            .outerjoin(PartStock, and_(PartStock.part_id == SparePart.id, PartStock.location_id == location.id))
            .where(SparePart.id.in_(ids))
            .order_by(SparePart.code)
        )
    }
    parts = {p.id: p for p in db.session.scalars(select(SparePart).where(SparePart.id.in_(ids)))}
    copies = form.copies.data or 1
    shelf_labels = [
        paper.part_label(parts[pid], shelves[pid].shelf if shelves.get(pid) is not None else "")
        for pid in sorted(parts, key=lambda i: parts[i].code)
        for _copy in range(copies)
    ]
    if form.deliver.data == "download":
        document = printing.part_label_file(printer, shelf_labels)
        return send_document(
            document,
            printing.file_name(printer, f"part-labels-{len(shelf_labels)}"),
            _("The labels"),
            mimetype=LABEL_FILE,
        )
    printed = printing.print_part_labels(shelf_labels, printer)
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
    return back


@bp.route("/<int:location_id>/parts/<int:part_id>/return", methods=["POST"])
@role_required(*KEEPERS)
@on_refusal(_part_again("return_form", ReturnForm))
def return_unused(location_id: int, part_id: int):
    scope.get_stock_location(current_user, location_id)
    spare = stock.get_part(part_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _part_page(location_id, part_id, 422, return_form=form)
    code = parse_code(form.piece.data, expect=CodeKind.PIECE)
    piece = scope.find_piece(current_user, code.number)
    if piece is None:
        raise RuleViolation(N_("Piece %(code)s is unknown."), code=str(code))
    stock.return_unused_for_piece(current_user, piece.id, spare, form.quantity.data, form.reason.data or "")
    flash(_("%(n)d × %(part)s back on the shelf.", n=form.quantity.data, part=spare.code), "ok")
    return redirect(url_for("spares.part", location_id=location_id, part_id=part_id))
