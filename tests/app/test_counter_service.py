"""三包 at the counter, through the services: the purchase, the category table, the decision."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import CustomerReturn, Event, GuaranteePeriod, Repair, RepairOperation
from app.services import counter
from app.services.settings import rules as current_rules
from tests.app.conftest import fresh
from tests.app.counter_support import NOW, TODAY, make_return, purchase  # noqa: F401 (fixtures)
from tests.app.store_support import desk  # noqa: F401 (fixtures)
from workshop.errors import InvalidTransition, RuleViolation
from workshop.guarantee import Decision, GuaranteeCategory, Rule
from workshop.statuses import PieceStatus, Source


def test_the_category_table_reads_the_seed_until_the_admin_changes_a_period(db_session, desk):
    table = counter.periods()
    assert table[GuaranteeCategory.COAT] == 6
    assert table[GuaranteeCategory.SPORTS_SHOES] == 2
    assert table[GuaranteeCategory.CHILDRENS_WEAR] == 1
    assert len(table) == 16

    assert counter.save_periods(desk.admin, {GuaranteeCategory.COAT: 12, GuaranteeCategory.SUIT: 6}, at=NOW) == 1
    db_session.commit()
    assert counter.periods()[GuaranteeCategory.COAT] == 12
    row = db_session.get(GuaranteePeriod, GuaranteeCategory.COAT)
    assert (row.updated_by_id, row.updated_at) == (desk.admin.id, NOW)
    with pytest.raises(RuleViolation):
        counter.save_periods(desk.admin, {GuaranteeCategory.COAT: 121})


def test_a_products_category_words_pick_its_period_and_its_own_period_overrides_it(db_session, desk):
    assert counter.period_for(desk.product) == (GuaranteeCategory.COAT, 6)  # 羽绒服
    desk.product.category = "运动鞋"
    assert counter.period_for(desk.product) == (GuaranteeCategory.SPORTS_SHOES, 2)
    desk.product.guarantee_category = GuaranteeCategory.FUR
    desk.product.guarantee_months = 9
    assert counter.period_for(desk.product) == (GuaranteeCategory.FUR, 9)


def test_a_customer_return_keeps_its_purchase_and_the_period_of_the_day(db_session, desk, make_return):
    piece = make_return()
    record = counter.current(piece)
    assert (record.sold_on, record.price_paid, record.receipt_no) == (
        date(2026, 3, 1),
        Decimal("899.00"),
        "SB-2026-000123",
    )
    assert (record.category, record.period_months, record.decision) == (GuaranteeCategory.COAT, 6, None)
    fresh(db_session)
    counter.save_periods(desk.admin, {GuaranteeCategory.COAT: 1})
    db_session.commit()
    assert counter.current(piece).period_months == 6  # what the customer was promised


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(sold_on=date(2026, 4, 11)), "future"),
        (dict(price_paid=Decimal("-1")), "price"),
        (dict(receipt_no=""), "receipt"),
        (dict(receipt_no="has space"), "receipt"),
        (dict(customer_phone="call me"), "phone"),
        (dict(previous_repairs=10), "Repairs"),
    ],
)
def test_a_bad_purchase_is_refused_with_what_to_correct(db_session, desk, make_return, change, message):
    with pytest.raises(RuleViolation) as e:
        make_return(**change)
    assert message in str(e.value)


def test_a_piece_found_on_the_shelf_has_no_purchase(db_session, desk):
    from app.services import registration

    data = registration.NewPiece(product=desk.product, defect=desk.quality, source=Source.SHELF, purchase=purchase())
    with pytest.raises(RuleViolation):
        registration.register_piece(desk.clerk, desk.store, data, current_rules(), at=NOW)


def test_a_coat_bought_forty_days_ago_with_a_broken_zip_is_repaired_free_at_the_workshop(db_session, desk, make_return):
    piece = make_return()
    found = counter.answer(counter.current(piece), TODAY)
    assert [o.decision for o in found.options] == [Decision.FREE_REPAIR_WORKSHOP, Decision.FREE_REPAIR_STORE]
    assert found.period_ends == date(2026, 9, 1)

    record = counter.decide(desk.clerk, piece, Decision.FREE_REPAIR_WORKSHOP, "", current_rules(), at=NOW)
    db_session.commit()
    assert piece.status == PieceStatus.REGISTERED  # it joins the weekly batch
    assert (record.decision, record.suggested, record.rule, record.amount) == (
        Decision.FREE_REPAIR_WORKSHOP,
        Decision.FREE_REPAIR_WORKSHOP,
        Rule.QUALITY_REPAIR.value,
        Decimal("0.00"),
    )
    assert (record.decided_by_id, record.decided_at, record.overridden, record.supplier_caused) == (
        desk.clerk.id,
        NOW,
        False,
        False,
    )
    event = db_session.scalars(select(Event).where(Event.piece_id == piece.id).order_by(Event.id.desc())).first()
    assert event.action == "counter_decision"
    assert event.data["decision"] == "free_repair_workshop"


def test_choosing_another_option_than_the_suggestion_needs_a_reason_and_is_marked(db_session, desk, make_return):
    piece = make_return()
    with pytest.raises(RuleViolation) as e:
        counter.decide(desk.clerk, piece, Decision.FREE_REPAIR_STORE, "  ", current_rules(), at=NOW)
    assert "write why" in str(e.value)
    db_session.rollback()
    piece = db_session.merge(piece)
    record = counter.decide(desk.clerk, piece, Decision.FREE_REPAIR_STORE, "顾客赶时间", current_rules(), at=NOW)
    assert (record.overridden, record.reason, piece.status) == (True, "顾客赶时间", PieceStatus.REPAIR_AT_STORE)


def test_an_option_the_rules_do_not_give_is_refused(db_session, desk, make_return):
    piece = make_return()
    with pytest.raises(RuleViolation) as e:
        counter.decide(desk.clerk, piece, Decision.REFUND, "顾客要求", current_rules(), at=NOW)
    assert "not among the options" in str(e.value)


def test_a_fur_coat_refunded_for_a_repeated_defect_is_the_suppliers_less_its_depreciation(
    db_session, desk, make_return
):
    fresh(db_session)
    desk.product.guarantee_category = GuaranteeCategory.FUR
    db_session.commit()
    piece = make_return(previous_repairs=1, price_paid=Decimal("5999.00"))
    found = counter.answer(counter.current(piece), TODAY)
    refund = counter.option_for(found, Decision.REFUND)
    # 40 days at 0.5 % of ¥5,999.00: ¥1,199.80 withheld
    assert (refund.amount, refund.depreciation) == (Decimal("4799.20"), Decimal("1199.80"))
    assert found.options[0].decision == Decision.EXCHANGE
    record = counter.decide(desk.clerk, piece, Decision.REFUND, "顾客不要换货", current_rules(), at=NOW)
    db_session.commit()
    assert piece.status == PieceStatus.SETTLED_AT_STORE
    assert (record.supplier_caused, record.supplier_id, record.month) == (True, desk.product.supplier_id, 202604)
    assert (record.amount, record.depreciation) == (Decimal("4799.20"), Decimal("1199.80"))


def test_a_settled_piece_cannot_be_packed_or_decided_again(db_session, desk, make_return):
    from app.services import batches

    piece = make_return(sold_on=date(2025, 1, 1))  # long out of its period
    counter.decide(desk.clerk, piece, Decision.REFUSAL, "顾客不修", current_rules(), at=NOW)
    db_session.commit()
    assert piece.status == PieceStatus.SETTLED_AT_STORE
    with pytest.raises(InvalidTransition):
        batches.add_to_open_batch(desk.clerk, desk.store, [piece.id], at=NOW)
    db_session.rollback()
    with pytest.raises(InvalidTransition):
        counter.decide(desk.clerk, db_session.merge(piece), Decision.REFUSAL, "x", current_rules(), at=NOW)


def test_a_repair_at_the_store_is_recorded_on_the_piece_and_closes_it_there(db_session, desk, make_return):
    fresh(db_session)
    db_session.add(RepairOperation(code="ZIP", name_zh="换拉链", name_en="Replace zip"))
    db_session.commit()
    piece = make_return()
    counter.decide(desk.clerk, piece, Decision.FREE_REPAIR_STORE, "店里能修", current_rules(), at=NOW)
    with pytest.raises(RuleViolation):
        counter.repair_at_store(desk.clerk, piece, ["NOPE"], 20, at=NOW)
    repair = counter.repair_at_store(desk.clerk, piece, ["ZIP"], 25, "换了拉链", at=NOW)
    db_session.commit()
    assert piece.status == PieceStatus.SETTLED_AT_STORE
    assert db_session.scalars(select(Repair).where(Repair.piece_id == piece.id)).one().minutes == 25
    assert repair.repaired_by_id == desk.clerk.id


def test_the_customers_name_and_phone_are_whole_for_the_store_and_workshop_and_masked_for_others(
    db_session, desk, make_return
):
    record = counter.current(make_return())
    for user in (desk.clerk, desk.tech):
        assert (counter.customer_name(record, user), counter.customer_phone(record, user)) == ("张三丰", "13812345678")
    for user in (desk.manager, desk.admin, None):
        assert (counter.customer_name(record, user), counter.customer_phone(record, user)) == ("张**", "138****5678")


def test_the_date_back_is_fifteen_days_from_the_next_parcel(db_session, desk):
    rules = current_rules()
    assert counter.expected_back(desk.store, rules, NOW) == date(2026, 4, 25)


def test_a_decision_month_rows_are_counted_once(db_session, desk, make_return):
    piece = make_return(previous_repairs=1)
    counter.decide(desk.clerk, piece, Decision.EXCHANGE, "", current_rules(), at=NOW)
    counter_rows = db_session.scalars(select(CustomerReturn).where(CustomerReturn.piece_id == piece.id)).all()
    assert len(counter_rows) == 1
    assert counter_rows[0].amount == Decimal("899.00")
