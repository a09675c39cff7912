"""Settings an administrator may change, with the domain's defaults."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app.clock import chain_tz
from app.extensions import db
from app.models import Setting
from workshop.blame import INSPECTION_WINDOW_DAYS
from workshop.clock import DEFAULT_AT_RISK_DAYS, DEFAULT_LIMIT_DAYS, ON_TIME_TARGET


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
    setting = db.session.get(Setting, key) or Setting(key=key)
    setting.value = str(value)
    db.session.add(setting)
