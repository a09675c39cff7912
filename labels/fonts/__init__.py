"""The typefaces of every label and document, embedded so Chinese prints anywhere.

WenQuanYi Micro Hei prints nearly everything; the characters it lacks (rare name characters
of CJK Extension A and B such as 䶮 and 𠮷, emoji) come from two fallback fonts, chosen
character by character. Text is measured and drawn in runs, one run per font. A character no
embedded font has prints as a visible □ and is reported by `missing_chars`, so the app can
tell the person who typed it; it is never silently dropped.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, is_dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "WenQuanYiMicroHei"
RARE_FONT = "NotoSansCJKsc-Rare"
EMOJI_FONT = "NotoEmoji"
ELLIPSIS = "…"
PLACEHOLDER = "□"


@dataclass(frozen=True)
class FontFile:
    name: str
    file: str
    index: int = 0  # the face in a TrueType collection

    @property
    def path(self) -> Path:
        # The fonts are files of this package (never downloaded at run time: the shop LAN is closed).
        return Path(str(resources.files(__package__ or "labels.fonts") / self.file))


# The order is the choice: the first font that has a character prints it.
CHAIN = (
    FontFile(FONT, "wqy-microhei.ttc", 0),
    FontFile(RARE_FONT, "NotoSansCJKsc-Regular-rare.ttf"),
    FontFile(EMOJI_FONT, "NotoEmoji-Regular-subset.ttf"),
)

Run = tuple[str, str]  # (font name, text)


class Rendered(bytes):
    """A document's bytes, and the characters that no embedded font could print in it."""

    missing_chars: tuple[str, ...]

    def __new__(cls, data: bytes, missing_chars: Iterable[str] = ()) -> Rendered:
        rendered = super().__new__(cls, data)
        rendered.missing_chars = tuple(sorted(set(missing_chars)))
        return rendered


class _EmbeddedFont(TTFont):
    """reportlab's TrueType font, with a ToUnicode map that also covers characters beyond
    U+FFFF (reportlab writes four hex digits, so 𠮷 would be copied out of the PDF as ₻)."""

    def addObjects(self, doc: Any) -> None:
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        super().addObjects(doc)
        for number, subset in enumerate(subsets):
            if max(subset, default=0) <= 0xFFFF:
                continue
            base = b"".join((SUBSETN(number), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject["toUnicodeCMap:" + base]
            stream.content = _to_unicode_cmap(base, subset)


def _to_unicode_cmap(name: str, subset: Sequence[int]) -> str:
    entries = [f"<{code:02X}> <{chr(char).encode('utf-16-be').hex().upper()}>" for code, char in enumerate(subset)]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
            f"/CMapName /{name} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


assert pdfdoc  # the "pdfdoc" codec used above is registered by importing reportlab's pdfdoc


@functools.cache
def _registered(index: int) -> _EmbeddedFont:
    font_file = CHAIN[index]
    font = _EmbeddedFont(font_file.name, str(font_file.path), subfontIndex=font_file.index)
    pdfmetrics.registerFont(font)
    return font


@functools.cache
def register_font() -> str:
    # Registered on first use, not at import, so importing labels stays free. The fallbacks
    # are parsed only when a text needs them.
    _registered(0)
    return FONT


@functools.cache
def _main_chars() -> frozenset[str]:
    return frozenset(map(chr, _registered(0).face.charToGlyph))


def is_ignorable(char: str) -> bool:
    """Invisible format characters (zero-width joiner, variation selectors, controls): they
    print as nothing in any font, so they are neither drawn nor reported."""
    code = ord(char)
    return (
        0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")
    )


@functools.lru_cache(maxsize=65536)
def font_of(char: str) -> str | None:
    """The name of the first font of the chain that has `char`; None if none has it."""
    code = ord(char)
    for index in range(len(CHAIN)):
        if code in _registered(index).face.charToGlyph:
            return CHAIN[index].name
    return None


def _plain(text: str) -> bool:
    return _main_chars().issuperset(text)


@functools.lru_cache(maxsize=65536)
def runs(text: str) -> tuple[Run, ...]:
    """`text` cut into runs of one font each; a character in no font becomes the placeholder."""
    if _plain(text):
        return ((FONT, text),)
    result: list[Run] = []
    for char in text:
        if is_ignorable(char):
            continue
        font = font_of(char)
        if font is None:
            font, char = FONT, PLACEHOLDER
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + char)
        else:
            result.append((font, char))
    return tuple(result)


def missing_chars(texts: Iterable[str]) -> tuple[str, ...]:
    """The characters of `texts` that no embedded font has, once each, in code point order."""
    register_font()
    main = _main_chars()
    missing = {
        char
        for text in texts
        if not main.issuperset(text)
        for char in text
        if char not in main and not is_ignorable(char) and font_of(char) is None
    }
    return tuple(sorted(missing))


def texts_of(value: object) -> list[str]:
    """Every string held by a label or document value (dataclasses, tuples, strings)."""
    texts: list[str] = []
    _collect(value, texts)
    return texts


def _collect(value: object, texts: list[str]) -> None:
    if isinstance(value, str):
        texts.append(value)
    elif isinstance(value, tuple | list):
        for item in value:
            _collect(item, texts)
    elif is_dataclass(value) and not isinstance(value, type):
        for item in vars(value).values():
            _collect(item, texts)


def rendered(data: bytes, *values: object) -> Rendered:
    """The bytes of a document made from `values`, with the characters it could not print."""
    texts = texts_of(values)
    register_font()
    if _main_chars().issuperset("".join(texts)):
        return Rendered(data)
    return Rendered(data, missing_chars(texts))


@functools.lru_cache(maxsize=65536)
def text_width(text: str, size: float) -> float:
    register_font()
    if _plain(text):
        return float(pdfmetrics.stringWidth(text, FONT, size))
    return sum(float(pdfmetrics.stringWidth(part, font, size)) for font, part in runs(text))


def draw_text(
    canvas: Canvas, text: str, x: float, y: float, size: float, align: Literal["left", "right", "centre"] = "left"
) -> float:
    """Draw one line, run by run in the font that has each character; return its width."""
    register_font()
    if _plain(text):
        _set_font(canvas, FONT, size)
        if align == "left":
            canvas.drawString(x, y, text)
        elif align == "right":
            canvas.drawRightString(x, y, text)
        else:
            canvas.drawCentredString(x, y, text)
        return text_width(text, size)
    width = text_width(text, size)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    for font, part in runs(text):
        _set_font(canvas, font, size)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, font, size)
    return width


