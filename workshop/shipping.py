"""Parcels on the road: the carriers both sides pick from, and what a tracking number may be.

One list for the store's dispatch and the workshop's return, so the same carrier is spelled
the same way on both sides (and in the reports). A tracking number is told to people in
words before they type it (``TRACKING_RULE``) and the same sentence refuses a wrong one.
"""

import re
import unicodedata

from workshop.errors import RuleViolation
from workshop.text import N_

# The carriers Chinese stores and workshops use most; anything else is typed in ("other").
CARRIERS = (
    "顺丰速运",
    "京东物流",
    "中通快递",
    "圆通速递",
    "申通快递",
    "韵达快递",
    "极兔速递",
    "中国邮政 EMS",
    "德邦快递",
)
OTHER_CARRIER = "other"

# Local couriers and same-city vans hand out short numbers; express carriers 10 to 20 characters.
TRACKING_MIN, TRACKING_MAX = 4, 30
TRACKING_RULE = N_("4 to 30 letters, digits or hyphens, as printed on the waybill (spaces are left out).")
TRACKING_REFUSAL = N_("“%(text)s” is not a tracking number: give 4 to 30 letters, digits or hyphens.")
_TRACKING = re.compile(rf"^[A-Z0-9-]{{{TRACKING_MIN},{TRACKING_MAX}}}$")


class InvalidTrackingNumber(RuleViolation):
    code = "invalid_tracking_no"
    field = "tracking_no"


def clean_tracking_no(text: str) -> str:
    """The tracking number as stored: full-width folded, spaces dropped, upper case; refused if not one."""
    folded = unicodedata.normalize("NFKC", text or "")
    cleaned = "".join(folded.split()).upper()
    if not _TRACKING.match(cleaned) or not cleaned.isascii():
        raise InvalidTrackingNumber(TRACKING_REFUSAL, text=(text or "").strip()[:40])
    return cleaned
