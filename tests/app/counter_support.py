"""A customer's piece at the counter, registered through the real services."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.services import counter, registration
from app.services.settings import rules as current_rules
from tests.app.conftest import fresh
from workshop.statuses import Source

# 10:00 in Shanghai on 10 April 2026
NOW = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)
TODAY = date(2026, 4, 10)


def purchase(**overrides) -> counter.Purchase:
    values = dict(
        sold_on=date(2026, 3, 1),  # 40 days before TODAY
        price_paid=Decimal("899.00"),
        receipt_no="SB-2026-000123",
        worn=True,
        customer_name="张三丰",
        customer_phone="13812345678",
    )
    values.update(overrides)
    return counter.Purchase(**values)


@pytest.fixture()
def make_return(db_session, desk):
    """A registered customer return of ``product`` (the desk's coat by default) with its purchase."""

    def make(product=None, defect=None, at=NOW, **purchase_fields):
        fresh(db_session)
        data = registration.NewPiece(
            product=product or desk.product,
            defect=defect or desk.quality,
            source=Source.CUSTOMER_RETURN,
            size="L",
            colour="藏青",
            description="拉链坏",
            purchase=purchase(**purchase_fields),
        )
        piece = registration.register_piece(desk.clerk, desk.store, data, current_rules(), at=at)
        db_session.commit()
        return piece

    return make
