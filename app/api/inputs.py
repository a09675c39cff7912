"""Reading what a client sent: the JSON body and query parameters, checked field by field.

Each refusal names the field (``error.field``) and says in a sentence what is expected,
the way a form does on a page.
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from flask import request

from app.api.errors import ApiError
from app.inputs import parse_money, storable
from workshop.text import N_

MISSING = object()


def json_body() -> dict:
    if not request.is_json:
        raise ApiError(415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400)
    return data


def required(field: str):
    return ApiError(422, "invalid", N_("%(name)s is required."), field=field, name=field)


def text(data: dict, field: str, *, max_length: int, required_: bool = False, default: str = "") -> str:
    value = data.get(field, MISSING)
    if value is MISSING or value is None:
        if required_:
            raise required(field)
        return default
    if not isinstance(value, str):
        raise ApiError(422, "invalid", N_("%(name)s must be a string."), field=field, name=field)
    value = value.strip()
    if not storable(value):
        raise ApiError(
            422,
            "invalid",
            N_("%(name)s contains a character that cannot be stored (a NUL or a broken character)."),
            field=field,
            name=field,
        )
    if required_ and not value:
        raise required(field)
    if len(value) > max_length:
        raise ApiError(
            422, "invalid", N_("%(name)s may be at most %(n)d characters."), field=field, name=field, n=max_length
        )
    return value


def integer(
    data: dict, field: str, *, minimum: int = 0, maximum: int = 2**31 - 1, required_: bool = False, default=None
):
    value = data.get(field, MISSING)
    if value is MISSING or value is None:
        if required_:
            raise required(field)
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ApiError(
            422,
            "invalid",
            N_("%(name)s must be a whole number from %(min)d to %(max)d."),
            field=field,
            name=field,
            min=minimum,
            max=maximum,
        )
    return value


def choice(data: dict, field: str, enum: type[StrEnum], *, required_: bool = False, default=None):
    value = data.get(field, MISSING)
    if value is MISSING or value is None:
        if required_:
            raise required(field)
        return default
    try:
        return enum(value)
    except ValueError:
        raise ApiError(
            422,
            "invalid",
            N_("%(name)s must be one of: %(choices)s."),
            field=field,
            name=field,
            choices=", ".join(e.value for e in enum),
        ) from None


EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)


def iso_date(data: dict, field: str):
    value = data.get(field)
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            422, "invalid", N_("%(name)s must be a date like 2026-11-23."), field=field, name=field
        ) from None
    # Dates at the edge of the calendar cannot become points in time in every zone.
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ApiError(
            422, "invalid", N_("%(name)s must be a date between 2000-01-01 and 2099-12-31."), field=field, name=field
        )
    return day


def decimal_amount(data: dict, field: str):
    value = data.get(field)
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError
        # A plain decimal: never 1e309, Infinity, NaN, nor 1E+5 for 100000.
        number = parse_money(str(value), minimum=Decimal("0"), maximum=Decimal("999999.99"))
    except ValueError:
        raise ApiError(
            422, "invalid", N_('%(name)s must be an amount like "12.50".'), field=field, name=field
        ) from None
    return number


def query_int(name: str, *, minimum: int, maximum: int, default: int | None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise ApiError(
            422,
            "invalid",
            N_("%(name)s must be a whole number from %(min)d to %(max)d."),
            field=name,
            name=name,
            min=minimum,
            max=maximum,
        )
    return int(raw)


def query_choice(name: str, enum: type[StrEnum]):
    raw = request.args.get(name)
    if not raw:
        return None
    return choice({name: raw}, name, enum)


def query_date(name: str):
    raw = request.args.get(name)
    if not raw:
        return None
    return iso_date({name: raw}, name)


def boolean(data: dict, field: str, *, default: bool | None = False):
    value = data.get(field, MISSING)
    if value is MISSING or value is None:
        return default
    if not isinstance(value, bool):
        raise ApiError(422, "invalid", N_("%(name)s must be true or false."), field=field, name=field)
    return value
