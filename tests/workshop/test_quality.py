"""Supplier quality's pure arithmetic: what a piece adds, Pareto shares, comparison periods."""

import pytest

from workshop.money import Month
from workshop.quality import (
    CHAIN,
    Facts,
    Figures,
    Period,
    Slice,
    change_permille,
    delta,
    pareto,
    permille,
    quarter,
)
from workshop.statuses import Blame, Grade

SCRAP = Facts(
    202609,
    supplier_id=1,
    product_id=2,
    defect_id=3,
    store_id=4,
    region_id=5,
    grade=Grade.SCRAP,
    scrap_cents=50000,
    blame=Blame.SUPPLIER,
    workshop_days=2,
)


def test_a_scrapped_piece_counts_in_eleven_rows_with_its_cost_and_the_suppliers_share():
    changes = delta(None, SCRAP)
    assert len(changes) == 11
    assert changes[(Slice.TOTAL, 202609, CHAIN, 0, 0)] == Figures(1, 0, 0, 1, 50000, 50000, 0, 2, 1)
    assert (Slice.STORE, 202609, 5, 4, 0) in changes
    assert (Slice.STORE, 202609, CHAIN, 4, 0) not in changes


def test_a_change_of_blame_moves_only_the_suppliers_share_and_a_change_of_month_moves_everything():
    from dataclasses import replace

    to_hq = delta(SCRAP, replace(SCRAP, blame=Blame.HQ))
    assert set(f.supplier_cents for f in to_hq.values()) == {-50000}
    assert all(f.pieces == 0 and f.scrap_cents == 0 for f in to_hq.values())
    moved = delta(SCRAP, replace(SCRAP, month=202610))
    assert sum(f.pieces for f in moved.values()) == 0 and len(moved) == 22
    assert delta(SCRAP, SCRAP) == {}
    assert sum(f.pieces for f in delta(SCRAP, None).values()) == -11


def test_pareto_orders_biggest_first_with_shares_rounded_half_up():
    lines = pareto([(7, 1), (3, 4), (9, 1), (2, 0)])
    assert [(ln.key, ln.value, ln.share_permille, ln.cumulative_permille) for ln in lines] == [
        (3, 4, 667, 667),
        (7, 1, 167, 833),
        (9, 1, 167, 1000),
    ]
    assert permille(1, 8) == 125 and permille(1, 0) == 0
    assert change_permille(6, 1) == 5000 and change_permille(1, 2) == -500 and change_permille(3, 0) is None


def test_a_period_knows_the_period_before_it_and_the_same_months_a_year_before():
    q = quarter(2026, 1)
    assert q == Period(Month(2026, 1), Month(2026, 3)) and q.length == 3
    assert q.previous() == Period(Month(2025, 10), Month(2025, 12))
    assert q.year_before() == Period(Month(2025, 1), Month(2025, 3))
    assert [str(m) for m in Period(Month(2025, 11), Month(2026, 2)).months] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    with pytest.raises(ValueError):
        Period(Month(2026, 2), Month(2026, 1))
    with pytest.raises(ValueError):
        quarter(2026, 5)


def test_a_claim_is_disputed_only_once_sent_with_the_suppliers_words_and_settled_only_when_every_dispute_is_resolved():
    from workshop.errors import InvalidTransition, NotPermitted, RuleViolation
    from workshop.roles import Role
    from workshop.statuses import ClaimStatus as C
    from workshop.transitions import ClaimAction as A
    from workshop.transitions import allowed_claim_actions, move_claim

    assert move_claim(C.SENT, A.DISPUTE, Role.FINANCE, "已过保修期").to_status == "disputed"
    assert move_claim(C.DISPUTED, A.DISPUTE, Role.FINANCE, "另一件").to_status == "disputed"
    with pytest.raises(RuleViolation):
        move_claim(C.SENT, A.DISPUTE, Role.FINANCE, " ")
    with pytest.raises(InvalidTransition):
        move_claim(C.OPEN, A.DISPUTE, Role.FINANCE, "not sent yet")
    with pytest.raises(NotPermitted):
        move_claim(C.SENT, A.DISPUTE, Role.TECHNICIAN, "x")
    with pytest.raises(InvalidTransition):
        move_claim(C.DISPUTED, A.SETTLE, Role.FINANCE)
    assert move_claim(C.DISPUTED, A.END_DISPUTE, Role.FINANCE).to_status == "sent"
    assert set(allowed_claim_actions(C.DISPUTED, Role.FINANCE)) == {A.DISPUTE, A.RESOLVE, A.END_DISPUTE}
    assert allowed_claim_actions(C.SETTLED, Role.FINANCE) == []
