from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

REASON_MAX = 500


class CorrectionForm(FlaskForm):
    """Every correction: why, in a sentence, and a tick that says the person means it."""

    reason = TextAreaField(
        _l("Why (kept in the history)"),
        validators=[
            DataRequired(message=_l("Write why: a correction needs a reason.")),
            Length(max=REASON_MAX, message=_l("At most %(n)d characters.", n=REASON_MAX)),
        ],
    )
    confirm = BooleanField(
        _l("Yes, I mean it."), validators=[DataRequired(message=_l("Tick the box to confirm the correction."))]
    )

    def refusal(self) -> str:
        """The form's problems in one sentence, for a flash over the page."""
        return " ".join(str(e) for errors in self.errors.values() for e in errors)
