"""What a search box's text means, and what a tracking number may be (pure rules)."""

import pytest

from workshop import search
from workshop.codes import CodeKind, batch_code, piece_code
from workshop.errors import InvalidCode
from workshop.shipping import InvalidTrackingNumber, clean_tracking_no


def test_a_whole_piece_or_batch_code_is_one_thing_whatever_its_case_or_width():
    assert search.read(piece_code(1234).lower()) == search.Wanted(
        search.Kind.CODE, piece_code(1234), CodeKind.PIECE, 1234
    )
    found = search.read(" " + batch_code(77) + " ")
    assert (found.kind, found.code_kind, found.number) == (search.Kind.CODE, CodeKind.BATCH, 77)
    assert search.read("Ｐ００００１２３４").number == 1234  # full-width, without its check character


def test_a_whole_code_with_a_wrong_check_character_is_refused_with_the_codes_sentence():
    code = piece_code(1234)
    with pytest.raises(InvalidCode) as refused:
        search.read(code[:-1] + ("A" if code[-1] != "A" else "B"))
    assert "wrong check character" in refused.value.message


def test_the_last_digits_are_a_suffix_of_the_number_and_the_numbers_ending_so_come_newest_first():
    wanted = search.read("1234")
    assert (wanted.kind, wanted.number, wanted.digits, wanted.check) == (search.Kind.SUFFIX, 1234, 4, "")
    assert wanted.suffix_numbers(below=31235, count=10) == [31234, 21234, 11234, 1234]
    assert wanted.suffix_numbers(below=21234, count=2) == [11234, 1234]
    assert wanted.suffix_numbers(below=1234, count=5) == []
    with_check = search.read(piece_code(1234)[-5:])  # "1234" and the check letter, read off a label
    assert (with_check.kind, with_check.number, with_check.check) == (search.Kind.SUFFIX, 1234, piece_code(1234)[-1])
    with pytest.raises(InvalidCode):
        search.read("0000")


def test_the_beginning_of_a_code_with_its_letter_is_a_range_of_numbers():
    wanted = search.read("p0000123")
    assert (wanted.kind, wanted.code_kind) == (search.Kind.PREFIX, CodeKind.PIECE)
    assert wanted.number_range() == (1230, 1239)
    assert search.read("B000001").number_range() == (100, 199)


@pytest.mark.parametrize("text", ["G24005", "羽绒服", "SF1234567890", "123456789", "P0000123X"])
def test_anything_else_is_text_a_style_code_a_name_or_a_tracking_number(text):
    assert search.read(text).kind == search.Kind.TEXT


def test_nothing_typed_is_nothing():
    assert search.read("   ").kind == search.Kind.NOTHING


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("SF12", "SF12"), ("sf 1234 5678", "SF12345678"), ("７７８８", "7788"), ("JD-0012-3456", "JD-0012-3456")],
)
def test_a_tracking_number_is_kept_as_printed_on_the_waybill(typed, kept):
    assert clean_tracking_no(typed) == kept


@pytest.mark.parametrize("typed", ["", "SF1", "SF#12345", "顺丰1234567890", "X" * 31])
def test_a_tracking_number_that_is_none_is_refused_with_the_rule_in_words(typed):
    with pytest.raises(InvalidTrackingNumber) as refused:
        clean_tracking_no(typed)
    assert "4 to 30 letters, digits or hyphens" in refused.value.message
