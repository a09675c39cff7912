import pytest
from barcode.charsets import code128 as tables
from hypothesis import given
from hypothesis import strategies as st
from reportlab.lib.units import mm

from labels.barcodes import (
    MINIMUM_MODULE_WIDTH,
    OFFICE_MODULE_WIDTHS,
    QUIET_ZONE_MODULES,
    THERMAL_MODULE_WIDTHS,
    code128,
    module_width_that_fits,
)

SYMBOLS = {pattern: value for value, pattern in enumerate(tables.CODES)}
START = {103: "A", 104: "B", 105: "C"}
SWITCH = {"A": {99: "C", 100: "B"}, "B": {99: "C", 101: "A"}, "C": {100: "B", 101: "A"}}

piece_codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12)


def decode_modules(modules: str) -> str:
    """An independent Code 128 reader, to check python-barcode's charset switching."""
    assert modules.endswith("1100011101011"), "stop pattern"
    values = [SYMBOLS[modules[i : i + 11]] for i in range(0, len(modules) - 13, 11)]
    *data, checksum = values
    assert checksum == (data[0] + sum(i * v for i, v in enumerate(data[1:], start=1))) % 103
    charset = START[data[0]]
    text = ""
    for value in data[1:]:
        if value in SWITCH[charset]:
            charset = SWITCH[charset][value]
        elif charset == "C":
            text += f"{value:02d}"
        else:
            text += chr(value + 32) if value < 64 or charset == "B" else chr(value - 64)
    return text


def modules_of(code: str) -> str:
    symbol = code128(code)
    modules = ["0"] * symbol.modules
    for start, width in symbol.bars:
        modules[start : start + width] = ["1"] * width
    return "".join(modules)


@given(piece_codes)
def test_every_piece_code_encodes_to_bars_that_read_back_as_the_same_code(code):
    assert decode_modules(modules_of(code)) == code


def test_runs_of_digits_switch_to_charset_c_to_keep_the_symbol_short():
    # Start B, P, to C, 00 00 12 34, to B, K, checksum: 10 symbols and the stop, not 12.
    assert code128("P00001234K").modules == 10 * 11 + 13


def test_adjacent_dark_modules_are_merged_into_one_bar():
    bars = code128("B00000042X").bars
    assert all(start + width < next_start for (start, width), (next_start, _) in zip(bars, bars[1:], strict=False))


def test_module_widths_are_at_least_a_quarter_millimetre_and_match_printer_dots():
    assert min(OFFICE_MODULE_WIDTHS + THERMAL_MODULE_WIDTHS) >= MINIMUM_MODULE_WIDTH - 1e-9
    assert 0.3 * mm <= OFFICE_MODULE_WIDTHS[0] <= 0.34 * mm


def test_the_widest_module_that_fits_with_its_quiet_zones_is_chosen():
    code = "P00001234K"
    width = module_width_that_fits(code, 70 * mm, OFFICE_MODULE_WIDTHS)
    assert width == OFFICE_MODULE_WIDTHS[0]
    assert (code128(code).modules + 2 * QUIET_ZONE_MODULES) * width <= 70 * mm


def test_a_code_too_long_for_the_space_is_refused_with_the_room_it_needs():
    with pytest.raises(ValueError, match=r"needs .* mm .* only 30.0 mm"):
        module_width_that_fits("ABCDEFGHIJKL", 30 * mm, OFFICE_MODULE_WIDTHS)


@pytest.mark.parametrize("code", ["", "P0001é"])
def test_an_empty_code_or_a_character_outside_code_128_is_a_value_error(code):
    with pytest.raises(ValueError):
        code128(code)


@pytest.mark.parametrize("code", ["99", "991234", "9900000001", "99A"])
def test_codes_starting_with_99_keep_their_first_digits(code):
    # python-barcode 0.16 alone drops them: its start-code shortcut mistakes the digits 99 for a switch.
    assert decode_modules(modules_of(code)) == code
