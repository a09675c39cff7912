"""Forms for the chain's reference data. Codes are unique; the views say so politely."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.inputs import BoundedIntegerField, MoneyField

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
