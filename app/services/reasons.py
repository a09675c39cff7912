"""Sentences kept as message ids with parameters, read in the language of whoever reads them:
a page in the reader's language, paper in the document's (Chinese, the language the stores,
the workshop and the suppliers work in).

A rule's reason for a blame (workshop.blame.Suggestion) is kept this way; a technician's own
words, and reasons written before they were kept this way, are kept as they were typed.
"""

from flask_babel import force_locale, gettext

from app.i18n import translate
from app.models import Event, Piece

PAPER_LOCALE = "zh_Hans"


def blame_reason(piece: Piece) -> str:
    """Why this party pays for the piece, in the reader's language."""
    return reason_text(piece.blame_reason_id, piece.blame_reason_params, piece.blame_reason)


def reason_text(message_id: str | None, params: dict | None, written: str) -> str:
    """A kept reason from its columns: the rule's sentence translated, or the words written."""
    if message_id:
        return translate(message_id, params or {})
    return written


def event_reason(event: Event) -> str:
    """Why something happened: the words written, or the rule's sentence in the reader's language."""
    data = event.data or {}
    if not event.reason and data.get("reason_id"):
        return translate(data["reason_id"], data.get("reason_params") or {})
    return event.reason


def on_paper(message: str, params: dict | None = None) -> str:
    """A sentence as a document prints it: in the document's language, whole."""
    with force_locale(PAPER_LOCALE):
        return translate(message, params)


def blame_reason_on_paper(piece: Piece) -> str:
    with force_locale(PAPER_LOCALE):
        return blame_reason(piece)


def bilingual(message: str) -> str:
    """A caption as the paper prints its captions: Chinese, then English ("已维修 Repaired")."""
    with force_locale(PAPER_LOCALE):
        chinese = gettext(message)
    english = message[:1].upper() + message[1:]
    return english if chinese == message else f"{chinese} {english}"
