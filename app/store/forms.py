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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.inputs import BoundedIntegerField, MoneyField
from app.parcel_form import ParcelForm
from app.services.counter import PHONE, Purchase
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
    # 三包: a customer's return with its purchase gets the counter's answer (sale date, price and
    # receipt together, or none of them: a piece registered without its purchase gets no answer).
    sold_on = DateField(_l("Sale date"), validators=[Optional()])
    price_paid = MoneyField(
        _l("Price paid (¥)"), minimum=0, maximum=999999.99, validators=[Optional(), NumberRange(min=0, max=999999.99)]
    )
    receipt_no = StringField(_l("Receipt or 三包 card number"), validators=[Length(max=40)])
    worn = BooleanField(_l("The customer has worn it"))
    out_of_town = BooleanField(_l("Bought in another city (10 days to exchange instead of 3)"))
    serious = BooleanField(_l("A serious defect: broken sole or heel, nails through, fur shedding in patches…"))
    previous_repairs = BoundedIntegerField(
        _l("Repairs before for the same problem"),
        minimum=0,
        maximum=9,
        default=0,
        validators=[Optional(), NumberRange(0, 9, message=_l("From 0 to 9."))],
    )
    exchanged_before = BooleanField(_l("Already exchanged once for the same problem"))
    same_kind_in_stock = RadioField(
        _l("Same style and size in stock to exchange"),
        choices=[
            SelectChoice("", _l("not checked")),
            SelectChoice("yes", _l("yes")),
            SelectChoice("no", _l("no")),
        ],
        default="",
        validators=[Optional()],
    )
    customer_name = StringField(_l("Customer's name (optional)"), validators=[Length(max=100)])
    customer_phone = StringField(
        _l("Customer's phone (optional)"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(PHONE, message=_l("A phone number is digits, spaces and + ( ) - / . # only.")),
        ],
    )
    # Photos are evidence the technician values, but a piece without one (or imported from a
    # spreadsheet) can still be registered; photos can be added later on the piece.
    photos = MultipleFileField(_l("Photos (up to 5: JPEG, PNG or WebP, at most 10 MB each)"))

    def validate_delivery_received_on(self, field):
        if self.source.data == Source.DELIVERY.value and field.data is None:
            raise ValidationError(_l("Give the date the store received the delivery this piece came in."))

    def validate_photos(self, field):
        if len(_files(field)) > MAX_PHOTOS:
            raise ValidationError(_l("At most %(n)d photos.", n=MAX_PHOTOS))

    def has_purchase(self) -> bool:
        return self.source.data == Source.CUSTOMER_RETURN.value and any(
            (self.sold_on.data, self.price_paid.data is not None, (self.receipt_no.data or "").strip())
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.has_purchase():
            return valid
        # The purchase comes whole (the optional fields' validators stop at an empty value).
        for field, missing, message in (
            (self.sold_on, self.sold_on.data is None, _l("Give the sale date from the receipt.")),
            (self.price_paid, self.price_paid.data is None, _l("Give the price the customer paid.")),
            (self.receipt_no, not (self.receipt_no.data or "").strip(), _l("Give the receipt or 三包 card number.")),
        ):
            if missing and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def purchase(self):
        """The purchase typed in, or None when the piece is registered without one."""
        if not self.has_purchase():
            return None
        return Purchase(
            sold_on=self.sold_on.data,
            price_paid=self.price_paid.data,
            receipt_no=(self.receipt_no.data or "").strip(),
            worn=bool(self.worn.data),
            out_of_town=bool(self.out_of_town.data),
            customer_name=(self.customer_name.data or "").strip(),
            customer_phone=(self.customer_phone.data or "").strip(),
            serious=bool(self.serious.data),
            previous_repairs=self.previous_repairs.data or 0,
            exchanged_before=bool(self.exchanged_before.data),
            same_kind_in_stock={"yes": True, "no": False}.get(self.same_kind_in_stock.data or ""),
        )


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
