"""Forms of the notifications pages: a user's channels, the group robots, the alert settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.inputs import BoundedIntegerField
from app.services.alerts import ALERT_SETTINGS


class ButtonForm(FlaskForm):
    """A POST-only button (mark read, send a test, send again): it carries the CSRF token."""


class ChannelsForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[Optional(), Length(max=254)])
    email_enabled = BooleanField(_l("Send my alerts by e-mail too"))
    robot_enabled = BooleanField(_l("My group chat's robot may post my place's alerts"))


class RobotForm(FlaskForm):
    kind = SelectField(_l("Chat"), validators=[InputRequired()])
    audience = SelectField(_l("Whose group"), validators=[InputRequired()])
    store_code = StringField(_l("Store code"), validators=[Optional(), Length(max=20)])
    region_id = SelectField(_l("Region"), coerce=int, validators=[Optional()])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    url = StringField(_l("Webhook address"), validators=[Length(max=500)])
    secret = StringField(_l("Signing secret (DingTalk 加签)"), validators=[Optional(), Length(max=200)])
    locale = SelectField(_l("Language of its messages"), validators=[InputRequired()])
    active = BooleanField(_l("Active"), default=True)


def _setting(label, key: str) -> BoundedIntegerField:
    default, low, high = ALERT_SETTINGS[key]
    return BoundedIntegerField(label, default=default, validators=[InputRequired(), NumberRange(low, high)])


class AlertSettingsForm(FlaskForm):
    digest_hour = _setting(_l("Hour of the daily digest (chain time, 0–23)"), "digest_hour")
    return_reminder_days = _setting(
        _l("Remind a store of a return parcel not scanned in after (days)"), "return_reminder_days"
    )
    claim_outstanding_days = _setting(_l("Remind finance of claims unpaid after (days)"), "claim_outstanding_days")
