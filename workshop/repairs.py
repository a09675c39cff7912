"""Rule 6 — after two repairs for the same defect, exchange or scrap instead of a third."""

from collections.abc import Iterable

REPAIRS_BEFORE_EXCHANGE = 2


def needs_exchange(
    repaired_defects: Iterable[object], current_defect: object, limit: int = REPAIRS_BEFORE_EXCHANGE
) -> bool:
    """Whether the piece was already repaired ``limit`` times for its current defect."""
    return sum(1 for d in repaired_defects if d == current_defect) >= limit
