"""Languages: the user's choice, else the session's, else the browser's; Chinese by default."""

from flask import Flask, current_app, request, session
from flask_babel import gettext
from flask_login import current_user

from app.extensions import babel
from workshop.errors import DomainError

SUPPORTED = ("zh_Hans", "en")


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    value = value.replace("-", "_")
    if value.lower().startswith("zh"):
        return "zh_Hans"
    if value.lower().startswith("en"):
        return "en"
    return None


def select_locale() -> str:
    # An API client says its language with each request; that beats the user's saved choice.
    if request.path.startswith("/api/") and request.headers.get("Accept-Language"):
        chosen = normalise_locale(
            request.accept_languages.best_match(["zh_Hans", "zh_CN", "zh", "zh_TW", "en", "en_US", "en_GB"])
        )
        if chosen:
            return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        chosen = normalise_locale(current_user.locale)
        if chosen:
            return chosen
    chosen = normalise_locale(session.get("locale"))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(["zh_Hans", "zh_CN", "zh", "zh_TW", "en", "en_US", "en_GB"])
    return normalise_locale(best) or current_app.config["BABEL_DEFAULT_LOCALE"]


def translate(message: str, params: dict | None = None) -> str:
    """Translate a domain sentence; its string parameters are translated too (labels, hints)."""
    text = gettext(message) if message else ""
    if not params:
        return text
    filled = {k: _param(v) for k, v in params.items()}
    return text % filled


def _param(value: object) -> object:
    if isinstance(value, DomainError):
        return error_text(value)
    return gettext(value) if isinstance(value, str) and value else value


def error_text(error: DomainError) -> str:
    return translate(error.message, error.params)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
