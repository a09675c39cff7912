from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.inputs import BoundedIntegerField, MoneyField
from workshop.stock import MAX_QUANTITY


class ReceiptRow(FlaskForm):
    class Meta:
        csrf = False  # a row inside ReceiptForm, which carries the token

    part = StringField(_l("Part code"), validators=[Optional(), Length(max=40)])
    quantity = BoundedIntegerField(
        _l("Quantity"), minimum=1, maximum=MAX_QUANTITY, validators=[Optional(), NumberRange(1, MAX_QUANTITY)]
    )
    unit_price = MoneyField(_l("Unit price"), minimum=0, maximum=1_000_000, validators=[Optional()])


class ReceiptForm(FlaskForm):
    supplier = StringField(_l("Supplier code"), validators=[Optional(), Length(max=40)])
    delivery_note = StringField(_l("Supplier's delivery note no."), validators=[Optional(), Length(max=60)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    lines = FieldList(FormField(ReceiptRow), min_entries=6, max_entries=50)


class ShelfForm(FlaskForm):
    """A part's place and reorder point at one location."""

    shelf = StringField(_l("Shelf or bin"), validators=[Optional(), Length(max=40)])
    reorder_point = BoundedIntegerField(
        _l("Reorder point"),
        minimum=0,
        maximum=100_000,
        validators=[InputRequired(message=_l("Enter the reorder point (0: none)."))],
    )
    reorder_quantity = BoundedIntegerField(_l("Quantity to order"), minimum=0, maximum=100_000, validators=[Optional()])


class MoveForm(FlaskForm):
    """A quantity of one part with a reason: a write-off, a transfer to a store."""

    quantity = BoundedIntegerField(
        _l("Quantity"),
        minimum=1,
        maximum=MAX_QUANTITY,
        validators=[InputRequired(message=_l("Enter the quantity."))],
    )
    store = StringField(_l("Store code"), validators=[Optional(), Length(max=40)])
    reason = TextAreaField(_l("Why"), validators=[Length(max=2000)])


class SparesSettingsForm(FlaskForm):
    labour_rate = MoneyField(
        _l("Labour rate per hour"),
        minimum=0,
        maximum=9_999_999,
        validators=[InputRequired(message=_l("Enter an amount."))],
    )
    requisition_quantity = BoundedIntegerField(
        _l("A requisition is needed above this many units"),
        minimum=0,
        maximum=100_000,
        validators=[InputRequired(message=_l("Enter a quantity."))],
    )
    requisition_value = MoneyField(
        _l("… or above this value"),
        minimum=0,
        maximum=9_999_999,
        validators=[InputRequired(message=_l("Enter an amount."))],
    )


class ButtonForm(FlaskForm):
    """A POST-only button: carries the CSRF token and nothing else."""


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class RequisitionRow(FlaskForm):
    class Meta:
        csrf = False

    part = StringField(_l("Part code"), validators=[Optional(), Length(max=40)])
    quantity = BoundedIntegerField(
        _l("Quantity"), minimum=1, maximum=MAX_QUANTITY, validators=[Optional(), NumberRange(1, MAX_QUANTITY)]
    )


class RequisitionForm(FlaskForm):
    piece = StringField(
        _l("Piece code"), validators=[DataRequired(message=_l("Enter the piece's code.")), Length(max=40)]
    )
    reason = TextAreaField(_l("Why these parts"), validators=[Length(max=2000)])
    lines = FieldList(FormField(RequisitionRow), min_entries=3, max_entries=20)


class CountForm(FlaskForm):
    """A count: a part label scanned (code only: one more unit) or a code and the number counted."""

    part = StringField(
        _l("Part code"), validators=[DataRequired(message=_l("Scan or type a part code.")), Length(max=40)]
    )
    quantity = BoundedIntegerField(
        _l("Counted"), minimum=0, maximum=MAX_QUANTITY, validators=[Optional(), NumberRange(0, MAX_QUANTITY)]
    )
    reason = StringField(_l("Reason of the difference"), validators=[Optional(), Length(max=2000)])


class PartLabelForm(FlaskForm):
    """Shelf labels for the ticked parts, on one of the workshop's label printers."""

    printer = SelectField(_l("Label printer"), coerce=int, validate_choice=False, validators=[Optional()])
    copies = BoundedIntegerField(_l("Labels of each part"), minimum=1, maximum=50, default=1, validators=[Optional()])
    deliver = RadioField(
        _l("Label printer"),
        choices=[SelectChoice("send", _l("send to the printer")), SelectChoice("download", _l("download the file"))],
        default="send",
        validators=[Optional()],
    )


class ReturnForm(FlaskForm):
    """Parts issued to a piece's repair and not used, back on the shelf."""

    piece = StringField(
        _l("Piece code"), validators=[DataRequired(message=_l("Enter the piece's code.")), Length(max=40)]
    )
    quantity = BoundedIntegerField(
        _l("Quantity"), minimum=1, maximum=MAX_QUANTITY, validators=[InputRequired(message=_l("Enter the quantity."))]
    )
    reason = StringField(_l("Why"), validators=[Optional(), Length(max=2000)])
