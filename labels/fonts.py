"""The one typeface of every PDF: WenQuanYi Micro Hei, embedded, so Chinese prints anywhere."""

from __future__ import annotations

import functools
import importlib.resources

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "WenQuanYiMicroHei"
ELLIPSIS = "…"


@functools.cache
def register_font() -> str:
    # Registered on first use, not at import, so importing labels stays free; the
    # font ships with the project because the print room's PCs have no Chinese font.
    path = importlib.resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
    with importlib.resources.as_file(path) as font_file:
        pdfmetrics.registerFont(TTFont(FONT, str(font_file), subfontIndex=0))
    return FONT


@functools.lru_cache(maxsize=65536)
def text_width(text: str, size: float) -> float:
    register_font()
    return pdfmetrics.stringWidth(text, FONT, size)


@functools.lru_cache(maxsize=65536)
def fit_text(text: str, size: float, max_width: float) -> str:
    """`text` on one line, cut with "…" so it is never wider than `max_width` points."""
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


def wrap_text(text: str, size: float, max_width: float, max_lines: int) -> list[str]:
    """Break `text` into at most `max_lines` lines; the last one is cut with "…" if needed."""
    text = " ".join(text.split())
    lines: list[str] = []
    while text and len(lines) < max_lines - 1:
        if text_width(text, size) <= max_width:
            break
        # Chinese addresses have no spaces, so break between characters, preferring a space.
        end = 1
        while end < len(text) and text_width(text[: end + 1], size) <= max_width:
            end += 1
        space = text.rfind(" ", 0, end + 1)
        if space > 0 and end < len(text):
            end = space
        lines.append(text[:end].rstrip())
        text = text[end:].lstrip()
    if text:
        lines.append(fit_text(text, size, max_width))
    return lines
