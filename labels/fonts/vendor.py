"""Rebuild the vendored fallback fonts from their published packages (run by hand, not at run time).

    apt-get download fonts-wqy-microhei fonts-noto-cjk     # Debian bookworm
    npm pack @expo-google-fonts/noto-emoji@0.4.7           # Noto Emoji (monochrome), OFL-1.1
    for d in *.deb; do dpkg-deb -x "$d" x; done; tar xzf expo-google-fonts-noto-emoji-0.4.7.tgz
    .venv/bin/pip install fonttools
    .venv/bin/python labels/fonts/vendor.py x/usr/share/fonts package/400Regular/NotoEmoji_400Regular.ttf

wqy-microhei.ttc is copied unchanged from fonts-wqy-microhei. Noto Sans CJK SC is a CFF
font and reportlab embeds TrueType outlines only, so its outlines are converted to quadratic
curves; both fallbacks keep only the characters the fonts before them lack, which keeps the
repository small and makes the order of the chain the only thing that decides a character's font.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

HERE = Path(__file__).resolve().parent
MAIN = "wqy-microhei.ttc"
RARE = "NotoSansCJKsc-Regular-rare.ttf"
EMOJI = "NotoEmoji-Regular-subset.ttf"
# Curves are approximated within 1 font unit (of 1,000 to the em): invisible at any print size.
MAX_CURVE_ERROR = 1.0


def _subset(font: TTFont, codepoints: set[int]) -> None:
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG", "STAT"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)


def _cff_to_glyf(font: TTFont) -> None:
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, MAX_CURVE_ERROR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(order)
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def main(debian_fonts: Path, emoji_ttf: Path) -> None:
    shutil.copyfile(debian_fonts / "truetype/wqy" / MAIN, HERE / MAIN)
    covered = set(TTFont(HERE / MAIN, fontNumber=0).getBestCmap())

    collection = TTCollection(debian_fonts / "opentype/noto/NotoSansCJK-Regular.ttc")
    (rare,) = (f for f in collection.fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC")
    wanted = set(rare.getBestCmap()) - covered
    _subset(rare, wanted)
    _cff_to_glyf(rare)
    rare.save(HERE / RARE)
    covered |= wanted

    emoji = TTFont(emoji_ttf)
    _subset(emoji, set(emoji.getBestCmap()) - covered)
    emoji.save(HERE / EMOJI)
    for name in (MAIN, RARE, EMOJI):
        print(f"{name}: {(HERE / name).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
