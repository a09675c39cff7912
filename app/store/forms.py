from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.inputs import BoundedIntegerField, MoneyField
from app.parcel_form import ParcelForm
from app.services.photos import MAX_PHOTOS
from workshop.statuses import Source

SOURCE_CHOICES = [
    SelectChoice(Source.CUSTOMER_RETURN.value, _l("customer return")),
    SelectChoice(Source.DELIVERY.value, _l("found on receiving a delivery")),
    SelectChoice(Source.SHELF.value, _l("found on the shelf")),
]


def source_field() -> RadioField:
    return RadioField(
        _l("Where it came from"),
        choices=SOURCE_CHOICES,
        default=Source.CUSTOMER_RETURN.value,
        validators=[InputRequired(message=_l("Say where the piece came from."))],
    )


class PieceForm(FlaskForm):
    product = StringField(
        _l("Product style code"),
        validators=[DataRequired(message=_l("Type or scan the product's style code.")), Length(max=40)],
    )
    size = StringField(_l("Size"), validators=[Length(max=20)])
    colour = StringField(_l("Colour"), validators=[Length(max=40)])
    defect = SelectField(_l("Defect"), coerce=int, validators=[InputRequired(message=_l("Choose the defect."))])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    source = source_field()
    delivery_received_on = DateField(_l("Date the store received the delivery"), validators=[Optional()])
    # Photos are evidence the technician values, but a piece without one (or imported from a
    # spreadsheet) can still be registered; photos can be added later on the piece.
    photos = MultipleFileField(_l("Photos (up to 5: JPEG, PNG or WebP, at most 10 MB each)"))

    def validate_delivery_received_on(self, field):
        if self.source.data == Source.DELIVERY.value and field.data is None:
            raise ValidationError(_l("Give the date the store received the delivery this piece came in."))

    def validate_photos(self, field):
        if len(_files(field)) > MAX_PHOTOS:
            raise ValidationError(_l("At most %(n)d photos.", n=MAX_PHOTOS))


def _files(field) -> list:
    return [f for f in field.data or [] if getattr(f, "filename", "")]


class PhotosForm(FlaskForm):
    photos = MultipleFileField(_l("Photos (1 to 5: JPEG, PNG or WebP, at most 10 MB each)"))

    def validate_photos(self, field):
        if not _files(field):
            raise ValidationError(_l("Add at least one photo of the fault."))
        PieceForm.validate_photos(self, field)


class LabelForm(FlaskForm):
    format = RadioField(
        _l("Format"),
        choices=[
            SelectChoice("sheet", _l("A4 sheet, 3 × 8")),
            SelectChoice("thermal", _l("Thermal roll, 60 × 40 mm")),
            SelectChoice("printer", _l("Label printer, in its own language (ZPL or TSPL)")),
        ],
        default="sheet",
        validators=[InputRequired()],
    )
    # The store's label printers (the view fills them in; app.services.printing checks the choice).
    printer = SelectField(_l("Label printer"), coerce=int, validate_choice=False, validators=[Optional()])
    deliver = RadioField(
        _l("Label printer"),
        choices=[SelectChoice("send", _l("send to the printer")), SelectChoice("download", _l("download the file"))],
        default="send",
        validators=[Optional()],
    )
    start = BoundedIntegerField(
        _l("Start at position (1–24)"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=24, message=_l("A position from 1 to 24."))],
    )


class ScanForm(FlaskForm):
    code = StringField(
        _l("Scan a label"),
        validators=[DataRequired(message=_l("Nothing was scanned. Scan the label again.")), Length(max=60)],
    )


class DispatchForm(ParcelForm):
    shipping_fee = MoneyField(
        _l("Shipping fee paid by the store (¥)"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    confirm = BooleanField(
        _l("I have packed every listed piece and the slip in the parcel."),
        validators=[DataRequired(message=_l("Tick the box to confirm the parcel is packed."))],
    )


class ConfirmForm(FlaskForm):
    """A POST-only button that carries CSRF."""


class CloseCheckForm(FlaskForm):
    confirm = BooleanField(
        _l("Close the check: pieces not scanned stay missing."),
        validators=[DataRequired(message=_l("Tick the box to close the check."))],
    )


class ImportUploadForm(FlaskForm):
    file = FileField(_l("Spreadsheet (XLSX or CSV)"))


class ImportConfirmForm(FlaskForm):
    rows = StringField(validators=[DataRequired()])


class EditPieceForm(PieceForm):
    """A registered piece's details corrected (until it is packed), with why."""

    reason = TextAreaField(
        _l("Why (kept in the history)"),
        validators=[DataRequired(message=_l("Write why: a correction needs a reason.")), Length(max=500)],
    )


class ImportDuplicatesForm(ImportConfirmForm):
    duplicates = BooleanField(_l("Register the identical rows too: they are different pieces."))


class SendAgainForm(FlaskForm):
    """A piece back at its store that the customer returned again: its new trip."""

    defect = SelectField(_l("Defect"), coerce=int, validators=[InputRequired(message=_l("Choose the defect."))])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    source = source_field()
    photos = MultipleFileField(_l("Photos (up to 5: JPEG, PNG or WebP, at most 10 MB each)"))

    def validate_photos(self, field):
        PieceForm.validate_photos(self, field)

    def validate_source(self, field):
        if field.data == Source.DELIVERY.value:
            raise ValidationError(_l("A piece sent in again came back from a customer or was found on the shelf."))
