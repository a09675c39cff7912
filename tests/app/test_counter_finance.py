"""Refunds and exchanges of quality defects at the counter are the supplier's: in its month's
figures, its drill-down, its claim and its statement; a closed month refuses them."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.models import CustomerReturn
from app.services import counter, finance
from app.services.settings import rules as current_rules
from tests.app.conftest import fresh
from tests.app.counter_support import NOW, make_return  # noqa: F401 (fixtures)
from tests.app.store_support import desk  # noqa: F401 (fixtures)
from workshop.errors import MonthClosed
from workshop.guarantee import Decision
from workshop.money import Month

APRIL = Month(2026, 4)


@pytest.fixture()
def refunded_and_exchanged(db_session, desk, make_return):
    """April 2026: a coat exchanged (¥899.00) and one refunded (¥1,299.00) after a repair, and a
    refusal that is nobody's figure."""
    exchanged = make_return(previous_repairs=1)
    counter.decide(desk.clerk, exchanged, Decision.EXCHANGE, "", current_rules(), at=NOW)
    refunded = make_return(previous_repairs=1, price_paid=Decimal("1299.00"))
    counter.decide(desk.clerk, refunded, Decision.REFUND, "顾客不要换货", current_rules(), at=NOW)
    refused = make_return(sold_on=date(2025, 1, 1))
    counter.decide(desk.clerk, refused, Decision.REFUSAL, "过期", current_rules(), at=NOW)
    db_session.commit()
    return exchanged, refunded


def test_the_suppliers_month_line_counts_its_refunds_and_exchanges(db_session, desk, refunded_and_exchanged):
    figures = finance.allocation(APRIL)
    (line,) = figures.suppliers
    assert (line.party_id, line.counter_pieces, line.counter_amount) == (
        desk.product.supplier_id,
        2,
        Decimal("2198.00"),
    )
    assert line.total == Decimal("2198.00")
    assert finance.supplier_total(APRIL, desk.product.supplier_id) == Decimal("2198.00")
    assert finance.allocation(Month(2026, 3)).suppliers == ()


def test_the_finance_pages_show_them_without_the_customer(client, login, desk, refunded_and_exchanged):
    login(desk.admin)
    page = client.get("/finance/?month=2026-04").get_data(as_text=True)
    assert "Refunds and exchanges" in page and "¥2,198.00" in page
    page = client.get(f"/finance/2026-04/supplier?party={desk.product.supplier_id}").get_data(as_text=True)
    assert "¥1,299.00" in page and "¥899.00" in page
    assert "张" not in page and "1381234" not in page


def test_the_claim_of_a_closed_month_asks_for_them_and_its_statement_lists_them(
    db_session, desk, refunded_and_exchanged
):
    fresh(db_session)
    finance.close_month(desk.admin, APRIL, current_rules(), at=datetime(2026, 5, 2, 2, 0, tzinfo=UTC))
    claim = finance.open_claim(desk.admin, desk.product.supplier_id, APRIL, at=datetime(2026, 5, 2, 3, 0, tzinfo=UTC))
    assert claim.amount == Decimal("2198.00")
    data = finance.claim_statement(desk.product.supplier, APRIL, "财务", date(2026, 5, 2))
    assert data.total == Decimal("2198.00")
    ((heading, lines),) = data.statement.sections
    assert "三包" in heading
    assert sorted(line.amount for line in lines) == [Decimal("899.00"), Decimal("1299.00")]
    assert all("张三丰" not in line.description for line in lines)
    db_session.commit()


def test_a_closed_month_refuses_a_change_of_its_refunds(db_session, desk, refunded_and_exchanged):
    fresh(db_session)
    finance.close_month(desk.admin, APRIL, current_rules(), at=datetime(2026, 5, 2, 2, 0, tzinfo=UTC))
    db_session.commit()
    record = db_session.query(CustomerReturn).filter(CustomerReturn.supplier_caused.is_(True)).first()
    record.amount = Decimal("1.00")
    with pytest.raises(MonthClosed):
        db_session.flush()
    db_session.rollback()
