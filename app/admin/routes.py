"""The administrator's pages: the chain's reference data, users and settings."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from app import inputs, navigation
from app.access import role_required
from app.admin import forms
from app.auth.forms import EndSessionForm
from app.boundary import on_refusal
from app.extensions import db
from app.models import DefectCode, Printer, Product, Region, RepairOperation, SparePart, Store, Supplier, User
from app.services import reference
from app.services import settings as settings_service
from workshop.guarantee import GuaranteeCategory
from workshop.roles import Role
from workshop.statuses import Blame, DefectKind
from workshop.text import N_

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


@bp.record_once
def _menu(state) -> None:
    navigation.add(state.app, "admin.index", N_("Administration"), {Role.ADMIN}, order=90)


def _region_choices(form) -> None:
    form.region_id.choices = [
        SelectChoice(r.id, f"{r.code} {r.name}") for r in db.session.scalars(select(Region).order_by(Region.code))
    ]


def _supplier_choices(form) -> None:
    form.supplier_id.choices = [
        SelectChoice(s.id, f"{s.code} {s.name}") for s in db.session.scalars(select(Supplier).order_by(Supplier.code))
    ]


def _product_choices(form) -> None:
    _supplier_choices(form)
    form.guarantee_category.choices = [SelectChoice("", _("from the category's words"))] + [
        SelectChoice(c.value, _(c.label)) for c in GuaranteeCategory
    ]


def _defect_choices(form) -> None:
    form.kind.choices = [SelectChoice(k.value, _(k.label)) for k in DefectKind]
    form.suggested_blame.choices = [SelectChoice("", _("none: head office when it cannot be told"))] + [
        SelectChoice(b.value, _(b.label)) for b in Blame
    ]


def _printer_choices(form) -> None:
    form.store_id.choices = [SelectChoice(0, _("the workshop"))] + [
        SelectChoice(s.id, f"{s.code} {s.name}") for s in db.session.scalars(select(Store).order_by(Store.code))
    ]


def _user_choices(form) -> None:
    form.role.choices = [SelectChoice(r.value, _(r.label)) for r in Role]
    form.store_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(s.id, f"{s.code} {s.name}") for s in db.session.scalars(select(Store).order_by(Store.code))
    ]
    form.region_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(r.id, f"{r.code} {r.name}") for r in db.session.scalars(select(Region).order_by(Region.code))
    ]


@dataclass(frozen=True)
class Catalogue:
    """How one kind of reference data is listed and edited."""

    slug: str
    title: str
    model: type
    form: type
    key: str  # the unique code attribute
    columns: tuple[tuple[str, str], ...]  # (label, attribute)
    search: tuple[str, ...]
    prepare: Callable | None = None
    save: Callable | None = None  # (item, values) -> entry; reference.save_entry by default
    hints: dict = field(default_factory=dict)


CATALOGUES = {
    c.slug: c
    for c in (
        Catalogue(
            "stores",
            N_("Stores"),
            Store,
            forms.StoreForm,
            "code",
            (
                (N_("Code"), "code"),
                (N_("Name"), "name"),
                (N_("Region"), "region"),
                (N_("Contact person"), "contact_name"),
                (N_("Outbound batches per week"), "weekly_quota"),
                (N_("Active"), "active"),
            ),
            ("code", "name"),
            _region_choices,
        ),
        Catalogue(
            "regions",
            N_("Regions"),
            Region,
            forms.RegionForm,
            "code",
            ((N_("Code"), "code"), (N_("Name"), "name")),
            ("code", "name"),
        ),
        Catalogue(
            "suppliers",
            N_("Suppliers"),
            Supplier,
            forms.SupplierForm,
            "code",
            (
                (N_("Code"), "code"),
                (N_("Name"), "name"),
                (N_("Contact person"), "contact_name"),
                (N_("Phone"), "contact_phone"),
                (N_("Active"), "active"),
            ),
            ("code", "name"),
        ),
        Catalogue(
            "products",
            N_("Products"),
            Product,
            forms.ProductForm,
            "style_code",
            (
                (N_("Style code"), "style_code"),
                (N_("Name"), "name"),
                (N_("Category"), "category"),
                (N_("Supplier"), "supplier"),
                (N_("Unit cost (¥)"), "unit_cost"),
                (N_("Retail price (¥)"), "retail_price"),
                (N_("Active"), "active"),
            ),
            ("style_code", "name", "category"),
            _product_choices,
            lambda item, values: reference.save_product(item, values),
            hints={
                "unit_cost": N_("A new cost applies to pieces scrapped from now on; scrapped pieces keep theirs."),
                "guarantee_category": N_(
                    "Picks the 三包 period (Administration → 三包 periods); customer returns already decided keep theirs."
                ),
            },
        ),
        Catalogue(
            "defects",
            N_("Defect codes"),
            DefectCode,
            forms.DefectForm,
            "code",
            (
                (N_("Code"), "code"),
                (N_("Name in Chinese"), "name_zh"),
                (N_("Name in English"), "name_en"),
                (N_("Kind"), "kind"),
                (N_("Suggested blame when scrapped"), "suggested_blame"),
                (N_("Active"), "active"),
            ),
            ("code", "name_zh", "name_en"),
            _defect_choices,
            lambda item, values: reference.save_defect(item, values),
        ),
        Catalogue(
            "operations",
            N_("Repair operations"),
            RepairOperation,
            forms.CatalogueEntryForm,
            "code",
            (
                (N_("Code"), "code"),
                (N_("Name in Chinese"), "name_zh"),
                (N_("Name in English"), "name_en"),
                (N_("Active"), "active"),
            ),
            ("code", "name_zh", "name_en"),
        ),
        Catalogue(
            "parts",
            N_("Spare parts"),
            SparePart,
            forms.SparePartForm,
            "code",
            (
                (N_("Code"), "code"),
                (N_("Name in Chinese"), "name_zh"),
                (N_("Name in English"), "name_en"),
                (N_("Unit"), "unit"),
                (N_("Active"), "active"),
            ),
            ("code", "name_zh", "name_en"),
        ),
        Catalogue(
            "printers",
            N_("Label printers"),
            Printer,
            forms.PrinterForm,
            "code",
            (
                (N_("Code"), "code"),
                (N_("Name"), "name"),
                (N_("Store"), "store"),
                (N_("Address"), "address"),
                (N_("Printer language"), "language"),
                (N_("Resolution"), "dpi"),
                (N_("Active"), "active"),
            ),
            ("code", "name", "host"),
            _printer_choices,
            lambda item, values: reference.save_printer(item, values),
            hints={
                "store_id": N_("A store's printer prints that store's piece labels; the workshop's, part labels."),
                "host": N_("The app server sends the labels to this address: it must reach it (same network or VPN)."),
                "port": N_("Raw printing (JetDirect) is on port 9100 on nearly every label printer."),
            },
        ),
        Catalogue(
            "users",
            N_("Users"),
            User,
            forms.UserForm,
            "username",
            (
                (N_("User name"), "username"),
                (N_("Name"), "display_name"),
                (N_("Role"), "role"),
                (N_("Store"), "store"),
                (N_("Region"), "region"),
                (N_("Active"), "active"),
            ),
            ("username", "display_name"),
            _user_choices,
            lambda item, values: reference.save_user(item, values, current_user),
        ),
    )
}


def catalogue_or_404(slug: str) -> Catalogue:
    catalogue = CATALOGUES.get(slug)
    if catalogue is None:
        abort(404)
    return catalogue


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    return render_template("admin/index.html", catalogues=CATALOGUES.values())


@bp.route("/<slug>/")
@role_required(Role.ADMIN)
def listing(slug: str):
    catalogue = catalogue_or_404(slug)
    model = catalogue.model
    query = select(model).order_by(getattr(model, catalogue.key))
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(or_(*(getattr(model, column).ilike(f"%{q}%") for column in catalogue.search)))
    page = db.paginate(query, page=inputs.arg_page(), per_page=50, error_out=False)
    return render_template("admin/list.html", catalogue=catalogue, page=page, q=q)


def _edit_page(catalogue: Catalogue, item, form, status: int = 200):
    return render_template(
        "admin/edit.html", catalogue=catalogue, form=form, item=item, sign_out_form=EndSessionForm()
    ), status


def _form(catalogue: Catalogue, item):
    form = catalogue.form(obj=item)
    if catalogue.prepare:
        catalogue.prepare(form)
    return form


def _edit_refused(error, slug: str, item_id: int | None = None):
    catalogue = catalogue_or_404(slug)
    item = db.get_or_404(catalogue.model, item_id) if item_id else None
    return _edit_page(catalogue, item, _form(catalogue, item), 400)


@bp.route("/<slug>/new", methods=["GET", "POST"])
@bp.route("/<slug>/<int:item_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@on_refusal(_edit_refused)
def edit(slug: str, item_id: int | None = None):
    catalogue = catalogue_or_404(slug)
    item = db.get_or_404(catalogue.model, item_id) if item_id else None
    form = _form(catalogue, item)
    if request.method == "GET" and item is not None and slug == "users":
        form.role.data = item.role.value
        form.store_id.data = item.store_id or 0
        form.region_id.data = item.region_id or 0
    if request.method == "GET" and item is not None and slug == "products":
        form.guarantee_category.data = item.guarantee_category.value if item.guarantee_category else ""
    if request.method == "GET" and item is not None and slug == "printers":
        form.store_id.data = item.store_id or 0
    if request.method == "GET" and item is not None and slug == "defects":
        form.kind.data = item.kind.value
        form.suggested_blame.data = item.suggested_blame.value if item.suggested_blame else ""
    if not form.validate_on_submit():
        return _edit_page(catalogue, item, form, 400 if request.method == "POST" else 200)
    values = {name: fld.data for name, fld in form._fields.items() if name != "csrf_token"}
    if catalogue.save is not None:
        catalogue.save(item, values)
    else:
        reference.save_entry(catalogue.model, item, values, catalogue.key)
    flash(_("Saved."), "ok")
    return redirect(url_for("admin.listing", slug=slug))


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@on_refusal(lambda error: _settings_page(forms.PaperSettingsForm()))
def settings():
    form = forms.PaperSettingsForm(data=_settings_now() if request.method == "GET" else None)
    if not form.validate_on_submit():
        return _settings_page(form, 400 if form.errors else 200)
    for key in settings_service.INTEGER_SETTINGS:
        settings_service.set_value(key, getattr(form, key).data)
    settings_service.save_workshop(form.workshop_values())
    flash(_("Settings saved. They apply to what happens from now on."), "ok")
    return redirect(url_for("admin.settings"))


def _settings_now() -> dict:
    rules, workshop = settings_service.rules(), settings_service.workshop()
    return {
        "limit_days": rules.limit_days,
        "at_risk_days": rules.at_risk_days,
        "inspection_window_days": rules.inspection_window_days,
        "workshop_name": workshop.name,
        "workshop_contact": workshop.contact,
        "workshop_phone": workshop.phone,
        "workshop_address": workshop.address,
        "bank_name": workshop.bank_name,
        "bank_account_name": workshop.bank_account_name,
        "bank_account_no": workshop.bank_account_no,
        "claim_due_days": workshop.claim_due_days,
        "claim_due_from": workshop.claim_due_from.value,
    }


def _settings_page(form, status: int = 200):
    return render_template("admin/settings.html", form=form, tz=settings_service.rules().tz.key), status
