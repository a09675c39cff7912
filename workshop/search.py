"""What a person typed into a search box: a whole code, part of one, or words.

Piece and batch codes are their number with a letter and a check character
(``workshop.codes``), so "part of a code" is read as a part of the number that an index can
answer: the last digits people read off a label (``1234`` or ``1234K`` finds ``P00001234K``
and ``P00481234X``), or the beginning of a code typed with its letter (``P0000123``).
Anything else is text: a tracking number, a product's style code or name.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from workshop.codes import DIGITS, LENGTH, CodeKind, normalise, parse_code
from workshop.errors import InvalidCode
from workshop.text import N_

_SUFFIX = re.compile(rf"^(\d{{1,{DIGITS}}})([A-Z])?$")
_PREFIX = re.compile(rf"^([PB])(\d{{1,{DIGITS}}})$")
MAX_TEXT = 60


class Kind(StrEnum):
    NOTHING = "nothing"
    CODE = "code"  # a whole code: one piece or one batch
    SUFFIX = "suffix"  # the last digits of a piece's number (maybe with the check character)
    PREFIX = "prefix"  # the beginning of a code, with its letter
    TEXT = "text"  # a tracking number, a style code or part of a product's name


@dataclass(frozen=True)
class Wanted:
    kind: Kind
    text: str = ""  # what was typed, cleaned
    code_kind: CodeKind | None = None
    number: int = 0  # the code's number (CODE), the digits as a number (SUFFIX), the prefix's (PREFIX)
    digits: int = 0  # how many digits were typed (SUFFIX, PREFIX)
    check: str = ""  # a check character typed after the digits (SUFFIX)

    def number_range(self) -> tuple[int, int]:
        """PREFIX: the numbers whose code begins with what was typed."""
        scale = 10 ** (DIGITS - self.digits)
        return self.number * scale, (self.number + 1) * scale - 1

    def suffix_numbers(self, below: int, count: int) -> list[int]:
        """SUFFIX: up to ``count`` numbers ending in the typed digits, the largest first, each under ``below``."""
        step = 10**self.digits
        if below <= self.number:
            return []
        top = self.number + ((below - 1 - self.number) // step) * step
        numbers: list[int] = []
        n = top
        while n > 0 and len(numbers) < count:
            numbers.append(n)
            n -= step
        return numbers


def read(text: str) -> Wanted:
    """What the typed text asks for; a whole code with a wrong check character is refused (InvalidCode)."""
    raw = normalise(text or "")[:MAX_TEXT]
    if not raw:
        return Wanted(Kind.NOTHING)
    if len(raw) == LENGTH and raw[0] in {k.value for k in CodeKind} and raw[1:-1].isdigit():
        code = parse_code(raw)  # raises InvalidCode on a wrong check character
        return Wanted(Kind.CODE, raw, code.kind, code.number)
    prefix = _PREFIX.match(raw)
    if prefix and prefix[1] == CodeKind.PIECE.value and len(prefix[2]) == DIGITS:
        return Wanted(Kind.CODE, raw, CodeKind.PIECE, int(prefix[2]))
    if prefix:
        return Wanted(Kind.PREFIX, raw, CodeKind(prefix[1]), int(prefix[2]), len(prefix[2]))
    suffix = _SUFFIX.match(raw)
    if suffix and raw.isascii():
        digits = suffix[1]
        if int(digits) == 0:
            raise InvalidCode(N_("“%(text)s” is not one of our codes. Scan the label again."), text=raw)
        return Wanted(Kind.SUFFIX, raw, CodeKind.PIECE, int(digits), len(digits), suffix[2] or "")
    return Wanted(Kind.TEXT, raw)
