from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workshop.statuses import Blame, Grade

GRADE_CHOICES = [(Grade.REPAIRABLE.value, _l("repairable")), (Grade.NO_FAULT.value, _l("no fault found")), (Grade.SCRAP.value, _l("scrap"))]
BLAME_CHOICES = [(Blame.SUPPLIER.value, _l("supplier")), (Blame.STORE.value, _l("store")), (Blame.HQ.value, _l("head office"))]


class BlameFields:
    """The blame of a scrapped piece: the suggestion preselected, a reason to override it."""

    blame = RadioField(_l("Who pays"), choices=BLAME_CHOICES, validators=[Optional()])
    reason = TextAreaField(_l("Why another party than the suggested one"), validators=[Length(max=2000)])


class GradeForm(BlameFields, FlaskForm):
    grade = RadioField(_l("Grade"), choices=GRADE_CHOICES, validators=[InputRequired(message=_l("Choose a grade."))])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class ScrapForm(BlameFields, FlaskForm):
    pass


class PartRow(FlaskForm):
    class Meta:
        csrf = False  # a row inside RepairForm, which carries the token

    part = SelectField(_l("Spare part"), coerce=int, validators=[Optional()])
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=1, max=999)])


class RepairForm(FlaskForm):
    operations = SelectMultipleField(_l("What was done"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    note = TextAreaField(_l("Other work, in words"), validators=[Length(max=2000)])
    parts = FieldList(FormField(PartRow), min_entries=3, max_entries=10)
    minutes = IntegerField(_l("Minutes spent"), validators=[InputRequired(message=_l("Enter the minutes spent.")), NumberRange(min=0, max=1440)])


class UnexpectedForm(FlaskForm):
    """A label nobody registered, found in a parcel: what it is, so it can be received."""

    code = StringField(_l("Code"), validators=[DataRequired()])
    batch_id = IntegerField(validators=[DataRequired()])
    product = SelectField(_l("Product"), coerce=int, validators=[DataRequired(message=_l("Choose the product."))])
    defect = SelectField(_l("Defect"), coerce=int, validators=[DataRequired(message=_l("Choose the defect."))])


class DispatchReturnForm(FlaskForm):
    carrier = StringField(_l("Carrier"), validators=[DataRequired(message=_l("Enter the carrier.")), Length(max=60)])
    tracking_no = StringField(_l("Tracking number"), validators=[DataRequired(message=_l("Enter the tracking number.")), Length(max=60)])


class ButtonForm(FlaskForm):
    """A POST-only button: carries the CSRF token and nothing else."""
