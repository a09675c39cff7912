"""The app's one clock, and the chain's calendar.

``now()`` is the only way the app reads the time; ``app.config["NOW"]``, when set, is a
callable that replaces it (tests, and demos that live through a week in minutes). Days,
weeks and months are the chain's (``CHAIN_TIMEZONE``), never the server's: ``today()``.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def now() -> datetime:
    """Now, in UTC."""
    if has_app_context():
        override = current_app.config.get("NOW")
        if override is not None:
            moment: datetime = override()
            return moment
    return datetime.now(UTC)


def chain_tz() -> ZoneInfo:
    name = current_app.config.get("CHAIN_TIMEZONE", DEFAULT_TIMEZONE) if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def today() -> date:
    """Today's date in the chain's time zone."""
    return local_date(now())


def local_date(moment: datetime) -> date:
    return moment.astimezone(chain_tz()).date()
