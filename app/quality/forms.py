from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.services.quality.disputes import NOTE_LENGTH, OUTCOMES


class DisputeForm(FlaskForm):
    piece = StringField(_l("Piece code"), validators=[DataRequired(), Length(max=20)])
    note = TextAreaField(_l("What the supplier disputes"), validators=[DataRequired(), Length(max=NOTE_LENGTH)])


class ResolveForm(FlaskForm):
    outcome = SelectField(
        _l("Outcome"), choices=[SelectChoice(o.value, _l(o.label)) for o in OUTCOMES], validators=[DataRequired()]
    )
    resolution = TextAreaField(_l("How it was resolved"), validators=[DataRequired(), Length(max=NOTE_LENGTH)])
