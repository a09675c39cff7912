from datetime import date

import pytest

from workshop.claims import DueFrom, claim_number, due_on
from workshop.money import Month


def test_a_claim_number_names_its_month_and_its_place_in_the_month():
    assert claim_number(Month(2026, 10), 7) == "SC-202610-0007"
    assert claim_number(Month(2027, 1), 12345) == "SC-202701-12345"


def test_a_claim_number_has_no_zeroth_claim():
    with pytest.raises(ValueError):
        claim_number(Month(2026, 10), 0)


def test_a_claim_due_after_sending_is_due_that_many_days_after_it_was_sent():
    assert due_on(30, DueFrom.SENT, opened_on=date(2026, 11, 2), sent_on=date(2026, 11, 5)) == date(2026, 12, 5)


def test_a_claim_due_after_sending_has_no_due_date_before_it_is_sent():
    assert due_on(30, DueFrom.SENT, opened_on=date(2026, 11, 2), sent_on=None) is None


def test_a_claim_due_after_opening_counts_from_the_day_it_was_opened_across_the_year_end():
    assert due_on(45, DueFrom.OPENED, opened_on=date(2026, 12, 20), sent_on=None) == date(2027, 2, 3)