def _set_font(canvas: Canvas, font: str, size: float) -> None:
    # Each setFont writes to the page's stream; a sheet of 1,000 labels sets the same one often.
    if getattr(canvas, "_fontname", None) != font or getattr(canvas, "_fontsize", None) != size:
        canvas.setFont(font, size)


@functools.lru_cache(maxsize=65536)
def fit_text(text: str, size: float, max_width: float) -> str:
    """`text` on one line, cut with "…" so it is never wider than `max_width` points.

    Only for labels, whose barcode leads to the whole record; documents wrap instead."""
    text = " ".join(text.split())
    if text_width(text, size) <= max_width:
        return text
    if text_width(ELLIPSIS, size) > max_width:
        return ""
    # Widths grow with the prefix, so the longest prefix that fits is a binary search.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle].rstrip() + ELLIPSIS, size) <= max_width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS


# A line never starts with closing punctuation, nor ends with opening punctuation (禁则).
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’,.;:?!)]}%·…")
_NO_LINE_END = frozenset("（《「『【〔〈“‘([{¥")


def _wide(char: str) -> bool:
    return ord(char) >= 0x2E80


def _break_allowed(before: str, after: str) -> bool:
    if after in _NO_LINE_START or before in _NO_LINE_END:
        return False
    # Between two characters of a Latin word or a number (a tracking number, a code) only
    # when nothing else is possible; beside CJK characters and after spaces, anywhere.
    return before == " " or _wide(before) or _wide(after)


@functools.lru_cache(maxsize=16384)
def _wrap_paragraph(text: str, size: float, max_width: float) -> tuple[str, ...]:
    if not text or text_width(text, size) <= max_width:
        return (text,)
    lines: list[str] = []
    start = 0
    while start < len(text):
        rest = text[start:]
        if text_width(rest, size) <= max_width:
            lines.append(rest)
            break
        # The longest prefix that fits (widths grow with the prefix: a binary search), at least one character.
        low, high = start + 1, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if text_width(text[start:middle], size) <= max_width:
                low = middle
            else:
                high = middle - 1
        end = low
        if end < len(text):
            allowed = next((i for i in range(end, start, -1) if _break_allowed(text[i - 1], text[i])), None)
            if allowed is not None:
                end = allowed
        lines.append(text[start:end].rstrip())
        start = end
        while start < len(text) and text[start] == " ":
            start += 1
    return tuple(lines)


def wrap_text(text: str, size: float, max_width: float, max_lines: int | None = None) -> list[str]:
    """Break `text` into lines no wider than `max_width`, keeping its line breaks. With
    `max_lines` the last line is cut with "…" (labels only); without, nothing is ever cut."""
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    lines = [line for paragraph in paragraphs for line in _wrap_paragraph(paragraph, size, max_width)]
    if max_lines is not None and len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = lines[: max_lines - 1] + [fit_text(rest, size, max_width)]
    return lines


def fit_whole(text: str, size: float, max_width: float, min_size: float) -> tuple[float, list[str]]:
    """A value that must print whole (a code, a tracking number, an amount): one line at
    `size`, or smaller down to `min_size`; wrapped at `min_size` if even that is too wide."""
    text = " ".join(text.split())
    width = text_width(text, size)
    if width <= max_width:
        return size, [text]
    shrunk = size * max_width / width * 0.999
    if shrunk >= min_size:
        return shrunk, [text]
    return min_size, wrap_text(text, min_size, max_width)
