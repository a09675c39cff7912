"""Registering many pieces from a spreadsheet: read, check every cell, then all or nothing.

The preview checks everything and saves nothing; the import checks everything again (the
catalogue may have changed since) and registers every row or none. Between the two, the
parsed rows travel in the page itself, signed, so any app server can take the confirmation.
"""

import csv
import hashlib
import io
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.inputs import parse_money
from app.models import Piece, PieceImport, Store, User
from app.services import catalogue, counter, registration, scope
from app.services.settings import Rules
from app.services.settings import rules as current_rules
from workshop.clock import local_date
from workshop.errors import AlreadyDone, NotFound, RuleViolation
from workshop.statuses import Source
from workshop.text import N_

MAX_ROWS = 1000
MAX_FILE_BYTES = 5 * 1024 * 1024
# Lines and rows read before a file is refused, blank ones included: a file of millions of
# empty lines is refused at once instead of keeping a worker busy reading them.
MAX_LINES = 20 * MAX_ROWS
MAX_READ_ROWS = 2 * MAX_ROWS + 1
TOKEN_MAX_AGE = 3600


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    max_length: int = 0

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


COLUMNS = (
    Column("product", "款号", "Style code", 40),
    Column("size", "尺码", "Size", 20),
    Column("colour", "颜色", "Colour", 40),
    Column("defect", "缺陷代码", "Defect code", 20),
    Column("source", "来源", "Source"),
    Column("delivery", "到货日期", "Delivery received on"),
    Column("description", "问题描述", "Description", 2000),
    # 三包: a customer's return with its purchase (sale date, price and receipt together, or none)
    Column("sold_on", "购买日期", "Sale date"),
    Column("price_paid", "实付金额", "Price paid"),
    Column("receipt_no", "小票或三包卡号", "Receipt or 三包 card number", 40),
    Column("worn", "是否穿用", "Worn"),
    Column("customer_name", "顾客姓名", "Customer name", 100),
    Column("customer_phone", "顾客电话", "Customer phone", 40),
)
PURCHASE_KEYS = ("sold_on", "price_paid", "receipt_no")
YES = ("是", "穿过", "已穿", "yes", "y", "true", "1")
NO = ("否", "未穿", "no", "n", "false", "0", "")
COLUMN = {c.key: c for c in COLUMNS}
REQUIRED = ("product", "defect", "source")

# What people type in the source column, in either language, folded to the domain's value.
SOURCE_WORDS = {
    Source.CUSTOMER_RETURN: ("customer_return", "customer return", "return", "顾客退货", "退货", "客退"),
    Source.DELIVERY: ("delivery", "found on receiving a delivery", "到货发现", "到货", "来货"),
    Source.SHELF: ("shelf", "found on the shelf", "货架发现", "货架", "陈列"),
}
SOURCE_LOOKUP = {word: source for source, words in SOURCE_WORDS.items() for word in words}
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet's own row number (the header is row 1)
    column: str  # a COLUMNS key, or "" for the whole file / row
    message: str  # untranslated, with %(name)s placeholders
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One checked row, in plain values that survive a trip through the page."""

    row: int
    product: str
    size: str
    colour: str
    defect: str
    source: str
    delivery: str | None
    description: str
    sold_on: str | None = None
    price_paid: str | None = None
    receipt_no: str = ""
    worn: bool = False
    customer_name: str = ""
    customer_phone: str = ""

    def purchase(self) -> counter.Purchase | None:
        if self.sold_on is None or self.price_paid is None:
            return None
        return counter.Purchase(
            sold_on=date.fromisoformat(self.sold_on),
            price_paid=Decimal(self.price_paid),
            receipt_no=self.receipt_no,
            worn=self.worn,
            customer_name=self.customer_name,
            customer_phone=self.customer_phone,
        )


@dataclass
class Preview:
    rows: list[Row]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def duplicates(self) -> list[tuple[int, int]]:
        """Rows identical to an earlier row of the file: (row, the earlier row)."""
        return duplicate_rows(self.rows)


def duplicate_rows(rows: list[Row]) -> list[tuple[int, int]]:
    first: dict[tuple, int] = {}
    found = []
    for row in rows:
        key = tuple((asdict(row) | {"row": 0}).items())
        if key in first:
            found.append((row.row, first[key]))
        else:
            first[key] = row.row
    return found


class AlreadyImported(AlreadyDone):
    """This preview was confirmed before: the second confirmation registers nothing."""

    code = "already_imported"

    def __init__(self, record: PieceImport) -> None:
        super().__init__(
            N_(
                "This file was already imported on %(date)s (import %(number)d, %(n)d pieces): "
                "nothing was registered twice."
            ),
            date=local_date(record.created_at, current_rules().tz).isoformat(),
            number=record.id,
            n=record.rows,
        )
        self.import_id = record.id


class ImportRefused(RuleViolation):
    """The file has problems; nothing was registered."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(N_("Nothing was registered: %(n)d problems in the file."), n=len(problems))
        self.problems = problems


