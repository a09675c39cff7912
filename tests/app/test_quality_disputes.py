"""Disputes on a supplier's claim: recorded per piece through the claims' transition table,
resolved accepted (the amount stays) or withdrawn (head office bears it in the open month);
the claim's amount, the months' figures and the next claims follow."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Adjustment, ClaimDispute, Event
from app.services import finance
from app.services.quality import disputes
from app.services.settings import rules as current_rules
from tests.app.quality_support import SEPTEMBER, graded, quality_world  # noqa: F401 (fixtures)
from workshop.errors import AlreadyDone, InvalidTransition, RuleViolation
from workshop.money import Month
from workshop.statuses import Blame, ClaimStatus, DisputeStatus, Grade

SEP, OCT = Month(2026, 9), Month(2026, 10)


def at(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, 4, 0, tzinfo=UTC)


@pytest.fixture()
def sent_claim(db_session, graded, quality_world):
    """September: two coats scrapped on the supplier (¥500 each); closed; claimed; sent."""
    w = quality_world
    coats = graded(Grade.SCRAP, n=2)
    finance.close_month(w.finance, SEP, current_rules(), at=at(2))
    claim = finance.open_claim(w.finance, w.ningbo.id, SEP, at=at(2))
    finance.mark_claim_sent(w.finance, claim, date(2026, 10, 3), at=at(3))
    db_session.commit()
    return claim, coats


def test_accepted_keeps_the_amount_and_withdrawn_moves_the_piece_to_head_office_in_the_open_month(
    db_session, sent_claim, quality_world, graded
):
    w = quality_world
    claim, (kept, withdrawn) = sent_claim
    rules = current_rules()
    first = disputes.dispute_piece(w.finance, claim, kept, "供应商称为人为损坏", at=at(5))
    second = disputes.dispute_piece(w.finance, claim, withdrawn, "供应商称已过保修期", at=at(5))
    assert claim.status == ClaimStatus.DISPUTED
    # still owed while disputed: counted with the sent claims
    assert [(o.code, o.sent_amount) for o in finance.outstanding_by_supplier()] == [("SUPNB", Decimal("1000.00"))]
    with pytest.raises(InvalidTransition):
        finance.settle_claim(w.finance, claim, date(2026, 10, 6), Decimal("1000.00"), at=at(6))

    disputes.resolve_dispute(w.finance, first, DisputeStatus.ACCEPTED, "照片显示为脱线", rules, at=at(8))
    assert (claim.status, claim.amount) == (ClaimStatus.DISPUTED, Decimal("1000.00"))
    disputes.resolve_dispute(w.finance, second, DisputeStatus.WITHDRAWN, "同意撤回", rules, at=at(10))
    db_session.commit()
    assert (claim.status, claim.amount) == (ClaimStatus.SENT, Decimal("500.00"))

    # the closed month does not change; the open month carries the two adjustments
    september, october = finance.allocation(SEP), finance.allocation(OCT)
    assert september.suppliers[0].total == Decimal("1000.00") and september.hq.total == Decimal("0.00")
    assert october.suppliers[0].adjustments == Decimal("-500.00")
    assert october.hq.adjustments == Decimal("500.00")
    assert october.total == Decimal("0.00")
    adjustments = db_session.scalars(select(Adjustment).where(Adjustment.piece_id == withdrawn.id)).all()
    assert sorted((a.blame, a.amount, a.month) for a in adjustments) == [
        (Blame.HQ, Decimal("500.00"), OCT.key),
        (Blame.SUPPLIER, Decimal("-500.00"), OCT.key),
    ]
    # the claim statement takes the withdrawn piece off its total
    statement = finance.claim_statement(w.ningbo, SEP, "财务", date(2026, 10, 11))
    assert statement.total == Decimal("500.00")
    # every step is in the piece's history
    actions = db_session.scalars(select(Event.action).where(Event.piece_id == withdrawn.id).order_by(Event.id)).all()
    assert {"claim_disputed", "claim_dispute_resolved", "adjustment"} <= set(actions)

    # October: the supplier scraps a down jacket (¥300); the credit already went off the
    # September claim, so October's claim asks for the ¥300, not ¥300 − ¥500
    graded(Grade.SCRAP, at=at(20), product=w.down)
    finance.close_month(w.finance, OCT, current_rules(), at=at(2, 11))
    opened = finance.open_claims(w.finance, OCT, at=at(2, 11))
    assert [(c.supplier_id, c.amount) for c in opened] == [(w.ningbo.id, Decimal("300.00"))]
    finance.settle_claim(w.finance, claim, date(2026, 11, 5), Decimal("500.00"), at=at(5, 11))
    assert claim.status == ClaimStatus.SETTLED


def test_a_dispute_is_refused_with_a_reason_when_it_cannot_be(db_session, sent_claim, quality_world, graded):
    w = quality_world
    claim, (coat, _other) = sent_claim
    stranger = graded(Grade.SCRAP, at=at(4), product=w.shirt, store=w.guangzhou, blame=Blame.SUPPLIER)
    with pytest.raises(RuleViolation):
        disputes.dispute_piece(w.finance, claim, stranger, "不是我们的")
    with pytest.raises(RuleViolation):
        disputes.dispute_piece(w.finance, claim, coat, "   ")
    found = disputes.dispute_piece(w.finance, claim, coat, "有异议")
    with pytest.raises(AlreadyDone):
        disputes.dispute_piece(w.finance, claim, coat, "再次")
    disputes.resolve_dispute(w.finance, found, DisputeStatus.ACCEPTED, "维持", current_rules(), at=at(6))
    with pytest.raises(AlreadyDone):
        disputes.resolve_dispute(w.finance, found, DisputeStatus.WITHDRAWN, "改主意", current_rules(), at=at(7))
    with pytest.raises(RuleViolation):
        disputes.resolve_dispute(w.finance, found, DisputeStatus.DISPUTED, "x", current_rules())


def test_finance_records_and_resolves_a_dispute_on_the_claims_page_and_others_may_not(
    db_session, client, login, sent_claim, quality_world
):
    w = quality_world
    claim, (coat, _other) = sent_claim
    for user in (w.tech, w.east_manager, w.sh_clerk):
        login(user)
        assert client.get(f"/quality/claims/{claim.id}").status_code == 403
        assert (
            client.post(f"/quality/claims/{claim.id}/disputes", data={"piece": coat.code, "note": "x"}).status_code
            == 403
        )
        client.post("/logout")
    login(w.finance)
    page = client.get(f"/quality/claims/{claim.id}").get_data(as_text=True)
    assert coat.code in page and "¥1,000.00" in page
    refused = client.post(f"/quality/claims/{claim.id}/disputes", data={"piece": "P99999999", "note": "x"})
    assert refused.status_code == 422
    assert db.session.scalar(select(ClaimDispute.id)) is None
    response = client.post(
        f"/quality/claims/{claim.id}/disputes", data={"piece": coat.code, "note": "供应商称为人为损坏"}
    )
    assert response.status_code == 302
    found = db.session.scalars(select(ClaimDispute)).one()
    response = client.post(
        f"/quality/claims/{claim.id}/disputes/{found.id}/resolve",
        data={"outcome": "withdrawn", "resolution": "同意撤回"},
        headers={"Referer": f"/quality/claims/{claim.id}"},
    )
    assert response.status_code == 302
    page = client.get(f"/quality/claims/{claim.id}").get_data(as_text=True)
    assert "¥500.00" in page and "同意撤回" in page
    assert client.get("/finance/claims").get_data(as_text=True).count(f"/quality/claims/{claim.id}") == 1
