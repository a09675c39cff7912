"""Forms for the chain's reference data. Codes are unique; the views say so politely."""

import ipaddress
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.inputs import BoundedIntegerField, MoneyField
from app.models.printers import (
    DPIS,
    MAX_HEIGHT_MM,
    MAX_WIDTH_MM,
    MIN_HEIGHT_MM,
    MIN_WIDTH_MM,
    RAW_PORT,
    PrinterLanguage,
)
from app.services.settings import ACCOUNT_NO, PHONE, TEXT_SETTINGS
from workshop.claims import DEFAULT_DUE_DAYS, DueFrom

CODE = [DataRequired(), Length(max=20), Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Letters, digits, - and _ only."))]


class RegionForm(FlaskForm):
    code = StringField(_l("Code"), validators=CODE)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])


class StoreForm(FlaskForm):
    code = StringField(_l("Code"), validators=CODE)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    region_id = SelectField(_l("Region"), coerce=int, validators=[InputRequired()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    weekly_quota = BoundedIntegerField(
        _l("Outbound batches per week"), default=1, validators=[InputRequired(), NumberRange(1, 20)]
    )
    active = BooleanField(_l("Active"), default=True)


class SupplierForm(FlaskForm):
    code = StringField(_l("Code"), validators=CODE)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    active = BooleanField(_l("Active"), default=True)


class ProductForm(FlaskForm):
    style_code = StringField(
        _l("Style code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, -, _ and . only.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    category = StringField(_l("Category"), validators=[DataRequired(), Length(max=40)])
    supplier_id = SelectField(_l("Supplier"), coerce=int, validators=[InputRequired()])
    unit_cost = MoneyField(_l("Unit cost (¥)"), validators=[InputRequired(), NumberRange(min=0)])
    retail_price = MoneyField(_l("Retail price (¥)"), validators=[InputRequired(), NumberRange(min=0)])
    guarantee_category = SelectField(_l("三包 category"), validators=[Optional()])
    guarantee_months = BoundedIntegerField(
        _l("Its own 三包 period in months (empty: its category's)"),
        minimum=0,
        maximum=120,
        validators=[Optional(), NumberRange(0, 120, message=_l("From 0 to 120 months."))],
    )
    active = BooleanField(_l("Active"), default=True)


class DefectForm(FlaskForm):
    code = StringField(_l("Code"), validators=CODE)
    name_zh = StringField(_l("Name in Chinese"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    suggested_blame = SelectField(_l("Suggested blame when scrapped"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class CatalogueEntryForm(FlaskForm):
    """A repair operation or a spare part."""

    code = StringField(_l("Code"), validators=CODE)
    name_zh = StringField(_l("Name in Chinese"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=100)])
    active = BooleanField(_l("Active"), default=True)


class SparePartForm(CatalogueEntryForm):
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])


class UserForm(FlaskForm):
    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(max=60),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, -, _ and . only.")),
        ],
    )
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    store_id = SelectField(_l("Store (store staff)"), coerce=int, validators=[Optional()])
    region_id = SelectField(_l("Region (region manager)"), coerce=int, validators=[Optional()])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=200)])
    active = BooleanField(_l("Active"), default=True)


class SettingsForm(FlaskForm):
    limit_days = BoundedIntegerField(
        _l("Days from dispatch to back at store"), validators=[InputRequired(), NumberRange(1, 90)]
    )
    at_risk_days = BoundedIntegerField(
        _l("At risk when this many days or fewer are left"), validators=[InputRequired(), NumberRange(0, 30)]
    )
    inspection_window_days = BoundedIntegerField(
        _l("Days a store has to inspect a delivery"), validators=[InputRequired(), NumberRange(1, 60)]
    )


class PaperSettingsForm(SettingsForm):
    """The limits above, and the workshop as it appears on slips, statements and claims."""

    workshop_name = StringField(_l("Workshop name on paper"), validators=[Optional(), Length(max=100)])
    workshop_contact = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    workshop_phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(PHONE, message=_l("A phone number has digits, spaces and + ( ) - / only.")),
        ],
    )
    workshop_address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    bank_name = StringField(_l("Bank and branch (开户行)"), validators=[Optional(), Length(max=100)])
    bank_account_name = StringField(_l("Account name (户名)"), validators=[Optional(), Length(max=200)])
    bank_account_no = StringField(
        _l("Account number (账号)"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(ACCOUNT_NO, message=_l("An account number has digits, spaces and hyphens only.")),
        ],
    )
    claim_due_days = IntegerField(
        _l("Days a supplier has to pay a claim"),
        default=DEFAULT_DUE_DAYS,
        validators=[Optional(), NumberRange(0, 365, message=_l("A number of days from 0 to 365."))],
    )
    claim_due_from = RadioField(
        _l("Counted from"),
        choices=[SelectChoice(d.value, _l(d.label)) for d in DueFrom],
        default=DueFrom.SENT.value,
        validators=[Optional()],
    )

    def validate_bank_account_no(self, field):
        given = [bool((f.data or "").strip()) for f in (self.bank_name, self.bank_account_name, field)]
        if any(given) and not all(given):
            raise ValidationError(_l("Give the bank, the account name and the account number together."))

    def workshop_values(self) -> dict:
        values = {name: getattr(self, name).data for name in TEXT_SETTINGS}
        days = self.claim_due_days.data
        values["claim_due_days"] = DEFAULT_DUE_DAYS if days is None else days
        values["claim_due_from"] = self.claim_due_from.data or DueFrom.SENT.value
        return values


HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)


def _network_address(form, field) -> None:
    """A host name or an IP address, nothing else: no scheme, no port, no path, no spaces."""
    text = (field.data or "").strip()
    field.data = text
    try:
        ipaddress.ip_address(text.strip("[]"))
        return
    except ValueError:
        pass
    if not HOST.match(text):
        raise ValidationError(_l("An IP address (192.168.1.50) or a host name (printer-3.shop.lan), without port."))


class PrinterForm(FlaskForm):
    """A label printer on the network: where it is and what it speaks."""

    code = StringField(_l("Code"), validators=CODE)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    store_id = SelectField(_l("Where it stands"), coerce=int, validators=[Optional()])
    host = StringField(_l("IP address or host name"), validators=[DataRequired(), Length(max=253), _network_address])
    port = IntegerField(
        _l("Port"),
        default=RAW_PORT,
        validators=[InputRequired(), NumberRange(1, 65535, message=_l("A port from 1 to 65535 (usually 9100)."))],
    )
    language = SelectField(
        _l("Printer language"),
        choices=[SelectChoice(language.value, _l(language.label)) for language in PrinterLanguage],
        validators=[InputRequired()],
    )
    dpi = SelectField(
        _l("Resolution"),
        coerce=int,
        choices=[SelectChoice(dpi, f"{dpi} dpi") for dpi in DPIS],
        default=DPIS[0],
        validators=[InputRequired()],
    )
    width_mm = IntegerField(
        _l("Label width (mm)"),
        default=60,
        validators=[InputRequired(), NumberRange(MIN_WIDTH_MM, MAX_WIDTH_MM)],
    )
    height_mm = IntegerField(
        _l("Label height (mm)"),
        default=40,
        validators=[InputRequired(), NumberRange(MIN_HEIGHT_MM, MAX_HEIGHT_MM)],
    )
    active = BooleanField(_l("Active"), default=True)
