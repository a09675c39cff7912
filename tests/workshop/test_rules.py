from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.blame import days_late_for_inspection, inspection_warning, suggest_blame
from workshop.clock import ClockState, clock_state, days_left, due_date, local_date, on_time_rate
from workshop.errors import MonthClosed
from workshop.money import Month, ensure_open, money, total
from workshop.quota import IsoWeek, is_extra
from workshop.repairs import needs_exchange
from workshop.statuses import Blame, DefectKind, Source

SHANGHAI = ZoneInfo("Asia/Shanghai")


# Rule 1 — fifteen days, counted in the chain's time zone
def test_a_batch_dispatched_late_in_the_evening_in_shanghai_counts_from_that_shanghai_day():
    dispatched = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 March in Shanghai
    assert local_date(dispatched, SHANGHAI) == date(2026, 3, 2)
    assert due_date(dispatched, SHANGHAI) == date(2026, 3, 17)
    assert due_date(dispatched, ZoneInfo("UTC")) == date(2026, 3, 16)


def test_due_is_dispatch_plus_the_limit_in_calendar_days():
    assert due_date(datetime(2026, 2, 20, 2, 0, tzinfo=UTC), SHANGHAI, limit_days=15) == date(2026, 3, 7)
    assert due_date(datetime(2026, 2, 20, 2, 0, tzinfo=UTC), SHANGHAI, limit_days=10) == date(2026, 3, 2)


def test_a_naive_time_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 1, 1, 12), SHANGHAI)


@pytest.mark.parametrize(
    "today, state",
    [
        (date(2026, 3, 10), ClockState.ON_TRACK),  # 7 days left
        (date(2026, 3, 13), ClockState.ON_TRACK),  # 4 days left
        (date(2026, 3, 14), ClockState.AT_RISK),  # 3 days left: at risk
        (date(2026, 3, 17), ClockState.AT_RISK),  # due today: still not late
        (date(2026, 3, 18), ClockState.OVERDUE),  # one day late
    ],
)
def test_the_clock_is_on_track_at_risk_or_overdue_at_its_boundaries(today, state):
    assert clock_state(date(2026, 3, 17), today, at_risk_days=3) == state


def test_a_piece_back_on_its_due_day_is_on_time_and_a_day_later_is_late():
    due = date(2026, 3, 17)
    assert clock_state(due, date(2026, 4, 1), back_on=due) == ClockState.BACK_ON_TIME
    assert clock_state(due, date(2026, 4, 1), back_on=due + timedelta(days=1)) == ClockState.BACK_LATE
    assert days_left(due, date(2026, 3, 20)) == -3


def test_the_on_time_rate_is_the_share_back_by_their_due_date_against_ninety_percent():
    due = date(2026, 3, 17)
    rate = on_time_rate([(due, due)] * 9 + [(due, due + timedelta(days=1))])
    assert (rate.on_time, rate.total, rate.rate, rate.meets_target) == (9, 10, 0.9, True)
    assert on_time_rate([]).rate is None


# Rule 2 — one batch per ISO week
@pytest.mark.parametrize(
    "day, week",
    [
        (date(2026, 12, 31), "2026-W53"),  # 2026 has 53 ISO weeks
        (date(2027, 1, 3), "2026-W53"),  # a Sunday in January still in last year's week 53
        (date(2027, 1, 4), "2027-W01"),
        (date(2024, 12, 30), "2025-W01"),  # a Monday in December already in next year's week 1
        (date(2025, 12, 29), "2026-W01"),
    ],
)
def test_iso_weeks_across_the_turn_of_the_year(day, week):
    assert str(IsoWeek.of(day)) == week


def test_the_week_of_a_dispatch_is_taken_in_the_chain_time_zone():
    # Sunday 23:30 UTC is already Monday in Shanghai: a new week.
    moment = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert str(IsoWeek.at(moment, SHANGHAI)) == "2026-W48"
    assert str(IsoWeek.at(moment, ZoneInfo("UTC"))) == "2026-W47"


def test_a_batch_beyond_the_weekly_quota_is_extra():
    assert not is_extra(0, quota=1)
    assert is_extra(1, quota=1)
    assert not is_extra(1, quota=2)
    assert is_extra(2, quota=2)


def test_an_iso_week_key_round_trips():
    week = IsoWeek(2026, 53)
    assert IsoWeek.from_key(week.key) == week and week.monday == date(2026, 12, 28)


# Rule 3 — inspect a delivery within seven days
def _suggest(kind, days_after, source=Source.DELIVERY, defect_blame=None):
    delivered = date(2026, 5, 1)
    return suggest_blame(
        defect_kind=kind,
        defect_blame=defect_blame,
        source=source,
        delivery_received_on=delivered,
        registered_on=delivered + timedelta(days=days_after),
    )