# --- The template -----------------------------------------------------------------------


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "问题件 Pieces"
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJKLM", (16, 10, 12, 18, 22, 22, 40, 14, 12, 22, 10, 12, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sources = DataValidation(
        type="list", formula1='"顾客退货,到货发现,货架发现,customer_return,delivery,shelf"', allow_blank=False
    )
    sheet.add_data_validation(sources)
    sources.add("E2:E1001")
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明 Notes")
    for line in (
        (
            "每行一件问题件。款号、缺陷代码、来源必填。",
            "One faulty piece per row. Style code, defect code and source are required.",
        ),
        ("来源：顾客退货 / 到货发现 / 货架发现", "Source: customer_return / delivery / shelf"),
        (
            "来源为到货发现时必须填写到货日期（YYYY-MM-DD）。",
            "When the source is delivery, give the date the delivery was received (YYYY-MM-DD).",
        ),
        (
            "顾客退货可填写购买日期、实付金额、小票或三包卡号（三项同填），是否穿用（是/否），顾客姓名和电话（选填）；"
            "导入后在问题件页面作柜台三包处理决定。",
            "A customer's return may carry its sale date, price paid and receipt or 三包 card number (all three), "
            "whether it was worn (yes/no), and the customer's name and phone (optional); decide at the counter on "
            "each piece's page after the import.",
        ),
        (
            "导入后请在问题件列表中点“照片”补充照片。",
            "After the import, add photos with “Photos” in the list of pieces.",
        ),
    ):
        notes.append(list(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Reading ----------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> list[list[object]]:
    """The file's cells, row by row: XLSX by its content, else CSV in UTF-8 (BOM or not) or GBK."""
    if len(data) > MAX_FILE_BYTES:
        raise RuleViolation(N_("The file is larger than 5 MB: split it into smaller files."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data.count(b"\n") > MAX_LINES or data.count(b"\r") > MAX_LINES:
        raise _too_many_rows()
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise RuleViolation(N_("“%(name)s” is not a readable XLSX file: save it again from Excel."), name=filename)
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[list[object]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise RuleViolation(N_("The file is not a readable XLSX or CSV file: save it again from Excel.")) from None
    try:
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    finally:
        book.close()


def _read_csv(data: bytes) -> list[list[object]]:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Chinese Excel saves "CSV" in GBK; GB18030 reads every GBK file and more.
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise RuleViolation(
                    N_("The file's text encoding is neither UTF-8 nor GBK: save it as XLSX instead.")
                ) from None
    sample = text[:2048]
    delimiter = (
        ";" if sample.count(";") > sample.count(",") and "\t" not in sample else ("\t" if "\t" in sample else ",")
    )
    rows = list(islice(csv.reader(io.StringIO(text), delimiter=delimiter), MAX_READ_ROWS + 1))
    if len(rows) > MAX_READ_ROWS:
        raise _too_many_rows()
    return rows


def _too_many_rows() -> RuleViolation:
    return RuleViolation(N_("At most %(n)d pieces per file: split it."), n=MAX_ROWS)


# --- Checking ---------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turns a numeric style code into 1234.0
    return str(value).strip()


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_TEXT.match(_text(value))
    if not match:
        raise ValueError(value)
    return date(int(match[1]), int(match[2]), int(match[3]))


def _header_map(header: list[object]) -> tuple[dict[str, int], list[Problem]]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = _text(cell).lower()
        for column in COLUMNS:
            if (
                column.key not in found
                and text
                and (column.zh in text or column.en.lower() in text or text == column.key)
            ):
                found[column.key] = index
                break
    problems = [
        Problem(
            1,
            key,
            N_("The header row has no column “%(column)s”: start from the template."),
            {"column": COLUMN[key].header},
        )
        for key in REQUIRED
        if key not in found
    ]
    return found, problems


def validate(table: list[list[object]], rules: Rules, today: date) -> Preview:
    if not table or not any(_text(c) for c in table[0]):
        return Preview([], [Problem(1, "", N_("The file is empty: fill in the template, one piece per row."))])
    columns, problems = _header_map(table[0])
    if problems:
        return Preview([], problems)
    body = [(number, cells) for number, cells in enumerate(table[1:], start=2) if any(_text(c) for c in cells)]
    if len(body) > MAX_ROWS:
        return Preview([], [Problem(1, "", N_("At most %(n)d pieces per file: split it."), {"n": MAX_ROWS})])

    def cell(cells: list[object], key: str) -> object:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    codes = {_text(cell(c, "product")).upper() for _, c in body} - {""}
    defect_codes = {_text(cell(c, "defect")).upper() for _, c in body} - {""}
    products = catalogue.products_by_style_codes(codes)
    defects = catalogue.defects_by_codes(defect_codes)

    rows: list[Row] = []
    for number, cells in body:
        row_problems: list[Problem] = []

        def problem(key: str, message: str, _found=row_problems, _row=number, **params) -> None:
            _found.append(Problem(_row, key, message, params))

        values = {key: _text(cell(cells, key)) for key in COLUMN}
        for key, column in COLUMN.items():
            if column.max_length and len(values[key]) > column.max_length:
                problem(key, N_("Longer than %(n)d characters."), n=column.max_length)

        product = products.get(values["product"].upper())
        if not values["product"]:
            problem("product", N_("The style code is missing."))
        elif product is None:
            problem("product", N_("No product has the style code %(code)s."), code=values["product"])
        elif not product.active:
            problem("product", N_("Product %(code)s is no longer active."), code=product.style_code)

        defect = defects.get(values["defect"].upper())
        if not values["defect"]:
            problem("defect", N_("The defect code is missing."))
        elif defect is None:
            problem("defect", N_("No defect has the code %(code)s."), code=values["defect"])
        elif not defect.active:
            problem("defect", N_("Defect code %(code)s is no longer in use."), code=defect.code)

        source = SOURCE_LOOKUP.get(values["source"].lower())
        if source is None:
            problem(
                "source",
                N_(
                    "“%(text)s” is not a source: write customer_return, delivery or shelf (顾客退货, 到货发现, 货架发现)."
                ),
                text=values["source"],
            )

        delivery = None
        raw_delivery = cell(cells, "delivery")
        if _text(raw_delivery):
            try:
                delivery = _date(raw_delivery)
            except ValueError:
                problem("delivery", N_("“%(text)s” is not a date: write it like 2026-11-20."), text=_text(raw_delivery))
        if delivery is not None and delivery > today:
            problem("delivery", N_("The delivery date cannot be in the future."))
        if source == Source.DELIVERY and delivery is None and not _text(raw_delivery):
            problem("delivery", N_("Give the date the store received the delivery this piece came in."))

        purchase = _purchase(cells, cell, values, source, today, problem)

        problems.extend(row_problems)
        if not row_problems:
            rows.append(
                Row(
                    row=number,
                    product=product.style_code,
                    size=values["size"],
                    colour=values["colour"],
                    defect=defect.code,
                    source=source.value,
                    delivery=delivery.isoformat() if source == Source.DELIVERY and delivery else None,
                    description=values["description"],
                    sold_on=purchase.sold_on.isoformat() if purchase else None,
                    price_paid=str(purchase.price_paid) if purchase else None,
                    receipt_no=purchase.receipt_no if purchase else "",
                    worn=purchase.worn if purchase else False,
                    customer_name=purchase.customer_name if purchase else "",
                    customer_phone=purchase.customer_phone if purchase else "",
                )
            )
    if not body:
        problems.append(Problem(2, "", N_("The file has a header but no pieces.")))
    return Preview(rows, problems)


def _purchase(cells, cell, values, source, today, problem) -> counter.Purchase | None:
    """A customer's purchase from its columns: all of sale date, price and receipt, or none."""
    if not any(values[key] for key in PURCHASE_KEYS):
        return None
    for key, message in (
        ("sold_on", N_("Give the sale date from the receipt.")),
        ("price_paid", N_("Give the price the customer paid.")),
        ("receipt_no", N_("Give the receipt or 三包 card number.")),
    ):
        if not values[key]:
            problem(key, message)
    sold_on = price = None
    if values["sold_on"]:
        try:
            sold_on = _date(cell(cells, "sold_on"))
        except ValueError:
            problem("sold_on", N_("“%(text)s” is not a date: write it like 2026-11-20."), text=values["sold_on"])
    if values["price_paid"]:
        try:
            price = parse_money(values["price_paid"], Decimal("0"), counter.MAX_PRICE)
        except ValueError:
            problem("price_paid", N_("“%(text)s” is not an amount: write it like 899.00."), text=values["price_paid"])
    worn = values["worn"].lower()
    if worn not in YES + NO:
        problem("worn", N_("“%(text)s” is not yes or no (是 / 否)."), text=values["worn"])
    if sold_on is None or price is None or not values["receipt_no"] or source is None:
        return None
    purchase = counter.Purchase(
        sold_on=sold_on,
        price_paid=price,
        receipt_no=values["receipt_no"],
        worn=worn in YES,
        customer_name=values["customer_name"],
        customer_phone=values["customer_phone"],
    )
    try:
        counter.check_purchase(purchase, source, today)
    except RuleViolation as e:
        problem("", e.message, **e.params)
        return None
    return purchase


def preview_file(filename: str, data: bytes, rules: Rules, at: datetime | None = None) -> Preview:
    table = read_table(filename, data)
    return validate(table, rules, local_date(at or clock.now(), rules.tz))


# --- Carrying the rows to the confirmation ----------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="store-bulk-import")


def sign_rows(rows: list[Row], store: Store, actor: User) -> str:
    return _serializer().dumps({"store": store.id, "user": actor.id, "rows": [asdict(r) for r in rows]})


def unsign_rows(token: str, store: Store, actor: User) -> list[Row]:
    """The rows of a preview this user made for this store; refused if altered, old or not theirs."""
    expired = RuleViolation(N_("This preview is too old or was altered: upload the file again."))
    try:
        payload = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        raise expired from None
    if payload.get("store") != store.id or payload.get("user") != actor.id:
        raise expired
    return [Row(**r) for r in payload["rows"]]


# --- Importing --------------------------------------------------------------------------


def rows_as_table(rows: list[Row]) -> list[list[object]]:
    keys = [c.key for c in COLUMNS]
    header = [COLUMN[k].header for k in keys]
    return [header] + [[getattr(r, k) or "" for k in keys] for r in rows]


def preview_key(token: str) -> str:
    """One signed preview, one import: the key a second confirmation of it finds."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_import(key: str) -> PieceImport | None:
    return db.session.scalars(select(PieceImport).where(PieceImport.preview_key == key)).one_or_none()


def _claim(actor: User, store: Store, key: str, rows: int, at: datetime) -> PieceImport:
    """Write the import's row first: of two confirmations of one preview (a double click, two
    tabs, a replay), the unique key lets one through and shows the other the first."""
    existing = find_import(key)
    if existing is not None:
        raise AlreadyImported(existing)
    record = PieceImport(store=store, preview_key=key, rows=rows, created_at=at, created_by=actor)
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        # The other confirmation committed while this one waited on the key.
        existing = find_import(key)
        if existing is None:
            raise
        raise AlreadyImported(existing) from None
    return record


def import_rows(
    actor: User,
    store: Store,
    rows: list[Row],
    rules: Rules,
    at: datetime | None = None,
    *,
    key: str,
    duplicates_ticked: bool = False,
) -> tuple[PieceImport, list[Piece]]:
    """Check again, then register every row — or raise and register none."""
    at = at or clock.now()
    record = _claim(actor, store, key, len(rows), at)
    preview = validate(rows_as_table(rows), rules, local_date(at, rules.tz))
    if preview.problems:
        # Row numbers of the re-check are positions in the preview, not the file's.
        raise ImportRefused(preview.problems)
    twins = duplicate_rows(rows)
    if twins and not duplicates_ticked:
        raise RuleViolation(
            N_(
                "Row %(row)d is the same as row %(first)d (%(n)d such rows): tick the box to register them all, "
                "or correct the file and upload it again."
            ),
            row=twins[0][0],
            first=twins[0][1],
            n=len(twins),
        )
    products = catalogue.products_by_style_codes(r.product for r in rows)
    defects = catalogue.defects_by_codes(r.defect for r in rows)
    pieces = []
    for row in preview.rows:
        data = registration.NewPiece(
            product=products[row.product.upper()],
            defect=defects[row.defect.upper()],
            source=Source(row.source),
            size=row.size,
            colour=row.colour,
            description=row.description,
            delivery_received_on=date.fromisoformat(row.delivery) if row.delivery else None,
            purchase=row.purchase(),
        )
        pieces.append(registration.register_piece(actor, store, data, rules, at=at, import_id=record.id))
    return record, pieces


def import_of(actor: User, import_id: int, *, for_update: bool = False) -> PieceImport:
    """An import of a store this user may see, or NotFound."""
    query = select(PieceImport).where(PieceImport.id == import_id, scope.store_condition(actor, PieceImport.store_id))
    if for_update:
        query = query.with_for_update()
    found = db.session.scalars(query).one_or_none()
    if found is None:
        raise NotFound()
    return found


def pieces_of(actor: User, record: PieceImport):
    """The import's pieces as a query (the page paginates it)."""
    return scope.pieces(actor).where(Piece.import_id == record.id).order_by(Piece.id)
