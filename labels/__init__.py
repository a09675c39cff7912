"""Paper: piece labels, dispatch and return slips, claim statements — plain values in, PDF bytes out."""

from labels.data import Party, PieceLabel, Slip, SlipLine, Statement, StatementLine
from labels.piece_labels import item_sheet, thermal_labels
from labels.slips import slip_pdf
from labels.statements import statement_pdf

__all__ = [
    "Party",
    "PieceLabel",
    "Slip",
    "SlipLine",
    "Statement",
    "StatementLine",
    "item_sheet",
    "slip_pdf",
    "statement_pdf",
    "thermal_labels",
]
