"""The current moment, for views: the app's one clock (``app.models.types.utcnow``), which
``app.config["NOW"]`` may replace so tests can set the date through the pages."""

from datetime import datetime

from app.models import utcnow


def now() -> datetime:
    return utcnow()