def test_a_piece_registered_eight_days_after_delivery_with_a_stain_suggests_store_blame():
    suggestion = _suggest(DefectKind.NON_QUALITY, 8, defect_blame=Blame.HQ)
    assert suggestion.blame == Blame.STORE and suggestion.rule == "rule3"
    assert suggestion.text() == "Registered 8 days after the delivery (more than 7): damage is charged to the store."


def test_a_piece_registered_on_the_seventh_day_is_within_the_window():
    assert _suggest(DefectKind.NON_QUALITY, 7, defect_blame=Blame.HQ).blame == Blame.HQ
    assert days_late_for_inspection(Source.DELIVERY, date(2026, 5, 1), date(2026, 5, 8)) is None
    assert days_late_for_inspection(Source.DELIVERY, date(2026, 5, 1), date(2026, 5, 9)) == 8


def test_a_late_quality_defect_is_still_the_supplier():
    assert _suggest(DefectKind.QUALITY, 30).blame == Blame.SUPPLIER


def test_the_window_only_applies_to_pieces_found_in_a_delivery():
    assert _suggest(DefectKind.NON_QUALITY, 30, source=Source.CUSTOMER_RETURN, defect_blame=Blame.HQ).blame == Blame.HQ


def test_the_counter_warns_the_store_when_it_registers_late():
    warning = inspection_warning(Source.DELIVERY, date(2026, 5, 1), date(2026, 5, 10))
    assert warning is not None and warning.params == {"days": 9}
    assert inspection_warning(Source.DELIVERY, date(2026, 5, 1), date(2026, 5, 8)) is None


# Rule 4 — who pays
def test_a_quality_defect_suggests_the_supplier():
    assert _suggest(DefectKind.QUALITY, 1, source=Source.SHELF).blame == Blame.SUPPLIER


def test_a_non_quality_defect_suggests_what_its_code_says():
    assert _suggest(DefectKind.NON_QUALITY, 1, source=Source.SHELF, defect_blame=Blame.STORE).blame == Blame.STORE


def test_head_office_bears_what_cannot_be_told():
    suggestion = _suggest(DefectKind.NON_QUALITY, 1, source=Source.SHELF, defect_blame=None)
    assert suggestion.blame == Blame.HQ and "cannot be told" in suggestion.text()
    assert _suggest(None, 1, source=Source.SHELF).blame == Blame.HQ


# Rule 6 — two repairs for the same defect, then exchange
def test_a_piece_repaired_twice_for_the_same_defect_is_flagged():
    assert not needs_exchange(["Q01"], "Q01")
    assert needs_exchange(["Q01", "Q07", "Q01"], "Q01")
    assert not needs_exchange(["Q01", "Q07"], "Q07")


# Rule 5 — money and months
def test_money_rounds_half_up_to_two_places_and_refuses_floats():
    assert money("2.345") == Decimal("2.35") and money(Decimal("2.344")) == Decimal("2.34")
    assert money(7) == Decimal("7.00")
    with pytest.raises(TypeError):
        money(2.5)


@given(st.lists(st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False), max_size=50))
def test_a_total_is_the_exact_sum_of_its_lines(amounts):
    assert total(amounts) == sum(amounts, Decimal("0"))


def test_months_step_over_the_year_and_parse():
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2025, 12).next() == Month(2026, 1)
    assert Month.parse("2026-11") == Month.from_key(202611)
    assert str(Month.at(datetime(2026, 11, 30, 17, 0, tzinfo=UTC), SHANGHAI)) == "2026-12"


def test_a_closed_month_refuses_changes_and_says_how_to_correct():
    ensure_open(Month(2026, 11), {202610})
    with pytest.raises(MonthClosed) as e:
        ensure_open(Month(2026, 10), {202610})
    assert "adjustment" in str(e.value) and e.value.params == {"month": "2026-10"}


def test_a_running_clock_shows_its_days_left_and_a_stopped_one_does_not():
    from workshop.clock import read_clock

    running = read_clock(date(2026, 3, 17), date(2026, 3, 15), running=True)
    assert (running.left, running.state) == (2, ClockState.AT_RISK)
    stopped = read_clock(date(2026, 3, 17), date(2026, 3, 25), running=False, back_on=date(2026, 3, 16))
    assert (stopped.left, stopped.state) == (None, ClockState.BACK_ON_TIME)


@given(
    due=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    today=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    at_risk=st.integers(min_value=0, max_value=30),
)
def test_every_running_clock_is_in_exactly_the_due_window_of_its_state(due, today, at_risk):
    from workshop.clock import RUNNING_STATES, due_window

    windows = [state for state in RUNNING_STATES if due in due_window(state, today, at_risk)]
    assert windows == [clock_state(due, today, at_risk)]
