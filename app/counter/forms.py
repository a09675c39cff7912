from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.inputs import BoundedIntegerField
from app.services.counter import MAX_MINUTES
from workshop.guarantee import GuaranteeCategory


class DecisionForm(FlaskForm):
    # The options come from the rules (the view fills them in); the service checks the choice again.
    decision = RadioField(
        _l("What the store does"), validators=[InputRequired(message=_l("Choose what the store does."))]
    )
    reason = TextAreaField(
        _l("Why (needed when you choose another option than the suggested one)"), validators=[Length(max=2000)]
    )


class StoreRepairForm(FlaskForm):
    operations = SelectMultipleField(
        _l("What was done"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
        validators=[Optional()],
    )
    minutes = BoundedIntegerField(
        _l("Minutes spent"),
        minimum=1,
        maximum=MAX_MINUTES,
        validators=[
            InputRequired(message=_l("Give the minutes spent.")),
            NumberRange(1, MAX_MINUTES, message=_l("From 1 to %(max)d minutes.", max=MAX_MINUTES)),
        ],
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class PeriodsForm(FlaskForm):
    """One field per category, named after it (the view reads them back by name)."""


def periods_form(current: dict, formdata=None):
    """The form with a months field for each category, filled with ``current``."""

    class Form(PeriodsForm):
        pass

    for category in GuaranteeCategory:
        setattr(
            Form,
            category.value,
            BoundedIntegerField(
                category.label,
                minimum=0,
                maximum=120,
                default=current[category],
                validators=[
                    InputRequired(message=_l("Give the period in months.")),
                    NumberRange(0, 120, message=_l("From 0 to 120 months.")),
                ],
            ),
        )
    return Form(formdata=formdata) if formdata is not None else Form()
