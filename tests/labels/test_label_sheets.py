import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from labels import item_sheet, thermal_labels
from labels.fonts import fit_text
from labels.piece_labels import SHEET_CELL_HEIGHT, SHEET_CELL_WIDTH, SHEET_TOP_MARGIN, sheet_layout

# Codes of every shape the app makes: short, long (12), digit runs of odd and even length.
CODES = [f"P{n:08d}K" for n in range(1, 21)] + ["ABCDEFGHIJKL", "P1", "P123456789AB", "Z9Z9Z9Z9Z9Z9"]


@pytest.fixture(scope="module")
def full_sheet(make_label):
    labels = [
        make_label(code=code, batch="B00000042X" if i % 2 else None, store=f"上海南京东路{i}号店")
        for i, code in enumerate(CODES)
    ]
    return item_sheet(labels)


@pytest.fixture(scope="module")
def sheet_from_position_five(make_label):
    return item_sheet([make_label(n) for n in range(1, 4)], start_position=5)


@pytest.fixture(scope="module")
def thermal(make_label):
    return thermal_labels([make_label(n, batch="B00000042X") for n in (7, 8, 9)] + [make_label(code="ABCDEFGHIJKL")])


@pytest.mark.parametrize("dpi", [300, 203])
def test_every_code_on_a_full_a4_sheet_decodes_at_300_and_203_dpi(pdf_tools, full_sheet, dpi):
    (page,) = pdf_tools.rasterise(full_sheet, dpi)
    decoded = pdf_tools.decode(page)
    assert sorted(decoded) == sorted(CODES)


@pytest.mark.parametrize("dpi", [300, 203])
def test_each_thermal_label_is_one_page_that_decodes_to_its_own_code(pdf_tools, thermal, dpi):
    pages = pdf_tools.rasterise(thermal, dpi)
    assert [pdf_tools.decode(page) for page in pages] == [
        ["P00000007K"],
        ["P00000008K"],
        ["P00000009K"],
        ["ABCDEFGHIJKL"],
    ]


def test_starting_at_position_five_leaves_cells_one_to_four_empty(pdf_tools, sheet_from_position_five):
    words = re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(P\d{8}K)<',
        pdf_tools.text(sheet_from_position_five, 1, "-bbox"),
    )
    cells = {}
    for x, y, code in words:
        row = int((float(y) - SHEET_TOP_MARGIN) // SHEET_CELL_HEIGHT)
        column = int(float(x) // SHEET_CELL_WIDTH)
        cells[code] = row * 3 + column + 1
    assert cells == {"P00000001K": 5, "P00000002K": 6, "P00000003K": 7}
    (page,) = pdf_tools.rasterise(sheet_from_position_five, 203)
    assert sorted(pdf_tools.decode(page)) == ["P00000001K", "P00000002K", "P00000003K"]


def test_the_store_and_the_shortened_product_name_are_printed(pdf_tools, full_sheet, make_label):
    text = pdf_tools.text(full_sheet, 1)
    layout = sheet_layout()
    shortened = fit_text(make_label().product, layout.text_size, layout.inner_width)
    assert shortened.endswith("…") and len(shortened) > 8
    assert text.count(shortened) == len(CODES)
    assert "上海南京东路23号店" in text
    assert "脱线 Open seam" in text and "XL / 藏青" in text and "2026-11-23" in text
    assert text.count("批次 B00000042X") == len(CODES) // 2


def test_labels_beyond_twenty_four_continue_on_a_new_sheet(pdf_tools, make_label):
    pdf = item_sheet([make_label(n) for n in range(1, 31)], start_position=20)  # 5 + 24 + 1
    assert pdf_tools.page_count(pdf) == 3


def test_chinese_renders_the_same_on_a_machine_without_any_chinese_font(pdf_tools, full_sheet, tmp_path):
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>{empty}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    bare = pdf_tools.rasterise(full_sheet, 100, env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    normal = pdf_tools.rasterise(full_sheet, 100)
    assert bare[0].read_bytes() == normal[0].read_bytes()
    fonts = pdf_tools.fonts(full_sheet)
    assert len(fonts) == 1, "only the embedded CJK font, no unembedded Helvetica"
    name, *_, embedded, subset, unicode, _object, _generation = fonts[0]
    assert "WenQuanYiMicroHei" in name and (embedded, subset, unicode) == ("yes", "yes", "yes")


def test_every_chinese_character_comes_back_out_of_the_pdf(pdf_tools, make_label):
    store = "北京王府井百货大楼旗舰店"
    defect = "拉链损坏 Broken zip · 鞋底开胶"
    pdf = thermal_labels([make_label(store=store, defect=defect, product="真丝衬衫", size_colour="38 / 米白")])
    lines = pdf_tools.text(pdf).splitlines()
    for value in (store, defect, "真丝衬衫", "38 / 米白"):
        assert value in lines


@pytest.mark.parametrize("start_position", [0, 25, -1])
def test_a_start_position_outside_the_sheet_is_refused_with_the_valid_range(make_label, start_position):
    with pytest.raises(ValueError, match="between 1 and 24"):
        item_sheet([make_label()], start_position=start_position)


def test_printing_no_labels_is_refused(make_label):
    with pytest.raises(ValueError, match="at least one"):
        item_sheet([])
    with pytest.raises(ValueError, match="at least one"):
        thermal_labels([])


def test_a_thermal_label_too_small_for_a_barcode_is_refused(make_label):
    with pytest.raises(ValueError, match="at least 40 × 25 mm"):
        thermal_labels([make_label()], width_mm=30, height_mm=20)


def test_importing_labels_does_no_work_and_pulls_in_no_web_or_database_code():
    probe = (
        "import sys, labels, labels.fonts;"
        "assert labels.fonts.register_font.cache_info().currsize == 0, 'font registered at import';"
        "bad = {'app', 'flask', 'sqlalchemy', 'wtforms'} & set(sys.modules); assert not bad, bad"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
