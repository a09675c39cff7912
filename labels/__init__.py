"""Paper: piece and part labels, dispatch and return slips, claim statements — plain values in,
PDF (or printer language) bytes out."""

from labels.data import BankAccount, PartLabel, Party, PieceLabel, Slip, SlipLine, Statement, StatementLine
from labels.fonts import Rendered, missing_chars
from labels.piece_labels import item_sheet, thermal_labels
from labels.slips import slip_pdf
from labels.statements import statement_pdf

__all__ = [
    "BankAccount",
    "PartLabel",
    "Party",
    "PieceLabel",
    "Rendered",
    "Slip",
    "SlipLine",
    "Statement",
    "StatementLine",
    "item_sheet",
    "missing_chars",
    "slip_pdf",
    "statement_pdf",
    "thermal_labels",
]
