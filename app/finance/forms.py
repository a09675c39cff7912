from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.inputs import MoneyField
from workshop.statuses import Blame


def two_places(form, field) -> None:
    if field.data is not None and field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError(_l("Give the amount in yuan with at most two decimals."))


class PostForm(FlaskForm):
    """A POST-only button: it carries the CSRF token and nothing else."""


class CloseMonthForm(FlaskForm):
    confirm = BooleanField(
        _l("I have checked these figures; nothing may change them after closing."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ReopenMonthForm(FlaskForm):
    reason = TextAreaField(_l("Why is this month reopened?"), validators=[DataRequired(), Length(max=500)])


class AdjustmentForm(FlaskForm):
    piece = StringField(_l("Piece code (optional)"), validators=[Optional(), Length(max=20)])
    blame = SelectField(
        _l("Who bears it"), choices=[SelectChoice(b.value, _l(b.label)) for b in Blame], validators=[DataRequired()]
    )
    party = StringField(_l("Supplier or store code"), validators=[Optional(), Length(max=20)])
    amount = MoneyField(_l("Amount (¥; negative to credit)"), validators=[InputRequired(), two_places])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class ClaimSentForm(FlaskForm):
    sent_on = DateField(_l("Sent on"), validators=[InputRequired()])


class ClaimSettleForm(FlaskForm):
    settled_on = DateField(_l("Settled on"), validators=[InputRequired()])
    paid = MoneyField(_l("Amount paid (¥)"), validators=[InputRequired(), two_places])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
