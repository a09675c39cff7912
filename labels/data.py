"""The plain values the paper renderers take: built by the app, never by the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal


@dataclass(frozen=True)
class PieceLabel:
    code: str
    store: str
    product: str
    size_colour: str
    defect: str
    registered_on: date
    batch: str | None = None


@dataclass(frozen=True)
class SlipLine:
    code: str
    product: str
    size_colour: str
    defect: str
    outcome: str | None = None  # on a return slip: what happened (repaired, no fault found, exchanged)
    operations: tuple[str, ...] = ()  # on a return slip: the repair work done, one entry per operation
    description: str = ""  # the store's description of the fault, printed on a line of its own


@dataclass(frozen=True)
class Party:
    name: str
    contact: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class Slip:
    kind: Literal["dispatch", "return"]
    batch_code: str
    sender: Party
    receiver: Party
    iso_week: str
    date: date
    carrier: str
    tracking_no: str
    lines: tuple[SlipLine, ...]
    extra: bool = False
    shipping_fee: Decimal | None = None
    parcels: int = 1
    # Printed before dispatch to pack against: no carrier or tracking number yet, `date` is the
    # day it is printed, and it is titled as a packing list so it is never taken for the slip.
    packing_list: bool = False


@dataclass(frozen=True)
class StatementLine:
    code: str
    product: str
    defect: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class BankAccount:
    bank: str  # 开户行, the bank and branch
    account_name: str  # 户名
    account_no: str  # 账号


@dataclass(frozen=True)
class Statement:
    kind: Literal["claim", "store"]
    title: str
    party: Party
    issuer: Party
    period: str
    lines: tuple[StatementLine, ...]
    sections: tuple[tuple[str, tuple[StatementLine, ...]], ...] = ()
    prepared_by: str = ""
    generated_on: date | None = None
    bank: BankAccount | None = None  # the issuer's account the party pays into
    claim_no: str = ""  # claims: the number the supplier quotes when it pays
    due_on: date | None = None  # claims: the date to pay by


@dataclass(frozen=True)
class PartLabel:
    """A spare part's shelf label (备件标签)."""

    code: str
    name_zh: str
    name_en: str = ""
    unit: str = ""
    location: str = ""  # the bin or shelf it is kept in


@dataclass(frozen=True)
class CustomerReceipt:
    """The customer's receipt of a return at the counter (三包服务回执): in Chinese, no customer
    details (the receipt is handed over; the store keeps those)."""

    code: str  # the piece's code, printed as a barcode
    store: str
    store_phone: str
    store_address: str
    product: str
    size_colour: str
    defect: str
    sold_on: date
    price_paid: Decimal
    receipt_no: str
    guarantee: str  # the 三包 status in a sentence: the category, its period and whether it still runs
    decision: str
    rule: str  # why, the rule's sentence
    amount: Decimal | None
    expected_back: date | None  # for a piece sent to the workshop: 15 days from the next dispatch
    decided_on: date
    decided_by: str = ""
    reason: str = ""


@dataclass(frozen=True)
class StockLine:
    """One part on a receipt slip or a count sheet: code, names in both languages, and figures."""

    code: str
    name_zh: str
    name_en: str = ""
    unit: str = ""
    quantity: int | None = None  # received; on a count sheet, what the books say
    unit_price: Decimal | None = None
    shelf: str = ""


@dataclass(frozen=True)
class StockDocument:
    """A spare-parts receipt slip (备件接收单, two copies) or a stocktake count sheet (盘点表)."""

    kind: Literal["receipt", "count"]
    number: str
    location: str
    date: date
    lines: tuple[StockLine, ...]
    supplier: Party | None = None
    delivery_note: str = ""
    note: str = ""
    prepared_by: str = ""
