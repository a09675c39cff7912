"""Finance (rule 5), by concern: the month's allocation of scrap costs and its drill-down
(allocation), closing and reopening months (months), corrections booked in the open month
(adjustments), supplier claims (claims) and the statements' data (statements).

Money: every amount is a ``Decimal`` with two places; sums are taken in whole cents
(sums). Rounding happens once, where an amount enters (``workshop.money.money``: half-up to
the cent).
"""

from app.services.finance.adjustments import MAX_ADJUSTMENT, AdjustmentEntry, book_adjustment
from app.services.finance.allocation import (
    Allocation,
    Beside,
    PartyLine,
    allocation,
    beside,
    extra_batches,
    months_back,
    party_adjustments,
    party_name,
    party_piece_rows,
    party_pieces,
    party_returns,
    scrap_by_month,
)
from app.services.finance.claims import (
    Outstanding,
    claims_query,
    mark_claim_sent,
    open_claim,
    open_claims,
    outstanding_by_supplier,
    settle_claim,
    supplier_total,
)
from app.services.finance.months import (
    close_month,
    closed_months,
    current_month,
    is_closed,
    month_events,
    reopen_month,
)
from app.services.finance.statements import StatementData, claim_statement, store_months, store_statement
from app.services.finance.sums import ZERO

__all__ = [
    "MAX_ADJUSTMENT",
    "ZERO",
    "AdjustmentEntry",
    "Allocation",
    "Beside",
    "Outstanding",
    "PartyLine",
    "StatementData",
    "allocation",
    "beside",
    "book_adjustment",
    "claim_statement",
    "claims_query",
    "close_month",
    "closed_months",
    "current_month",
    "extra_batches",
    "is_closed",
    "mark_claim_sent",
    "month_events",
    "months_back",
    "open_claim",
    "open_claims",
    "outstanding_by_supplier",
    "party_adjustments",
    "party_name",
    "party_piece_rows",
    "party_pieces",
    "party_returns",
    "reopen_month",
    "scrap_by_month",
    "settle_claim",
    "store_months",
    "store_statement",
    "supplier_total",
]
