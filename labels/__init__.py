"""Paper: piece and part labels, dispatch and return slips, claim statements — plain values in,
PDF (or printer language) bytes out."""

from labels.data import BankAccount, PartLabel, Party, PieceLabel, Slip, SlipLine, Statement, StatementLine
from labels.fonts import Rendered, missing_chars
from labels.piece_labels import item_sheet, thermal_labels
from labels.printing import PrinterError, send_to_printer
from labels.scorecard import Scorecard, ScorecardClaim, ScorecardDefect, ScorecardMonth, scorecard_pdf
from labels.slips import slip_pdf
from labels.statements import statement_pdf
from labels.tspl import tspl_part_labels, tspl_piece_labels
from labels.zpl import zpl_part_labels, zpl_piece_labels

__all__ = [
    "BankAccount",
    "PartLabel",
    "Party",
    "PieceLabel",
    "PrinterError",
    "Rendered",
    "Scorecard",
    "ScorecardClaim",
    "ScorecardDefect",
    "ScorecardMonth",
    "Slip",
    "SlipLine",
    "Statement",
    "StatementLine",
    "item_sheet",
    "missing_chars",
    "scorecard_pdf",
    "send_to_printer",
    "slip_pdf",
    "statement_pdf",
    "thermal_labels",
    "tspl_part_labels",
    "tspl_piece_labels",
    "zpl_part_labels",
    "zpl_piece_labels",
]
