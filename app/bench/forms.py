from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.inputs import BoundedIntegerField
from app.parcel_form import ParcelForm
from workshop.statuses import Blame, Grade

# Labels are the enums' own msgids, translated when the form is rendered.
GRADE_CHOICES = [SelectChoice(g.value, _l(g.label)) for g in (Grade.REPAIRABLE, Grade.NO_FAULT, Grade.SCRAP)]
BLAME_CHOICES = [SelectChoice(b.value, _l(b.label)) for b in (Blame.SUPPLIER, Blame.STORE, Blame.HQ)]


class BlameFields:
    """The blame of a scrapped piece: the suggestion preselected, a reason to override it."""

    blame = RadioField(_l("Who pays"), choices=BLAME_CHOICES, validators=[Optional()])
    reason = TextAreaField(_l("Why another party than the suggested one"), validators=[Length(max=2000)])


class GradeForm(BlameFields, FlaskForm):
    grade = RadioField(_l("Grade"), choices=GRADE_CHOICES, validators=[InputRequired(message=_l("Choose a grade."))])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class ScrapForm(BlameFields, FlaskForm):
    pass


class BlameChangeForm(FlaskForm):
    """Correcting who pays for a piece already scrapped: always with a written reason."""

    blame = RadioField(
        _l("Who pays"), choices=BLAME_CHOICES, validators=[InputRequired(message=_l("Choose who pays."))]
    )
    reason = TextAreaField(
        _l("Why the blame changes"),
        validators=[DataRequired(message=_l("Write why the blame changes.")), Length(max=2000)],
    )


class PartRow(FlaskForm):
    class Meta:
        csrf = False  # a row inside RepairForm, which carries the token

    part = SelectField(_l("Spare part"), coerce=int, validators=[Optional()])
    # 1 unless said otherwise: a part used is usually one part (rows without a part are ignored).
    quantity = BoundedIntegerField(_l("Quantity"), default=1, validators=[Optional(), NumberRange(min=1, max=999)])


class RepairForm(FlaskForm):
    operations = SelectMultipleField(
        _l("What was done"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    note = TextAreaField(_l("Other work, in words"), validators=[Length(max=2000)])
    parts = FieldList(FormField(PartRow), min_entries=3, max_entries=10)
    minutes = BoundedIntegerField(
        _l("Minutes spent"),
        validators=[InputRequired(message=_l("Enter the minutes spent.")), NumberRange(min=0, max=1440)],
    )


class UnexpectedForm(FlaskForm):
    """A label nobody registered, found in a parcel: what it is, so it can be received."""

    code = StringField(_l("Code"), validators=[DataRequired()])
    batch_id = BoundedIntegerField(validators=[DataRequired()])
    product = StringField(
        _l("Product style code"),
        validators=[DataRequired(message=_l("Enter the product's style code.")), Length(max=40)],
    )
    defect = SelectField(_l("Defect"), coerce=int, validators=[DataRequired(message=_l("Choose the defect."))])


class DispatchReturnForm(ParcelForm):
    """The return parcel's dispatch: the same carriers and tracking-number rule as the stores'."""


class ButtonForm(FlaskForm):
    """A POST-only button: carries the CSRF token and nothing else."""
