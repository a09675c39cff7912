"""Every sentence a person reads is in both catalogues: a missing or fuzzy one fails here."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    with open(TRANSLATIONS / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def catalogue(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


def test_the_extractor_finds_the_sentences_of_code_templates_and_the_domain(extracted):
    assert "Log in" in extracted  # a template
    assert "Wrong user name or password." in extracted  # Python code
    assert "Piece %(code)s is already received. Nothing was changed." in extracted  # workshop/, marked N_


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_every_sentence_is_translated_and_none_is_fuzzy(extracted, locale):
    cat = catalogue(locale)
    problems = []
    for msgid in sorted(extracted):
        message = cat.get(msgid)
        if message is None or not message.string:
            problems.append(f"missing: {msgid}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid}")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {msgid} → {message.string}")
    assert not problems, (
        f"{len(problems)} problems in {locale} (run `make extract-messages` and translate):\n"
        + "\n".join(problems[:40])
    )


def test_no_english_sentence_was_copied_into_the_chinese_catalogue():
    cat = catalogue("zh_Hans")
    copied = [m.id for m in cat if m.id and m.string == m.id and re.search("[A-Za-z]{3,}", m.id)]
    assert copied == []
