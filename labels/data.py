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
    outcome: str | None = None


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


@dataclass(frozen=True)
class StatementLine:
    code: str
    product: str
    defect: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Statement:
    kind: Literal["claim", "store"]
    title: str
    party: Party
    issuer: str
    period: str
    lines: tuple[StatementLine, ...]
    sections: tuple[tuple[str, tuple[StatementLine, ...]], ...] = ()
    prepared_by: str = ""
    generated_on: date | None = None
