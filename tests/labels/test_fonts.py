from datetime import date
from pathlib import Path

import pytest

from labels import PieceLabel, item_sheet, missing_chars, thermal_labels
from labels.fonts import CHAIN, EMOJI_FONT, FONT, PLACEHOLDER, RARE_FONT, font_of, runs, text_width, wrap_text

RARE_NAME = "𠮷"  # U+20BB7, CJK Extension B: a surname character WenQuanYi Micro Hei lacks
EXTENSION_A = "䶮"  # U+4DAE, CJK Extension A
EMOJI = "😀"
NOWHERE = "𓀀"  # U+13000, an Egyptian hieroglyph: in none of the embedded fonts


def label(store: str, **overrides: str) -> PieceLabel:
    values = dict(
        code="P00000001K",
        store=store,
        product="真丝衬衫",
        size_colour="M / 白",
        defect="脱线",
        registered_on=date(2026, 11, 23),
    )
    values.update(overrides)
    return PieceLabel(**values)


def test_each_character_is_printed_by_the_first_font_of_the_chain_that_has_it():
    assert font_of("中") == FONT
    assert font_of(RARE_NAME) == RARE_FONT and font_of(EXTENSION_A) == RARE_FONT
    assert font_of(EMOJI) == EMOJI_FONT
    assert font_of(NOWHERE) is None
    assert runs(f"{RARE_NAME}野家 {EMOJI}!") == (
        (RARE_FONT, RARE_NAME),
        (FONT, "野家 "),
        (EMOJI_FONT, EMOJI),
        (FONT, "!"),
    )


def test_a_text_in_several_fonts_is_as_wide_as_its_runs():
    text = f"吉{RARE_NAME}{EMOJI}"
    assert text_width(text, 10) == pytest.approx(sum(text_width(part, 10) for _, part in runs(text)))
    assert text_width(RARE_NAME, 10) > 5, "a rare character takes the room of a character, not nothing"


def test_a_rare_name_character_and_an_emoji_come_back_out_of_the_pdf_in_their_embedded_fonts(pdf_tools):
    pdf = thermal_labels([label(f"{RARE_NAME}野家{EXTENSION_A}店", product=f"真丝衬衫 {EMOJI}")])
    assert pdf.missing_chars == ()
    lines = pdf_tools.text(pdf).splitlines()
    assert f"{RARE_NAME}野家{EXTENSION_A}店" in lines
    assert f"真丝衬衫 {EMOJI}" in lines
    fonts = {row[0].split("+", 1)[1].removesuffix("-0"): row[-5:-2] for row in pdf_tools.fonts(pdf)}
    assert set(fonts) == {"WenQuanYiMicroHei", "NotoSansCJKsc-Regular", "NotoEmoji-Regular"}
    assert all(flags == ["yes", "yes", "yes"] for flags in fonts.values()), "embedded, subset, with Unicode"


def test_a_character_no_embedded_font_has_is_reported_and_printed_as_a_visible_box(pdf_tools):
    pdf = item_sheet([label(f"王{NOWHERE}店"), label("上海店", defect=f"污渍 {NOWHERE}{NOWHERE}")])
    assert pdf.missing_chars == (NOWHERE,)
    assert f"王{PLACEHOLDER}店" in pdf_tools.text(pdf)


def test_invisible_format_characters_are_neither_printed_nor_reported():
    # ❤️ is a heart and a variation selector; 👨‍🔧 a man, a zero-width joiner and a wrench.
    assert missing_chars(["❤\ufe0f", "👨\u200d🔧", "a\u200bb"]) == ()
    assert "".join(part for _, part in runs("👨\u200d🔧")) == "👨🔧"


def test_missing_characters_are_listed_once_in_code_point_order():
    assert missing_chars(["\U00013001 \U00013000", "\U00013000", "中文"]) == ("\U00013000", "\U00013001")


def test_long_text_wraps_at_spaces_and_between_chinese_characters_without_losing_any():
    text = "男士加绒加厚防风保暖连帽羽绒服外套 SF1234567890123 款式，冬季。"
    lines = wrap_text(text, 10, 100)
    assert len(lines) > 2
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert any("SF1234567890123" in line for line in lines), "a tracking number is not broken while a space allows"
    assert not any(line.startswith(("，", "。")) for line in lines), "no line starts with closing punctuation"


def test_line_breaks_typed_in_a_description_are_kept():
    assert wrap_text("第一行\n\n第二行", 10, 200) == ["第一行", "第二行"]


def test_every_vendored_font_ships_with_its_licence_and_no_font_is_fetched_from_elsewhere():
    folder = Path(CHAIN[0].path).parent
    for font in CHAIN:
        assert font.path.is_file() and font.path.parent == folder
    licences = {path.name for path in folder.glob("LICENSE-*.txt")}
    assert licences == {"LICENSE-wqy-microhei.txt", "LICENSE-noto-cjk.txt", "LICENSE-noto-emoji.txt"}
    assert "Apache" in (folder / "LICENSE-wqy-microhei.txt").read_text()
    assert "SIL OPEN FONT LICENSE" in (folder / "LICENSE-noto-emoji.txt").read_text().upper()
