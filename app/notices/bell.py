"""The bell in every page's top bar: the user's unread count, for the base template."""

from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.services import alerts


def unread_notifications() -> int | None:
    """The count, at most ``alerts.BELL_CAP``; ``None`` for nobody logged in, and on an error
    page about the database itself (the page still shows, without a count)."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    try:
        return alerts.unread_count(db.session, current_user, cap=alerts.BELL_CAP)
    except SQLAlchemyError:
        db.session.rollback()  # this read only; the request's own work was already ended
        return None


def context() -> dict:
    return {"unread_notifications": unread_notifications, "bell_cap": alerts.BELL_CAP}
