import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.codes import (
    ALPHABET,
    DIGITS,
    LENGTH,
    MAX_NUMBER,
    CodeKind,
    batch_code,
    format_code,
    parse_code,
    piece_code,
)
from workshop.errors import InvalidCode

numbers = st.integers(min_value=1, max_value=MAX_NUMBER)
kinds = st.sampled_from(list(CodeKind))


def test_a_piece_code_is_a_letter_eight_digits_and_a_check_character():
    code = piece_code(1234)
    assert code.startswith("P00001234") and len(code) == LENGTH == 10
    assert batch_code(42).startswith("B00000042")


def test_codes_fit_a_sixty_millimetre_label():
    assert LENGTH <= 12 and DIGITS == 8


@given(kinds, numbers)
def test_every_code_round_trips(kind, number):
    code = parse_code(format_code(kind, number))
    assert (code.kind, code.number) == (kind, number)
    assert str(code) == format_code(kind, number)


@given(kinds, numbers, st.data())
def test_every_single_character_change_to_a_valid_code_is_rejected(kind, number, data):
    text = format_code(kind, number)
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != text[position]))
    changed = text[:position] + replacement + text[position + 1 :]
    with pytest.raises(InvalidCode):
        parse_code(changed)


def test_every_single_character_change_of_one_code_is_rejected_exhaustively():
    text = piece_code(98765432)
    for position in range(len(text)):
        for replacement in ALPHABET:
            if replacement != text[position]:
                with pytest.raises(InvalidCode):
                    parse_code(text[:position] + replacement + text[position + 1 :])


@given(kinds, numbers)
def test_a_dropped_or_doubled_character_is_rejected(kind, number):
    text = format_code(kind, number)
    for i in range(len(text)):
        with pytest.raises(InvalidCode):
            parse_code(text[:i] + text[i + 1 :])
        with pytest.raises(InvalidCode):
            parse_code(text[:i] + text[i] + text[i:])


def test_scanner_and_input_method_differences_are_forgiven():
    code = piece_code(123)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert parse_code(f"  {code.lower()}\t").number == 123
    assert parse_code(fullwidth).number == 123
    assert parse_code("\u3000" + code + "\u3000").number == 123


@pytest.mark.parametrize(
    "text", ["", "   ", "P123", "X00000123A", "P0000012A3B", "P-0000123X", "P0000¹²³4X", "P00000000" + "0"]
)
def test_anything_else_is_refused_with_a_sentence(text):
    with pytest.raises(InvalidCode) as e:
        parse_code(text)
    assert e.value.message


def test_a_batch_code_where_a_piece_is_expected_says_so():
    with pytest.raises(InvalidCode) as e:
        parse_code(batch_code(7), expect=CodeKind.PIECE)
    assert "batch" in str(e.value)
