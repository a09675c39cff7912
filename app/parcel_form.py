"""The fields of a parcel's dispatch, the same for the store's weekly batch and the workshop's
return: the carrier from one list (with "other"), the tracking number with its rule said in
words before it is typed and the same words when it is wrong, the number of boxes."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.i18n import translate
from app.inputs import BoundedIntegerField
from workshop.shipping import CARRIERS, OTHER_CARRIER, TRACKING_RULE, InvalidTrackingNumber, clean_tracking_no


class ParcelForm(FlaskForm):
    carrier = SelectField(
        _l("Carrier"),
        choices=[SelectChoice(c) for c in CARRIERS] + [SelectChoice(OTHER_CARRIER, _l("Other (type it)"))],
    )
    carrier_other = StringField(_l("Other carrier"), validators=[Length(max=60)])
    tracking_no = StringField(
        _l("Tracking number"),
        validators=[DataRequired(message=_l("Enter the tracking number."))],
        description=_l(TRACKING_RULE),
    )
    parcels = BoundedIntegerField(
        _l("Parcels (boxes)"),
        minimum=1,
        maximum=99,
        default=1,
        validators=[Optional(), NumberRange(1, 99, message=_l("From 1 to 99."))],
    )

    def validate_carrier_other(self, field):
        if self.carrier.data == OTHER_CARRIER and not (field.data or "").strip():
            raise ValidationError(_l("Type the carrier's name."))

    def validate_tracking_no(self, field):
        try:
            field.data = clean_tracking_no(field.data or "")
        except InvalidTrackingNumber as e:
            raise ValidationError(translate(e.message, e.params)) from None

    def carrier_name(self) -> str:
        return (self.carrier_other.data or "").strip() if self.carrier.data == OTHER_CARRIER else self.carrier.data
