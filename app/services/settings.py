"""Settings an administrator may change, with the domain's defaults."""

import re
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app

from app.clock import chain_tz
from app.extensions import db
from app.models import Setting
from workshop.blame import INSPECTION_WINDOW_DAYS
from workshop.claims import DEFAULT_DUE_DAYS, DueFrom
from workshop.clock import DEFAULT_AT_RISK_DAYS, DEFAULT_LIMIT_DAYS, ON_TIME_TARGET
from workshop.errors import RuleViolation
from workshop.money import money
from workshop.stock import RequisitionLimits
from workshop.text import N_


@dataclass(frozen=True)
class Rules:
    tz: ZoneInfo
    limit_days: int = DEFAULT_LIMIT_DAYS
    at_risk_days: int = DEFAULT_AT_RISK_DAYS
    inspection_window_days: int = INSPECTION_WINDOW_DAYS
    on_time_target: float = ON_TIME_TARGET


INTEGER_SETTINGS = {
    "limit_days": (DEFAULT_LIMIT_DAYS, 1, 90),
    "at_risk_days": (DEFAULT_AT_RISK_DAYS, 0, 30),
    "inspection_window_days": (INSPECTION_WINDOW_DAYS, 1, 60),
}


def rules() -> Rules:
    stored = {s.key: s.value for s in db.session.scalars(db.select(Setting))}
    values = {}
    for key, (default, low, high) in INTEGER_SETTINGS.items():
        try:
            value = int(stored.get(key, default))
        except ValueError:
            value = default
        values[key] = min(max(value, low), high)
    return Rules(tz=chain_tz(), **values)


def set_value(key: str, value: int) -> None:
    default, low, high = INTEGER_SETTINGS[key]
    if not low <= value <= high:
        raise ValueError(key)
    _store(key, str(value))


# --- The workshop on paper: its address block, its bank account, claims' payment terms ------
#
# The workshop's name defaults to CHAIN_NAME from the environment; everything else starts empty
# and is printed once the administrator has filled it in.

PHONE = re.compile(r"^[0-9 +()\-./#,;extEXT转分机]*$")
ACCOUNT_NO = re.compile(r"^[0-9][0-9 \-]*[0-9]$")

TEXT_SETTINGS = {  # key: the longest value kept
    "workshop_name": 100,
    "workshop_contact": 100,
    "workshop_phone": 40,
    "workshop_address": 300,
    "bank_name": 100,
    "bank_account_name": 200,
    "bank_account_no": 40,
}
CLAIM_DUE_DAYS = (DEFAULT_DUE_DAYS, 0, 365)


@dataclass(frozen=True)
class Workshop:
    """The workshop's details as they appear on slips and statements, and its terms for claims."""

    name: str
    contact: str = ""
    phone: str = ""
    address: str = ""
    bank_name: str = ""
    bank_account_name: str = ""
    bank_account_no: str = ""
    claim_due_days: int = DEFAULT_DUE_DAYS
    claim_due_from: DueFrom = DueFrom.SENT

    @property
    def has_bank(self) -> bool:
        return bool(self.bank_name and self.bank_account_no)


def workshop() -> Workshop:
    stored = {
        s.key: s.value
        for s in db.session.scalars(
            db.select(Setting).where(Setting.key.in_([*TEXT_SETTINGS, "claim_due_days", "claim_due_from"]))
        )
    }
    texts = {key: stored.get(key, "").strip()[:length] for key, length in TEXT_SETTINGS.items()}
    texts["workshop_name"] = texts["workshop_name"] or current_app.config["CHAIN_NAME"]
    default, low, high = CLAIM_DUE_DAYS
    try:
        days = min(max(int(stored.get("claim_due_days", default)), low), high)
    except ValueError:
        days = default
    try:
        due_from = DueFrom(stored.get("claim_due_from", DueFrom.SENT.value))
    except ValueError:
        due_from = DueFrom.SENT
    return Workshop(
        name=texts["workshop_name"],
        contact=texts["workshop_contact"],
        phone=texts["workshop_phone"],
        address=texts["workshop_address"],
        bank_name=texts["bank_name"],
        bank_account_name=texts["bank_account_name"],
        bank_account_no=texts["bank_account_no"],
        claim_due_days=days,
        claim_due_from=due_from,
    )


def save_workshop(values: dict[str, object]) -> None:
    """Store the workshop's details; refuses what would print wrong (the form says so first)."""
    for key, length in TEXT_SETTINGS.items():
        text = " ".join(str(values.get(key) or "").split())
        if len(text) > length:
            raise RuleViolation(N_("At most %(n)d characters."), n=length)
        if key == "workshop_phone" and not PHONE.match(text):
            raise RuleViolation(N_("A phone number has digits, spaces and + ( ) - / only."))
        if key == "bank_account_no" and text and not ACCOUNT_NO.match(text):
            raise RuleViolation(N_("An account number has digits, spaces and hyphens only."))
        _store(key, text)
    default, low, high = CLAIM_DUE_DAYS
    days = values.get("claim_due_days", default)
    if not isinstance(days, int) or not low <= days <= high:
        raise RuleViolation(N_("Give the days to pay as a number from %(low)d to %(high)d."), low=low, high=high)
    _store("claim_due_days", str(days))
    _store("claim_due_from", DueFrom(str(values.get("claim_due_from") or DueFrom.SENT.value)).value)


def _store(key: str, value: str) -> None:
    setting = db.session.get(Setting, key) or Setting(key=key)
    setting.value = value
    db.session.add(setting)


# --- Spare parts: the labour rate a repair's minutes cost, and the limits above which an
# issue needs a requisition the lead approved first ------------------------------------------

SPARES_DEFAULTS = {
    "spares_labour_rate": "60.00",  # per hour
    "spares_requisition_quantity": "5",
    "spares_requisition_value": "200.00",
}
MONEY_TEXT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


@dataclass(frozen=True)
class Spares:
    labour_rate: Decimal  # per hour
    limits: RequisitionLimits


def spares() -> Spares:
    stored = {
        s.key: s.value for s in db.session.scalars(db.select(Setting).where(Setting.key.in_(list(SPARES_DEFAULTS))))
    }

    def amount(key: str) -> Decimal:
        text = stored.get(key, "")
        return Decimal(text if MONEY_TEXT.match(text) else SPARES_DEFAULTS[key])

    quantity = stored.get("spares_requisition_quantity", "")
    return Spares(
        labour_rate=amount("spares_labour_rate"),
        limits=RequisitionLimits(
            quantity=int(quantity)
            if quantity.isdigit() and len(quantity) < 7
            else int(SPARES_DEFAULTS["spares_requisition_quantity"]),
            value=amount("spares_requisition_value"),
        ),
    )


def save_spares(labour_rate: Decimal, requisition_quantity: int, requisition_value: Decimal) -> None:
    for value in (labour_rate, requisition_value):
        if not Decimal("0") <= value <= Decimal("9999999.99"):
            raise RuleViolation(N_("An amount is from 0 to 9,999,999.99."))
    if not 0 <= requisition_quantity <= 100_000:
        raise RuleViolation(N_("A quantity is a whole number from 0 to 100,000."))
    _store("spares_labour_rate", str(money(labour_rate)))
    _store("spares_requisition_quantity", str(requisition_quantity))
    _store("spares_requisition_value", str(money(requisition_value)))
