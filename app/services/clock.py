"""The current moment for views, in one place so tests can set the date through the pages.

``app.config["NOW"]``, when set, is a callable returning an aware datetime; nothing else in
the app reads it. Services still take ``at=`` and never call this themselves.
"""

from datetime import datetime

from flask import current_app

from app.models import utcnow


def now() -> datetime:
    override = current_app.config.get("NOW")
    return override() if override is not None else utcnow()
