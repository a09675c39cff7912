"""Label printers on the network: a store's, or one of the workshop's benches."""

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.org import Store, enum_column
from workshop.text import N_

RAW_PORT = 9100
DPIS = (203, 300)  # what labels.thermal lays out for
MIN_WIDTH_MM, MIN_HEIGHT_MM = 40, 25  # the smallest label a scannable code and its text fit on
MAX_WIDTH_MM, MAX_HEIGHT_MM = 104, 150  # a 4-inch print head


class PrinterLanguage(StrEnum):
    ZPL = "zpl"  # Zebra and Zebra-compatible printers
    TSPL = "tspl"  # TSC and most Chinese label printers (Xprinter, Gprinter, HPRT…)

    @property
    def label(self) -> str:
        return {
            PrinterLanguage.ZPL: N_("ZPL (Zebra and compatible)"),
            PrinterLanguage.TSPL: N_("TSPL (TSC, Xprinter, Gprinter…)"),
        }[self]


class Printer(db.Model):
    """A thermal label printer the app sends raw label files to (TCP, usually port 9100).

    Only the administrator edits printers: the app server opens a connection to the address
    given here, so who may type an address must be trusted with the server's network."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))  # None: the workshop's
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(default=9100)
    language: Mapped[PrinterLanguage] = mapped_column(enum_column(PrinterLanguage, name="printer_language"))
    dpi: Mapped[int] = mapped_column(default=203)
    width_mm: Mapped[int] = mapped_column(default=60)
    height_mm: Mapped[int] = mapped_column(default=40)
    active: Mapped[bool] = mapped_column(default=True)

    store: Mapped[Store | None] = relationship()

    __table_args__ = (
        Index("ix_printer_store", "store_id", "code"),
        CheckConstraint("port BETWEEN 1 AND 65535", name="port_in_range"),
        CheckConstraint("dpi IN (203, 300)", name="dpi_supported"),
        CheckConstraint("width_mm >= 40 AND height_mm >= 25", name="label_big_enough"),
    )

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.name
