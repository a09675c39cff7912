"""Template filters and globals: local times, money, translated labels, navigation."""

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_babel import format_decimal, get_locale, gettext
from flask_login import current_user

from app import navigation
from app.clock import chain_tz, local_date
from app.i18n import SUPPORTED
from app.models import Batch, Claim, Piece
from app.services import reasons
from workshop.roles import Role
from workshop.statuses import BatchStatus, ClaimStatus, PieceStatus
from workshop.transitions import allowed_batch_actions, allowed_claim_actions, allowed_piece_actions


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(chain_tz()).strftime(fmt)


def localdate(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value)
    return value.isoformat()


def money(value: Decimal | None) -> str:
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}¥" + format_decimal(abs(value), format="#,##0.00")


def label(value) -> str:
    """The translated readable name of an enum member (a status, a role, a blame…)."""
    if value is None:
        return ""
    return gettext(value.label) if hasattr(value, "label") else str(value)


def status_label(value: str | None) -> str:
    for enum_cls in (PieceStatus, BatchStatus, ClaimStatus):
        try:
            return gettext(enum_cls(value).label)
        except ValueError:
            continue
    return value or ""


def actions(thing) -> set[str]:
    """What the person looking at the page may do to this piece, batch or claim now: pages
    offer exactly these (the transition tables decide; templates never compare statuses)."""
    role = getattr(current_user, "role", None)
    if role is None:
        return set()
    if isinstance(thing, Piece):
        found = allowed_piece_actions(thing.status, role)
    elif isinstance(thing, Batch):
        found = allowed_batch_actions(thing.direction, thing.status, role)
    elif isinstance(thing, Claim):
        found = allowed_claim_actions(thing.status, role)
    else:
        raise TypeError(f"no transition table for {type(thing).__name__}")
    return {action.value for action in found}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        localtime=localtime, localdate=localdate, money=money, label=label, status_label=status_label
    )
    app.jinja_env.globals.update(
        Role=Role, actions=actions, blame_reason=reasons.blame_reason, event_reason=reasons.event_reason
    )

    @app.context_processor
    def _globals():
        locale = str(get_locale() or "zh_Hans")
        role = current_user.role if getattr(current_user, "is_authenticated", False) else None
        return {
            "current_locale": locale,
            "languages": [(code, app.config["LANGUAGES"][code]) for code in SUPPORTED],
            "html_lang": "zh-CN" if locale.startswith("zh") else "en",
            "role": role,
            "nav_items": navigation.for_role(app, role),
        }
