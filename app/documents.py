"""Handing a document that was just made (a PDF, a label file) to the person who asked for it,
and telling them which characters it could not print.

A character no embedded font has prints as □ (labels.fonts): the person is told which ones,
on the next page they see (a download leaves the page they are on), so they can correct the
name or the description that holds it.
"""

import io
import unicodedata

from flask import Response, flash, send_file
from flask_babel import gettext as _

from labels import Rendered

PDF = "application/pdf"
LABEL_FILE = "application/octet-stream"  # ZPL and TSPL: raw printer commands, nothing to open


def describe_chars(chars: tuple[str, ...]) -> str:
    """ "𠀀 (U+20000)": each character and its code point, since the paper shows only □."""
    return ", ".join(f"{char} (U+{ord(char):04X}{_name(char)})" for char in chars)


def _name(char: str) -> str:
    name = unicodedata.name(char, "")
    return f" {name}" if name else ""


def warn_missing(missing_chars: tuple[str, ...], what: str) -> None:
    """Flash which characters a document printed as □; nothing when it printed them all."""
    if missing_chars:
        flash(
            _(
                "%(document)s: no font of the paper has %(chars)s; each prints as □. "
                "Check the name or description that holds it, or write it another way.",
                document=what,
                chars=describe_chars(missing_chars),
            ),
            "warn",
        )


def send_document(
    document: Rendered, download_name: str, what: str, *, mimetype: str = PDF, inline: bool = False
) -> Response:
    warn_missing(document.missing_chars, what)
    return send_file(io.BytesIO(document), mimetype=mimetype, as_attachment=not inline, download_name=download_name)
