"""Finance tables as spreadsheets: CSV (UTF-8 with BOM, for Excel in Chinese) and XLSX.

Both formats pass every text cell through :func:`neutralise`, so a store, product or
supplier name can never run as a formula in finance's spreadsheet (CSV/formula injection).
Amounts stay numbers (XLSX: numeric cells shown as 0.00), dates stay dates.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

Kind = Literal["text", "int", "money", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    name: str  # the file and sheet name
    columns: tuple[Column, ...]
    rows: list[tuple]


def neutralise(value: object) -> object:
    """A text that a spreadsheet would read as a formula gets a leading quote; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_text(value: object, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value):.2f}"
    if kind == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if kind in ("int",):
        return str(int(value))
    return str(neutralise(str(value)))


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c.title) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_text(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: Table) -> bytes:
    """Write-only workbook: constant memory, so a month of pieces exports quickly."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(table.name))
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=neutralise(column.title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value: object, kind: Kind):
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if kind == "money":
        cell = WriteOnlyCell(sheet, value=Decimal(value).quantize(Decimal("0.01")))
        cell.number_format = MONEY_FORMAT
        return cell
    if kind == "int":
        return WriteOnlyCell(sheet, value=int(value))
    if kind == "datetime" and isinstance(value, datetime):
        # Excel has no time zones: the caller gives local (chain) time; drop the zone.
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if kind in ("date", "datetime") and isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    # Explicitly a string cell: openpyxl would otherwise turn "=…" into a formula.
    cell = WriteOnlyCell(sheet, value=neutralise(str(value)))
    cell.data_type = "s"
    return cell


def _sheet_title(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)
    return cleaned[:31] or "Sheet"


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def encoded(table: Table, fmt: str) -> tuple[bytes, str]:
    """The table as a file of this format ("csv" or "xlsx") and its media type."""
    if fmt == "csv":
        return csv_bytes(table), "text/csv; charset=utf-8"
    return xlsx_bytes(table), XLSX_MIMETYPE
