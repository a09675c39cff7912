from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length


class MonthPackForm(FlaskForm):
    month = HiddenField(validators=[DataRequired(), Length(max=7)])
