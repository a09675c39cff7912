"""三包 at the counter: the rules' answer for a customer's piece, the clerk's decision, the
store's own repair and the customer's receipt. The rules are workshop.guarantee; the app's
side is app.services.counter."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app import clock
from app.access import role_required
from app.boundary import on_refusal
from app.counter.forms import DecisionForm, StoreRepairForm, periods_form
from app.documents import send_document
from app.extensions import db
from app.models import CustomerReturn, Piece, RepairOperation
from app.services import counter, paper, scope
from app.services.settings import rules as current_rules
from labels import receipt_pdf
from workshop.errors import NotFound
from workshop.guarantee import CATEGORY_DEFAULTS, Decision, GuaranteeCategory
from workshop.roles import Role

bp = Blueprint("counter", __name__, template_folder="templates", url_prefix="/counter")


@bp.record_once
def _globals(state) -> None:
    state.app.jinja_env.globals.update(
        customer_return=counter.current,
        customer_name=lambda record: counter.customer_name(record, current_user),
        customer_phone=lambda record: counter.customer_phone(record, current_user),
        counter_rule=lambda record: counter.rule_text(record, _),
    )


def _piece_and_record(piece_id: int, *, for_update: bool = False) -> tuple[Piece, CustomerReturn]:
    piece = scope.get_piece(current_user, piece_id, for_update=for_update)
    record = counter.current(piece)
    if record is None:
        raise NotFound()
    return piece, record


def render_decide(piece_id: int, form: DecisionForm | None = None, status: int = 200):
    piece, record = _piece_and_record(piece_id)
    today = clock.today()
    found = counter.answer(record, today)
    form = form or DecisionForm(formdata=None)
    form.decision.choices = [SelectChoice(o.decision.value, _(o.decision.label)) for o in found.options]
    if form.decision.data is None:
        form.decision.data = (record.decision or found.options[0].decision).value
    return render_template(
        "counter/decide.html",
        piece=piece,
        record=record,
        found=found,
        form=form,
        suggested=found.options[0].decision,
        option_text=lambda option: option.text(_),
        expected_back=counter.expected_back(piece.store, current_rules(), clock.now()),
    ), status


@bp.route("/pieces/<int:piece_id>", methods=["GET", "POST"])
@role_required(Role.STORE)
@on_refusal(lambda error, piece_id: render_decide(piece_id, DecisionForm(), 422))
def decide(piece_id: int):
    piece, record = _piece_and_record(piece_id, for_update=True)
    form = DecisionForm()
    form.decision.choices = [SelectChoice(d.value, d.value) for d in Decision]
    if not form.validate_on_submit():
        return render_decide(piece_id, form, 422 if form.is_submitted() else 200)
    decision = Decision(form.decision.data)
    counter.decide(current_user, piece, decision, form.reason.data or "", current_rules(), at=clock.now())
    flash(_("Decision recorded for piece %(code)s: %(decision)s.", code=piece.code, decision=_(decision.label)), "ok")
    return redirect(url_for("pieces.piece", piece_id=piece.id))


def _operation_choices(form: StoreRepairForm) -> None:
    locale = str(get_locale() or "zh_Hans")
    form.operations.choices = [
        SelectChoice(op.code, op.name(locale))
        for op in db.session.scalars(
            select(RepairOperation).where(RepairOperation.active.is_(True)).order_by(RepairOperation.code)
        )
    ]


def render_repair(piece_id: int, form: StoreRepairForm | None = None, status: int = 200):
    piece, record = _piece_and_record(piece_id)
    form = form or StoreRepairForm(formdata=None)
    _operation_choices(form)
    return render_template("counter/repair.html", piece=piece, record=record, form=form), status


@bp.route("/pieces/<int:piece_id>/repair", methods=["GET", "POST"])
@role_required(Role.STORE)
@on_refusal(lambda error, piece_id: render_repair(piece_id, StoreRepairForm(), 422))
def repair(piece_id: int):
    piece, _record = _piece_and_record(piece_id, for_update=True)
    form = StoreRepairForm()
    _operation_choices(form)
    if not form.validate_on_submit():
        return render_repair(piece_id, form, 422 if form.is_submitted() else 200)
    counter.repair_at_store(
        current_user, piece, list(form.operations.data or []), form.minutes.data, form.note.data or "", at=clock.now()
    )
    flash(_("Repair at the store recorded: piece %(code)s is settled.", code=piece.code), "ok")
    return redirect(url_for("pieces.piece", piece_id=piece.id))


@bp.route("/pieces/<int:piece_id>/receipt-<any(a5, '80mm'):size>.pdf")
@role_required(Role.STORE)
def receipt(piece_id: int, size: str):
    piece, record = _piece_and_record(piece_id)
    if record.decision is None:
        flash(_("Record the counter's decision first: the receipt prints it."), "warn")
        return redirect(url_for("counter.decide", piece_id=piece.id))
    rules = current_rules()
    expected = counter.expected_back(piece.store, rules, record.decided_at) if record.decision.to_workshop else None
    document = receipt_pdf(paper.customer_receipt(piece, record, rules, expected), size)
    return send_document(document, f"receipt-{piece.code}-{size}.pdf", _("The customer's receipt"))


# --- The category table (the administrator's) -----------------------------------------


def render_periods(form, status: int = 200):
    return render_template(
        "counter/periods.html", form=form, categories=list(GuaranteeCategory), defaults=CATEGORY_DEFAULTS
    ), status


@bp.route("/periods", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@on_refusal(lambda error: render_periods(periods_form(counter.periods()), 422))
def periods():
    current = counter.periods()
    form = periods_form(current)
    if not form.validate_on_submit():
        return render_periods(form, 422 if form.is_submitted() else 200)
    changed = counter.save_periods(
        current_user, {c: getattr(form, c.value).data for c in GuaranteeCategory}, at=clock.now()
    )
    flash(
        _("三包 periods saved (%(n)d changed). They apply to customer returns registered from now on.", n=changed),
        "ok",
    )
    return redirect(url_for("counter.periods"))
