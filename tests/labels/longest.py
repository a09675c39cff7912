"""The longest values the app's forms accept (app/admin/forms.py, app/store/forms.py,
app/bench/forms.py and the models), as text no two stretches of which are alike, so a check
that a value came out whole cannot be fooled by a repeated piece of it."""

from __future__ import annotations

import re


def chinese(length: int, offset: int = 0) -> str:
    return "".join(chr(0x4E00 + (offset + i * 37) % 20900) for i in range(length))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def body_text(pdf_tools, pdf: bytes) -> str:
    """The text of every page without what every page repeats (header, column titles, page
    counts): a row that continues on the next page reads as one, as its reader would."""
    pages = [pdf_tools.text(pdf, page).splitlines() for page in range(1, pdf_tools.page_count(pdf) + 1)]

    def furniture(line: str) -> str:
        return re.sub(r"\d+", "#", line)

    repeated = set.intersection(*({furniture(line) for line in page} for page in pages)) if len(pages) > 1 else set()
    return squeeze("".join(line for page in pages for line in page if furniture(line) not in repeated))


STORE_NAME = chinese(100, 1)  # Store.name, String(100)
SUPPLIER_NAME = chinese(200, 2)  # Supplier.name, String(200)
CONTACT = chinese(100, 3)  # contact_name, String(100)
PHONE = "+86 (021) 6123-4567 ext. 8901 / 138000000"[:40]  # contact_phone, String(40)
ADDRESS = chinese(300, 4)  # address, String(300)
CARRIER = chinese(60, 5)  # Batch.carrier, String(60)
TRACKING_NO = "SF" + "".join(str(i % 10) for i in range(58))  # Batch.tracking_no, String(60)
STYLE_CODE = "S" + "".join(str(i % 10) for i in range(39))  # Product.style_code, String(40)
PRODUCT_NAME = chinese(200, 6)  # Product.name, String(200)
SIZE = "X" * 20  # Piece.size, String(20)
COLOUR = chinese(40, 7)  # Piece.colour, String(40)
DEFECT = "D" * 20 + " " + chinese(100, 8)  # DefectCode.code String(20) + name String(100)
DESCRIPTION = chinese(2000, 9)  # Piece.description, 2000 in the form
REASON = chinese(2000, 10)  # Piece.blame_reason, 2000 in the form
OPERATION = chinese(100, 11)  # RepairOperation.name_zh, String(100)
FEE = "100000"  # the shipping fee's maximum in the form
