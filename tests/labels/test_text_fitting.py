from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labels.fonts import ELLIPSIS, fit_text, text_width, wrap_text
from labels.money import format_money

chinese_and_latin = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from("ABCXYZabcxyz0123456789 /-（）·，"),
    ),
    max_size=60,
)
widths = st.floats(min_value=0, max_value=300, allow_nan=False)
sizes = st.sampled_from([7.0, 8.5, 9.5, 16.0])


@given(chinese_and_latin, sizes, widths)
def test_fitted_text_is_never_wider_than_its_cell(text, size, width):
    assert text_width(fit_text(text, size, width), size) <= width


@given(chinese_and_latin, sizes, widths)
def test_fitted_text_is_the_whole_text_or_a_prefix_with_an_ellipsis(text, size, width):
    fitted = fit_text(text, size, width)
    whole = " ".join(text.split())
    if fitted != whole and fitted:
        assert fitted.endswith(ELLIPSIS)
        assert whole.startswith(fitted[:-1])


def test_a_long_product_name_keeps_as_much_of_its_start_as_fits():
    name = "男士加绒加厚防风保暖连帽羽绒服外套（长款）"
    fitted = fit_text(name, 8.0, 100)
    assert fitted == name[: len(fitted) - 1] + ELLIPSIS
    assert text_width(name[: len(fitted)] + ELLIPSIS, 8.0) > 100


@given(chinese_and_latin, sizes, st.floats(min_value=20, max_value=300), st.integers(1, 3))
def test_wrapped_lines_fit_and_never_exceed_the_line_count(text, size, width, max_lines):
    lines = wrap_text(text, size, width, max_lines)
    assert len(lines) <= max_lines
    assert all(text_width(line, size) <= width for line in lines)


@pytest.mark.parametrize(
    ("amount", "printed"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (Decimal("0"), "¥0.00"),
        (Decimal("1234567.891"), "¥1,234,567.89"),
        (Decimal("-25.005"), "-¥25.01"),
    ],
)
def test_amounts_print_in_yuan_with_thousands_separators_and_two_places(amount, printed):
    assert format_money(amount) == printed
