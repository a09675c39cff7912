"""三包 at the counter: every category at its boundaries, money to the cent, and properties."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.guarantee import (
    CATEGORY_DEFAULTS,
    CategoryDefault,
    Decision,
    GuaranteeCategory,
    GuaranteeTerms,
    Rule,
    add_months,
    card_required,
    category_default,
    counter_answer,
    depreciation,
    free_exchange_end,
    period_end,
    sale_day,
)
from workshop.statuses import DefectKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
G = GuaranteeCategory

# The seed's table, written out by hand: (months, shoes, depreciates,
# last day for a sale on 31 January 2026, last day for a sale on 15 January 2026).
SEED = {
    G.SUIT: (6, False, False, date(2026, 7, 31), date(2026, 7, 15)),
    G.COAT: (6, False, False, date(2026, 7, 31), date(2026, 7, 15)),
    G.FUR: (6, False, True, date(2026, 7, 31), date(2026, 7, 15)),
    G.LEATHER_GARMENT: (3, False, True, date(2026, 4, 30), date(2026, 4, 15)),
    G.WOOLLEN_KNITWEAR: (3, False, False, date(2026, 4, 30), date(2026, 4, 15)),
    G.OTHER_GARMENT: (3, False, False, date(2026, 4, 30), date(2026, 4, 15)),
    G.BEDDING: (3, False, False, date(2026, 4, 30), date(2026, 4, 15)),
    G.CHILDRENS_WEAR: (1, False, False, date(2026, 2, 28), date(2026, 2, 15)),
    G.KNITTED_UNDERWEAR: (1, False, False, date(2026, 2, 28), date(2026, 2, 15)),
    G.TEXTILES: (1, False, False, date(2026, 2, 28), date(2026, 2, 15)),
    G.LEATHER_SHOES: (3, True, False, date(2026, 4, 30), date(2026, 4, 15)),
    G.SPORTS_SHOES: (2, True, False, date(2026, 3, 31), date(2026, 3, 15)),
    G.TRAVEL_SHOES: (2, True, False, date(2026, 3, 31), date(2026, 3, 15)),
    G.SYNTHETIC_SHOES: (2, True, False, date(2026, 3, 31), date(2026, 3, 15)),
    G.CLOTH_SHOES: (1, True, False, date(2026, 2, 28), date(2026, 2, 15)),
    G.CHILDRENS_SHOES: (1, True, False, date(2026, 2, 28), date(2026, 2, 15)),
}
PERIOD_CASES = [
    (category, sale, last_day)
    for category, (_m, _s, _d, end_jan31, end_jan15) in SEED.items()
    for sale, last_day in ((date(2026, 1, 31), end_jan31), (date(2026, 1, 15), end_jan15))
]


def terms(category: GuaranteeCategory) -> GuaranteeTerms:
    return category_default(category).terms()


def answer(**overrides):
    values = dict(
        sale_date=date(2026, 3, 1),
        today=date(2026, 4, 10),
        price=Decimal("899.00"),
        terms=terms(G.COAT),
        out_of_town=False,
        worn=True,
        defect=DefectKind.QUALITY,
    )
    values.update(overrides)
    return counter_answer(**values)


def decisions(result) -> list[Decision]:
    return [o.decision for o in result.options]


def option(result, decision: Decision):
    (found,) = [o for o in result.options if o.decision == decision]
    return found


# The table the app seeds at first start
def test_the_default_table_holds_every_category_once_with_the_seeds_period_and_material():
    assert [row.category for row in CATEGORY_DEFAULTS] == list(GuaranteeCategory)
    for row in CATEGORY_DEFAULTS:
        months, shoes, depreciates, _, _ = SEED[row.category]
        assert (row.period_months, row.footwear, row.depreciates) == (months, shoes, depreciates), row.category


def test_every_category_decision_and_rule_has_a_sentence_to_translate():
    assert all(c.label for c in GuaranteeCategory)
    assert all(d.label for d in Decision)
    assert all(r.message for r in Rule)


def test_a_products_own_period_overrides_its_categorys_and_keeps_its_material():
    fur = category_default(G.FUR)
    assert fur.terms() == GuaranteeTerms(6, footwear=False, depreciates=True)
    assert fur.terms(period_months=12) == GuaranteeTerms(12, footwear=False, depreciates=True)
    with pytest.raises(ValueError):
        CategoryDefault(G.FUR, -1).terms()


# Calendar months, counted as the Civil Code counts them
@pytest.mark.parametrize(
    "sold, months, last_day",
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),  # the same day of the month
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2024, 2, 29), 1, date(2024, 3, 29)),  # bought on a leap day
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 10, 31), 6, date(2027, 4, 30)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),  # across the new year
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
    ],
)
def test_a_period_of_months_ends_on_the_same_day_of_the_month_or_the_months_last_day(sold, months, last_day):
    assert add_months(sold, months) == last_day
    assert period_end(sold, months) == last_day


@pytest.mark.parametrize("category, sold, last_day", PERIOD_CASES)
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_a_quality_defect_is_repaired_free_through_the_periods_last_day_and_for_a_charge_after_it(
    category, sold, last_day, offset
):
    result = answer(sale_date=sold, today=last_day + timedelta(days=offset), terms=terms(category))
    assert result.period_ends == last_day
    if offset <= 0:
        assert result.in_period
        assert decisions(result) == [Decision.FREE_REPAIR_WORKSHOP, Decision.FREE_REPAIR_STORE]
        assert {o.rule for o in result.options} == {Rule.QUALITY_REPAIR}
        assert {o.amount for o in result.options} == {Decimal("0.00")}
    else:
        assert not result.in_period
        assert decisions(result) == [Decision.PAID_REPAIR_WORKSHOP, Decision.PAID_REPAIR_STORE, Decision.REFUSAL]
        refusal = option(result, Decision.REFUSAL)
        assert refusal.rule == Rule.EXPIRED_REFUSED
        assert refusal.params == {"months": SEED[category][0], "period_end": last_day.isoformat()}


# The free exchange of an unworn piece: 3 days, 10 for a customer from another city
@pytest.mark.parametrize("category", list(GuaranteeCategory))
@pytest.mark.parametrize("out_of_town, last_day", [(False, date(2026, 3, 4)), (True, date(2026, 3, 11))])
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_an_unworn_piece_the_customer_does_not_like_is_exchanged_free_through_the_windows_last_day(
    category, out_of_town, last_day, offset
):
    result = answer(
        sale_date=date(2026, 3, 1),
        today=last_day + timedelta(days=offset),
        terms=terms(category),
        out_of_town=out_of_town,
        worn=False,
        defect=None,
    )
    assert result.free_exchange_ends == last_day
    if offset <= 0:
        assert decisions(result) == [Decision.EXCHANGE, Decision.REFUND]
        assert [o.rule for o in result.options] == [Rule.WINDOW_EXCHANGE, Rule.WINDOW_REFUND]
        assert [o.amount for o in result.options] == [Decimal("899.00"), Decimal("899.00")]
        assert {o.depreciation for o in result.options} == {Decimal("0.00")}  # free, even for fur
        assert result.options[0].params == {"window": 10 if out_of_town else 3, "until": last_day.isoformat()}
    else:
        assert decisions(result) == [Decision.REFUSAL]
        assert result.options[0].rule == Rule.DISLIKED_LATE


def test_a_worn_piece_the_customer_does_not_like_is_refused_even_on_the_day_of_the_sale():
    result = answer(today=date(2026, 3, 1), worn=True, defect=None)
    assert [(o.decision, o.rule, o.amount) for o in result.options] == [(Decision.REFUSAL, Rule.DISLIKED_WORN, None)]


def test_the_free_refund_waits_for_the_store_to_have_nothing_of_the_same_kind():
    kwargs = dict(today=date(2026, 3, 2), worn=False, defect=None)
    assert decisions(answer(**kwargs, same_kind_in_stock=True)) == [Decision.EXCHANGE]
    assert decisions(answer(**kwargs, same_kind_in_stock=False)) == [Decision.EXCHANGE, Decision.REFUND]
    assert decisions(answer(**kwargs)) == [Decision.EXCHANGE, Decision.REFUND]  # not looked: condition in the reason


def test_the_window_counts_the_day_of_a_sale_at_half_past_eleven_at_night_chain_time():
    late_evening = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai on 1 March
    after_midnight = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 00:30 in Shanghai on 2 March
    assert sale_day(late_evening, SHANGHAI) == date(2026, 3, 1)
    assert sale_day(after_midnight, SHANGHAI) == date(2026, 3, 2)
    assert sale_day(datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI), SHANGHAI) == date(2026, 3, 1)
    assert free_exchange_end(sale_day(late_evening, SHANGHAI), out_of_town=False) == date(2026, 3, 4)
    assert free_exchange_end(sale_day(after_midnight, SHANGHAI), out_of_town=False) == date(2026, 3, 5)
    on_the_5th = dict(today=date(2026, 3, 5), worn=False, defect=None)
    assert decisions(answer(sale_date=sale_day(late_evening, SHANGHAI), **on_the_5th)) == [Decision.REFUSAL]
    assert Decision.EXCHANGE in decisions(answer(sale_date=sale_day(after_midnight, SHANGHAI), **on_the_5th))


def test_a_sale_moment_without_a_time_zone_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        sale_day(datetime(2026, 3, 1, 23, 30), SHANGHAI)


def test_a_quality_defect_on_an_unworn_piece_inside_the_window_may_also_be_exchanged_or_refunded_free():
    result = answer(today=date(2026, 3, 3), worn=False)
    assert decisions(result) == [
        Decision.FREE_REPAIR_WORKSHOP,
        Decision.FREE_REPAIR_STORE,
        Decision.EXCHANGE,
        Decision.REFUND,
    ]


def test_a_piece_damaged_by_people_gets_no_free_window_even_unworn_on_the_next_day():
    result = answer(today=date(2026, 3, 2), worn=False, defect=DefectKind.NON_QUALITY)
    assert decisions(result) == [Decision.PAID_REPAIR_WORKSHOP, Decision.PAID_REPAIR_STORE, Decision.REFUSAL]
    assert {o.rule for o in result.options} == {Rule.NON_QUALITY_PAID_REPAIR, Rule.NON_QUALITY_REFUSED}


# The journey and the repair rules
def test_a_coat_bought_forty_days_ago_with_a_broken_zip_is_repaired_free_at_the_workshop():
    result = answer(sale_date=date(2026, 3, 1), today=date(2026, 4, 10), worn=True)
    first = result.options[0]
    assert result.days_since_sale == 40
    assert (first.decision, first.amount, first.decision.to_workshop, first.decision.free) == (
        Decision.FREE_REPAIR_WORKSHOP,
        Decimal("0.00"),
        True,
        True,
    )
    assert not result.options[1].decision.to_workshop  # a repair at the store closes the piece there
    assert first.text() == "A quality defect within the guarantee period (until 2026-09-01): repaired free of charge."


def test_a_garment_repaired_once_for_the_same_problem_is_exchanged_or_refunded_or_repaired_once_more():
    once = answer(repairs_for_same_problem=1)
    assert decisions(once) == [
        Decision.EXCHANGE,
        Decision.REFUND,
        Decision.FREE_REPAIR_WORKSHOP,
        Decision.FREE_REPAIR_STORE,
    ]
    assert option(once, Decision.REFUND).amount == Decimal("899.00")
    assert option(once, Decision.EXCHANGE).rule == Rule.REPEATED_EXCHANGE
    twice = answer(repairs_for_same_problem=2)  # rule 6: no third repair
    assert decisions(twice) == [Decision.EXCHANGE, Decision.REFUND]


def test_shoes_are_repaired_once_more_and_exchanged_only_after_two_repairs():
    sports = terms(G.SPORTS_SHOES)
    assert decisions(answer(terms=sports, repairs_for_same_problem=1)) == [
        Decision.FREE_REPAIR_WORKSHOP,
        Decision.FREE_REPAIR_STORE,
    ]
    twice = answer(terms=sports, repairs_for_same_problem=2, same_kind_in_stock=True)
    assert [(o.decision, o.rule, o.amount) for o in twice.options] == [
        (Decision.EXCHANGE, Rule.REPEATED_EXCHANGE, Decimal("899.00"))
    ]
    none_left = answer(terms=sports, repairs_for_same_problem=2, same_kind_in_stock=False)
    assert option(none_left, Decision.REFUND).rule == Rule.SHOES_NONE_IN_STOCK_REFUND


def test_leather_shoes_with_a_broken_heel_are_exchanged_at_the_price_paid_without_depreciation():
    result = answer(terms=terms(G.LEATHER_SHOES), serious=True, today=date(2026, 3, 31), same_kind_in_stock=True)
    assert [(o.decision, o.rule, o.amount, o.depreciation) for o in result.options] == [
        (Decision.EXCHANGE, Rule.SERIOUS_EXCHANGE, Decimal("899.00"), Decimal("0.00"))
    ]


def test_the_same_problem_after_an_exchange_is_refunded_in_full_at_the_price_paid():
    for category in (G.SPORTS_SHOES, G.FUR):
        result = answer(terms=terms(category), exchanged_for_same_problem=True, today=date(2026, 5, 1))
        assert [(o.decision, o.rule, o.amount) for o in result.options] == [
            (Decision.REFUND, Rule.RECURRED_AFTER_EXCHANGE, Decimal("899.00"))
        ]


def test_a_fur_coat_with_an_open_seam_is_repaired_free_without_depreciation():
    result = answer(terms=terms(G.FUR))
    assert decisions(result) == [Decision.FREE_REPAIR_WORKSHOP, Decision.FREE_REPAIR_STORE]


def test_a_non_quality_defect_is_repaired_for_the_quoted_charge_or_refused():
    quoted = answer(defect=DefectKind.NON_QUALITY, repair_charge=Decimal("35.5"))
    assert [o.amount for o in quoted.options] == [Decimal("35.50"), Decimal("35.50"), None]
    assert not any(o.decision.free for o in quoted.options)
    unquoted = answer(defect=DefectKind.NON_QUALITY)
    assert [o.amount for o in unquoted.options] == [None, None, None]


# Fur and leather: depreciation to the cent, rounded half up once
@pytest.mark.parametrize(
    "price, days, exchange_fee, allowance, refund_fee, refund",
    [
        # 1,234.57 × 0.3 % × 17 = 62.96307; × 0.5 % × 17 = 104.93845
        ("1234.57", 17, "62.96", "1171.61", "104.94", "1129.63"),
        # 1.00 × 0.5 % = 0.005: half up is 0.01 (banker's rounding would say 0.00)
        ("1.00", 1, "0.00", "1.00", "0.01", "0.99"),
        # 999.99 × 0.3 % = 2.99997; × 0.5 % = 4.99995
        ("999.99", 1, "3.00", "996.99", "5.00", "994.99"),
        # 3,333.33 × 13.5 % = 449.99955; × 22.5 % = 749.99925
        ("3333.33", 45, "450.00", "2883.33", "750.00", "2583.33"),
        # six months of fur: 184 days, 55.2 % and 92 %
        ("2500.00", 184, "1380.00", "1120.00", "2300.00", "200.00"),
        # brought back on the day of the sale: nothing deducted
        ("1234.57", 0, "0.00", "1234.57", "0.00", "1234.57"),
    ],
)
def test_fur_exchanged_or_refunded_for_a_serious_defect_is_depreciated_exact_to_the_cent(
    price, days, exchange_fee, allowance, refund_fee, refund
):
    sold = date(2026, 3, 1)
    result = answer(
        sale_date=sold, today=sold + timedelta(days=days), price=Decimal(price), terms=terms(G.FUR), serious=True
    )
    exchange, refunded = option(result, Decision.EXCHANGE), option(result, Decision.REFUND)
    assert (exchange.depreciation, exchange.amount) == (Decimal(exchange_fee), Decimal(allowance))
    assert (refunded.depreciation, refunded.amount) == (Decimal(refund_fee), Decimal(refund))
    assert exchange.params == {"rate": "0.3%", "days": days, "fee": exchange_fee}
    assert refunded.params == {"rate": "0.5%", "days": days, "fee": refund_fee}
    assert decisions(result) == [Decision.EXCHANGE, Decision.REFUND]  # serious: no repair offered


def test_depreciation_counts_the_leap_day():
    result = answer(
        sale_date=date(2028, 2, 28),
        today=date(2028, 3, 1),
        price=Decimal("500.00"),
        terms=terms(G.LEATHER_GARMENT),
        serious=True,
    )
    assert result.days_since_sale == 2
    assert option(result, Decision.EXCHANGE).amount == Decimal("497.00")
    assert option(result, Decision.REFUND).amount == Decimal("495.00")


def test_leather_repaired_once_is_exchanged_or_refunded_less_depreciation_or_repaired_again():
    result = answer(terms=terms(G.LEATHER_GARMENT), repairs_for_same_problem=1, today=date(2026, 3, 21))
    assert decisions(result) == [
        Decision.EXCHANGE,
        Decision.REFUND,
        Decision.FREE_REPAIR_WORKSHOP,
        Decision.FREE_REPAIR_STORE,
    ]
    assert option(result, Decision.REFUND).amount == Decimal("809.10")  # 899.00 less 10 % (20 days)


def test_inside_the_window_the_free_exchange_replaces_a_depreciated_one():
    result = answer(terms=terms(G.FUR), serious=True, worn=False, today=date(2026, 3, 3), same_kind_in_stock=True)
    exchange = option(result, Decision.EXCHANGE)
    assert (exchange.rule, exchange.amount, exchange.depreciation) == (
        Rule.WINDOW_EXCHANGE,
        Decimal("899.00"),
        Decimal("0.00"),
    )
    assert option(result, Decision.REFUND).rule == Rule.DEPRECIATED_REFUND  # the free refund needs no stock


def test_inside_the_window_an_unconditional_refund_is_kept_over_the_windows_conditional_one_of_the_same_amount():
    result = answer(worn=False, today=date(2026, 3, 3), repairs_for_same_problem=1)
    assert [(o.decision, o.rule) for o in result.options if o.decision in (Decision.EXCHANGE, Decision.REFUND)] == [
        (Decision.EXCHANGE, Rule.REPEATED_EXCHANGE),
        (Decision.REFUND, Rule.REPEATED_REFUND),
    ]


def test_depreciation_never_takes_more_than_the_price():
    assert depreciation(Decimal("80.00"), Decimal("0.005"), 250) == Decimal("80.00")
    long_fur = category_default(G.FUR).terms(period_months=24)
    result = answer(terms=long_fur, serious=True, today=date(2027, 3, 1))
    assert option(result, Decision.REFUND).amount == Decimal("0.00")


# The 三包 card and the rest
@pytest.mark.parametrize(
    "price, footwear, required",
    [("99.99", False, False), ("100.00", False, True), ("100", False, True), ("1500.00", True, False)],
)
def test_a_guarantee_card_goes_with_textiles_and_garments_of_a_hundred_yuan_and_more(price, footwear, required):
    assert card_required(Decimal(price), footwear) is required


def test_the_answer_says_whether_the_card_is_required():
    assert answer(price=Decimal("100.00")).card_required
    assert not answer(price=Decimal("99.99")).card_required


def test_a_sale_after_today_or_a_negative_price_is_refused():
    with pytest.raises(ValueError):
        answer(sale_date=date(2026, 3, 2), today=date(2026, 3, 1))
    with pytest.raises(ValueError):
        answer(price=Decimal("-1.00"))


def test_an_options_sentence_is_translated_before_it_is_filled():
    result = answer(terms=terms(G.FUR), serious=True, today=date(2026, 3, 18), price=Decimal("1234.57"))
    refund = option(result, Decision.REFUND)
    assert refund.text(lambda s: "退货，折旧 %(rate)s × %(days)d 天 = ¥%(fee)s") == "退货，折旧 0.5% × 17 天 = ¥104.94"


# Properties over any purchase
defects = st.sampled_from([None, DefectKind.QUALITY, DefectKind.NON_QUALITY])
prices = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
any_terms = st.builds(
    lambda row, months: row.terms(months), st.sampled_from(CATEGORY_DEFAULTS), st.none() | st.integers(0, 24)
)


@given(
    sold=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(0, 800),
    price=prices,
    terms=any_terms,
    out_of_town=st.booleans(),
    worn=st.booleans(),
    defect=defects,
    serious=st.booleans(),
    repairs=st.integers(0, 4),
    exchanged=st.booleans(),
    in_stock=st.none() | st.booleans(),
    charge=st.none() | prices,
)
def test_any_purchase_gets_at_least_one_option_and_no_amount_beyond_the_price_or_below_zero(
    sold, days, price, terms, out_of_town, worn, defect, serious, repairs, exchanged, in_stock, charge
):
    result = counter_answer(
        sale_date=sold,
        today=sold + timedelta(days=days),
        price=price,
        terms=terms,
        out_of_town=out_of_town,
        worn=worn,
        defect=defect,
        serious=serious,
        repairs_for_same_problem=repairs,
        exchanged_for_same_problem=exchanged,
        same_kind_in_stock=in_stock,
        repair_charge=charge,
    )
    assert result.options
    assert len(decisions(result)) == len(set(decisions(result)))
    for o in result.options:
        assert o.amount is None or o.amount >= 0
        assert o.depreciation >= 0
        assert o.text()  # every sentence fills from its own parameters
        if o.decision in (Decision.REFUND, Decision.EXCHANGE):
            assert o.amount is not None and o.amount + o.depreciation == price
        if o.decision.free and o.decision not in (Decision.REFUND, Decision.EXCHANGE):
            assert o.amount == 0
    if not result.in_period and (worn or days > 10):
        assert not any(o.decision.free for o in result.options)  # after the period, nothing is free
    if defect is None and worn:
        assert decisions(result) == [Decision.REFUSAL]
