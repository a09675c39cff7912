"""Finance tables as spreadsheets: CSV (UTF-8 with BOM, for Excel in Chinese) and XLSX.

Both formats pass every text cell through :func:`neutralise`, so a store, product or
supplier name can never run as a formula in finance's spreadsheet (CSV/formula injection).
Amounts stay numbers (XLSX: numeric cells shown as 0.00), dates stay dates.

A table's rows may be a generator reading the database in batches: CSV is then written to
the response a few hundred rows at a time (:func:`csv_chunks`) and XLSX through openpyxl's
write-only mode into a temporary file (:func:`xlsx_file`), so a worker's memory stays flat
whatever the month's size.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
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
    rows: Iterable[tuple]


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


CSV_BATCH = 500  # rows per chunk written to the response


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The CSV file in pieces of a few hundred rows, the first with the BOM and the header."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c.title) for c in table.columns])
    first, n = True, 0
    for row in table.rows:
        writer.writerow([_csv_text(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
        n += 1
        if n % CSV_BATCH == 0:
            yield out.getvalue().encode("utf-8-sig" if first else "utf-8")
            first = False
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8-sig" if first else "utf-8")


def csv_bytes(table: Table) -> bytes:
    return b"".join(csv_chunks(table))


def xlsx_bytes(table: Table) -> bytes:
    with xlsx_file(table) as file:
        return file.read()


def xlsx_file(table: Table):
    """The workbook in a temporary file, positioned at its start (the caller sends and closes it).

    Write-only mode: openpyxl keeps no rows in memory, so a month of pieces exports in flat memory.
    """
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
    out = tempfile.TemporaryFile()
    book.save(out)
    out.seek(0)
    return out


def file_chunks(file, size: int = 64 * 1024) -> Iterator[bytes]:
    """A file's bytes in pieces for a response; the file is closed once read (or abandoned)."""
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()


def _xlsx_cell(sheet, value: object, kind: Kind):
    if value is None:
        return None
    if kind == "money":
        cell = WriteOnlyCell(sheet, value=Decimal(value).quantize(Decimal("0.01")))
        cell.number_format = MONEY_FORMAT
        return cell
    if kind == "int":
        return int(value)
    if kind == "datetime" and isinstance(value, datetime):
        # Excel has no time zones: the caller gives local (chain) time; drop the zone.
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if kind in ("date", "datetime") and isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    # A plain string: neutralise has put a quote before anything openpyxl would read as a
    # formula ("=…"), so no cell object (and its cost) is needed to keep it text.
    text = neutralise(str(value))
    assert isinstance(text, str) and not text.startswith("=")
    return text


def _sheet_title(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)
    return cleaned[:31] or "Sheet"


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def encoded(table: Table, fmt: str) -> tuple[bytes, str]:
    """The table as a file of this format ("csv" or "xlsx") and its media type."""
    if fmt == "csv":
        return csv_bytes(table), "text/csv; charset=utf-8"
    return xlsx_bytes(table), XLSX_MIMETYPE
