"""What happened, for whoever has to find out later: one line per use case and a traceback
for every server error, on stderr.

Every line of a request carries its request id. The id comes from the ``X-Request-ID``
header when a proxy sent a sensible one, else it is made here; the response carries it back
in the same header (gunicorn's access log prints it, see the Makefile) and the 500 page
shows it, so a shop can quote it to whoever reads the log. ``LOG_FORMAT=json`` writes one
JSON object per line for log shippers; ``LOG_LEVEL`` sets the level (INFO).
"""

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
_SENSIBLE_ID = re.compile(r"^[A-Za-z0-9._:-]{6,64}$")
# The fields a use-case line carries, in this order in the text format.
FIELDS = ("user", "action", "object", "outcome", "ms")

logger = logging.getLogger("workshop")


def request_id() -> str:
    return g.get("request_id", "-") if has_request_context() else "-"


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = "".join(f" {name}={getattr(record, name)}" for name in FIELDS if hasattr(record, name))
        line = (
            f"{datetime.fromtimestamp(record.created, UTC):%Y-%m-%dT%H:%M:%S}Z {record.levelname} "
            f"[{record.request_id}] {record.getMessage()}{fields}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": record.request_id,
            "message": record.getMessage(),
        }
        entry |= {name: getattr(record, name) for name in FIELDS if hasattr(record, name)}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(_RequestIdFilter())
    handler.set_name("workshop-stderr")
    return handler


def _install(target: logging.Logger, handler: logging.Handler, level: str) -> None:
    for old in [h for h in target.handlers if h.get_name() == "workshop-stderr" or type(h).__name__ == "_Handler"]:
        target.removeHandler(old)
    target.addHandler(handler)
    target.setLevel(level)
    # Records reach pytest's caplog through the root logger; the root has no stderr handler of ours.
    target.propagate = True


def init_app(app: Flask) -> None:
    from flask.logging import default_handler

    handler = _handler(app.config.get("LOG_FORMAT", "text"))
    level = str(app.config.get("LOG_LEVEL", "INFO")).upper()
    app.logger.removeHandler(default_handler)
    for target in (logger, app.logger):
        _install(target, handler, level)

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if _SENSIBLE_ID.match(incoming) else uuid.uuid4().hex[:16]

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        return response


def use_case(action: str, obj: str, outcome: str, ms: float, user: str) -> None:
    """The one line a use case writes: who did what to which object, how it ended, how long it took."""
    level = (
        logging.INFO if outcome in ("ok", "discarded") or outcome.startswith(("refused", "http:4")) else logging.WARNING
    )
    logger.log(
        level,
        "use case",
        extra={"user": user, "action": action, "object": obj or "-", "outcome": outcome, "ms": round(ms, 1)},
    )
