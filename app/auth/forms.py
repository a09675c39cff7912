from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[SelectChoice("zh_Hans", "中文"), SelectChoice("en", "English")])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])


class RevokeTokenForm(FlaskForm):
    """Empty: the revoke button carries only its CSRF token."""


class EndSessionForm(FlaskForm):
    """Empty: the "end" and "sign out everywhere" buttons carry only their CSRF token."""
