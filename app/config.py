"""Configuration from environment variables, read once when the app is created.

With nothing set the app runs on SQLite in its instance folder and keeps its own random
secret there. In production (``APP_ENV=production``) a missing ``SECRET_KEY`` stops the app
instead of falling back to anything known.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


class ConfigError(RuntimeError):
    pass


def _instance_secret(instance_path: Path) -> str:
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'workshop.sqlite'}"
    # psycopg 3 is the driver; accept the common spellings of a PostgreSQL URL.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _duration(name: str, unit: str, default: float) -> timedelta:
    text = os.environ.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not a number of {unit}") from None
    if not 0 < value < 10_000:
        raise ConfigError(f"{name}={text!r} must be a positive number of {unit}")
    return timedelta(**{unit: value})


def _limit_storage(production: bool) -> str:
    uri = os.environ.get("RATELIMIT_STORAGE_URI", "").strip()
    if production and (not uri or uri.startswith("memory://")):
        # Counters kept per worker let a guesser try N times per worker: share them.
        raise ConfigError("RATELIMIT_STORAGE_URI must name a shared storage (redis://…) when APP_ENV=production.")
    return uri or "memory://"


def from_environment(instance_path: Path) -> dict:
    production = os.environ.get("APP_ENV", "").lower() == "production"
    secret = os.environ.get("SECRET_KEY", "").strip()
    if not secret:
        if production:
            raise ConfigError("SECRET_KEY must be set when APP_ENV=production.")
        secret = _instance_secret(instance_path)
    tz_name = os.environ.get("CHAIN_TIMEZONE", "Asia/Shanghai")
    try:
        ZoneInfo(tz_name)
    except Exception as exc:  # zoneinfo raises several kinds for a bad name
        raise ConfigError(f"CHAIN_TIMEZONE={tz_name!r} is not a known time zone") from exc
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "CHAIN_TIMEZONE": tz_name,
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance_path / "uploads")),
        "CHAIN_NAME": os.environ.get("CHAIN_NAME", "总公司售后服务部"),
        "RATELIMIT_STORAGE_URI": _limit_storage(production),
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600 per minute"),
        "API_AUTH_FAILURE_LIMIT": os.environ.get("API_AUTH_FAILURE_LIMIT", "20 per minute"),
        "SESSION_COOKIE_SECURE": production and os.environ.get("SESSION_COOKIE_SECURE", "1") == "1",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text").strip().lower(),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").strip().upper(),
        "APP_ENV": "production" if production else os.environ.get("APP_ENV", "development").lower(),
        "SESSION_IDLE_LIFETIME": _duration("SESSION_IDLE_HOURS", "hours", 12),
        "SESSION_ABSOLUTE_LIFETIME": _duration("SESSION_ABSOLUTE_DAYS", "days", 7),
        "SESSION_HISTORY_DAYS": max(_duration("SESSION_HISTORY_DAYS", "days", 90).days, 1),
        "LOGIN_ADDRESS_LIMIT": os.environ.get("LOGIN_ADDRESS_LIMIT", "10 per minute"),
        "LOGIN_ACCOUNT_LIMIT": os.environ.get("LOGIN_ACCOUNT_LIMIT", "10 per 15 minutes"),
        "PRINTER_TIMEOUT": _seconds("PRINTER_TIMEOUT", "5"),
        **_alerts_from_environment(instance_path),
    }


def _alerts_from_environment(instance_path: Path) -> dict:
    """Alerts and background work: the queue, the links in messages, the mail server."""
    return {
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip(),
        "BACKGROUND": os.environ.get("BACKGROUND", "").strip().lower(),
        "BASE_URL": os.environ.get("BASE_URL", DEFAULTS["BASE_URL"]).strip(),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "").strip(),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25") or 25),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "0").strip().lower() in ("1", "true", "yes"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "").strip(),
        # Files of background jobs; with workers on other machines, a folder they all share.
        "JOB_FOLDER": os.environ.get("JOB_FOLDER", str(instance_path / "jobs")),
    }


def _seconds(name: str, default: str) -> float:
    text = os.environ.get(name, default)
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 120:
        raise ConfigError(f"{name}={text!r} is not a number of seconds between 0 and 120")
    return seconds


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
    "BABEL_DEFAULT_LOCALE": "zh_Hans",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "LANGUAGES": {"zh_Hans": "中文", "en": "English"},
    "WTF_CSRF_TIME_LIMIT": None,
    "PAGE_SIZE": 50,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,  # Retry-After on a 429, so a client knows when to try again
    "CHAIN_TIMEZONE": "Asia/Shanghai",
    "API_RATE_LIMIT": "600 per minute",
    "API_AUTH_FAILURE_LIMIT": "20 per minute",
    "LOG_FORMAT": "text",  # "json": one JSON object per line, for log shippers
    "LOG_LEVEL": "INFO",
    "APP_ENV": "development",
    # A log-in session ends after 12 hours unused, and 7 days after the log-in in any case.
    "SESSION_IDLE_LIFETIME": timedelta(hours=12),
    "SESSION_ABSOLUTE_LIFETIME": timedelta(days=7),
    "LOGIN_ADDRESS_LIMIT": "10 per minute",
    "LOGIN_ACCOUNT_LIMIT": "10 per 15 minutes",  # refused log-ins per account, whatever the address
    "CHAIN_NAME": "总公司售后服务部",  # the workshop's name on paper until the admin sets one in the settings
    "PRINTER_TIMEOUT": 5.0,  # seconds a label printer has to take a label file
    # Alerts and background work (docs: the README's section on alerts).
    "REDIS_URL": "",  # empty: background work runs in this process after each commit
    "BACKGROUND": "",  # "rq", "thread" or "inline"; empty: rq with REDIS_URL, else thread
    "RQ_QUEUE": "workshop",
    "BASE_URL": "http://127.0.0.1:5000",  # links in messages are absolute: people read them outside the app
    "SMTP_HOST": "",  # empty: no e-mail is sent
    "SMTP_PORT": 25,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "MAIL_FROM": "",
    "ALERT_MAX_ATTEMPTS": 5,
    "ALERT_RETRY_SECONDS": 60,  # the first retry's wait; each next one waits four times longer
    "ALERT_SEND_TIMEOUT": 10,  # seconds for one SMTP or webhook call
    "JOB_KEEP_HOURS": 24,
}
