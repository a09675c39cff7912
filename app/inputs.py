"""What a request sends, checked at the door, for every page and the API alike.

- Text a database cannot store is refused (PostgreSQL rejects NUL in text, and half a
  surrogate pair cannot be encoded at all); so is JSON nested deeper than any real body.
- One set of helpers parses and bounds query and form parameters: page numbers are clamped,
  ids stay within the database's 32-bit integers, months within 2000-01..2099-12, and money
  is a plain decimal (``12.50``; never ``1e309``, ``Infinity``, ``NaN`` or ``1E+5``) within
  bounds. A value out of bounds is treated as absent (a filter) or refused (a form field) —
  never a server error.
"""

import re
from decimal import Decimal, InvalidOperation

from flask import Flask, abort, current_app, request
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField

from workshop.money import Month

MAX_ID = 2**31 - 1
MAX_PAGE = 10_000
EARLIEST_MONTH, LATEST_MONTH = Month(2000, 1), Month(2099, 12)
MONEY_LIMIT = Decimal("99999999.99")  # a hundred million yuan: far beyond any piece or month
MONEY_TEXT = re.compile(r"^[+-]?\d{1,12}(\.\d{1,2})?$")
MONTH_TEXT = re.compile(r"^\d{4}-\d{2}$")
MAX_JSON_DEPTH = 32
# The largest JSON a client sends is a bulk registration of 200 pieces (~200 KB); photos and
# spreadsheets come as multipart forms, with their own limits.
MAX_JSON_BYTES = 2 * 1024 * 1024
# A body larger than its endpoint takes is refused (413) before it is read: the uploads have
# their own sizes, every other form or JSON body is small.
MB = 1024 * 1024
BODY_LIMITS = {
    "store.bulk_import": 6 * MB,  # a 5 MB spreadsheet and the form around it
    "store.register": 51 * MB,  # five photos of 10 MB
    "store.add_photos": 51 * MB,
    "api.add_photos": 51 * MB,
}
DEFAULT_BODY_LIMIT = 2 * MB


def storable(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _values():
    yield from request.args.values()
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        yield from request.form.values()
        for upload in request.files.values():
            yield upload.filename or ""


def body_limit() -> int:
    """The most this request's endpoint takes, in bytes."""
    limit = BODY_LIMITS.get(request.endpoint or "", DEFAULT_BODY_LIMIT)
    overall = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(limit, overall) if overall else limit


def _limit_body_size() -> None:
    request.max_content_length = body_limit()


def init_app(app: Flask) -> None:
    # First of all the before-request functions: CSRF protection reads the form, and with it the body.
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body_size)

    @app.before_request
    def _refuse_unstorable_text() -> None:
        if not all(storable(value) for value in _values()):
            abort(400)

    @app.url_value_preprocessor
    def _ids_in_range(endpoint, values) -> None:
        # An id beyond the database's integer is nobody's: 404, not an overflow in the driver.
        for value in (values or {}).values():
            if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
                abort(404)

    @app.before_request
    def _refuse_deep_json() -> None:
        # Python's parser raises RecursionError (not a ValueError) on deep nesting: a 500.
        if not request.is_json:
            return
        if (request.content_length or 0) > MAX_JSON_BYTES:
            abort(413)
        try:
            data = request.get_json(silent=True)
        except RecursionError:
            abort(400)
        if data is not None and json_depth(data) > MAX_JSON_DEPTH:
            abort(400)


# --- Parsing one value (ValueError when it is not acceptable) ----------------------------


def parse_int(text: str | int | None, minimum: int = 1, maximum: int = MAX_ID) -> int:
    if isinstance(text, bool):
        raise ValueError(text)
    text = str(text).strip() if text is not None else ""
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 12:
        raise ValueError(text)
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValueError(text)
    return value


def parse_month(text: str | None) -> Month:
    text = (text or "").strip()
    if not MONTH_TEXT.match(text):
        raise ValueError(text)
    month = Month.parse(text)
    if not EARLIEST_MONTH <= month <= LATEST_MONTH:
        raise ValueError(text)
    return month


def parse_money(text: str | None, minimum: Decimal = -MONEY_LIMIT, maximum: Decimal = MONEY_LIMIT) -> Decimal:
    """A plain decimal with at most two places, within bounds: no exponent, no NaN or Infinity."""
    text = (text or "").strip()
    if not MONEY_TEXT.match(text):
        raise ValueError(text)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not minimum <= value <= maximum:
        raise ValueError(text)
    return value


# --- Query and form parameters ----------------------------------------------------------


def arg_int(name: str, default: int | None = None, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """An id or number from the query string; the default when absent or out of bounds."""
    try:
        return parse_int(request.args.get(name), minimum, maximum)
    except ValueError:
        return default


def arg_page(name: str = "page") -> int:
    """A page number, clamped to 1..MAX_PAGE (a huge page is an empty page, never an error)."""
    try:
        return min(parse_int(request.args.get(name), 1, 10**12), MAX_PAGE)
    except ValueError:
        return 1


def form_ids(name: str) -> list[int]:
    """The ids of a multiple choice (ticked rows), those that can be ids at all, sorted, once each."""
    ids = set()
    for text in request.form.getlist(name):
        try:
            ids.add(parse_int(text))
        except ValueError:
            continue
    return sorted(ids)


# --- Form fields ------------------------------------------------------------------------


class _ParsedField:
    """A field read by one of the parsers above: empty is None, anything else parsed or refused."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] == "":
            self.data = None
            return
        try:
            self.data = self.parse(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(self.refusal()) from None


class MoneyField(_ParsedField, DecimalField):
    """An amount in yuan as a plain decimal within bounds (WTForms' DecimalField takes 1e309)."""

    def __init__(self, label=None, validators=None, minimum=-MONEY_LIMIT, maximum=MONEY_LIMIT, **kwargs):
        super().__init__(label, validators, places=2, **kwargs)
        self.minimum, self.maximum = Decimal(minimum), Decimal(maximum)

    def parse(self, text: str) -> Decimal:
        return parse_money(text, self.minimum, self.maximum)

    def refusal(self):
        return _l("Give an amount like 12.50, from %(min)s to %(max)s.", min=self.minimum, max=self.maximum)


class BoundedIntegerField(_ParsedField, IntegerField):
    """A whole number that fits the database's integers (WTForms' IntegerField takes any size)."""

    def __init__(self, label=None, validators=None, minimum=-MAX_ID, maximum=MAX_ID, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def parse(self, text: str) -> int:
        return parse_int(text, self.minimum, self.maximum)

    def refusal(self):
        return _l("Give a whole number from %(min)d to %(max)d.", min=self.minimum, max=self.maximum)


# --- JSON -------------------------------------------------------------------------------


def json_object() -> dict:
    """The JSON body of a page's own script: an object, or empty when it is anything else."""
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def json_int(data: dict, name: str, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """A whole number (or its digits as text) within bounds; None otherwise."""
    try:
        return parse_int(data.get(name), minimum, maximum)
    except ValueError:
        return None


def form_only() -> None:
    """For a page's endpoint that takes a form: a JSON body is not what it reads (400)."""
    if request.is_json:
        abort(400)


def json_depth(value, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep lists and objects nest (iteratively: a deep body must not exhaust the stack)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest
