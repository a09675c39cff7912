"""Photo evidence of a piece: checked by content, stored under a random name, with a thumbnail.

A photo is accepted only when Pillow recognises it as JPEG, PNG or WebP — the file name and
the browser's content type are ignored, because both are whatever the sender says. An
upload that fails half-way leaves neither a file nor a row behind.
"""

import io
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from app import clock
from app.extensions import db
from app.models import Photo, Piece, User
from app.services import files, history
from workshop.errors import RuleViolation
from workshop.text import N_
from workshop.transitions import PieceAction

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 5
# A phone photo is 12–50 megapixels; far beyond that is a decompression bomb, not a photo.
MAX_PIXELS = 60_000_000
THUMB_SIZE = 320
FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedImage:
    format: str
    width: int
    height: int
    thumbnail: bytes

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def read_upload(stream, filename: str) -> Upload:
    """Read at most one byte beyond the limit, so an oversized file is never held whole."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise RuleViolation(
            N_("Photo “%(name)s” is larger than 10 MB: take it again at a lower resolution."), name=filename
        )
    return Upload(filename, data)


def check_image(upload: Upload) -> CheckedImage:
    name = upload.filename
    if len(upload.data) > MAX_BYTES:
        raise RuleViolation(
            N_("Photo “%(name)s” is larger than 10 MB: take it again at a lower resolution."), name=name
        )
    not_a_photo = RuleViolation(N_("“%(name)s” is not a JPEG, PNG or WebP photo."), name=name)
    too_large = RuleViolation(N_("Photo “%(name)s” has too many pixels to be a photo; it was refused."), name=name)
    # Pillow only *warns* below twice its own limit; a bomb must be refused, never just logged.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(upload.data), formats=list(FORMATS)) as image:
                fmt = image.format
                width, height = image.size
                if fmt not in FORMATS:
                    raise not_a_photo
                if width * height > MAX_PIXELS:
                    raise too_large
                image.verify()
            with Image.open(io.BytesIO(upload.data), formats=[fmt]) as image:
                image.load()
                thumbnail = _thumbnail(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_large from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            # Truncated or corrupt data raises any of these from Pillow's decoders.
            raise not_a_photo from None
    return CheckedImage(fmt, width, height, thumbnail)


def _thumbnail(image: Image.Image) -> bytes:
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    image.thumbnail((THUMB_SIZE, THUMB_SIZE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def add_photos(actor: User, piece: Piece, uploads: list[Upload], at: datetime | None = None) -> list[Photo]:
    """Check every photo first, then write files and rows. The files belong to the
    transaction (app.services.files): if it rolls back, they are removed."""
    at = at or clock.now()
    uploads = [u for u in uploads if u.data]
    if len(piece.photos) + len(uploads) > MAX_PHOTOS:
        raise RuleViolation(N_("A piece can have at most %(n)d photos."), n=MAX_PHOTOS)
    checked = [check_image(u) for u in uploads]
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    added: list[Photo] = []
    for upload, image in zip(uploads, checked, strict=True):
        stem = secrets.token_hex(16)
        stored = _write_new(target / f"{stem}{image.extension}", upload.data)
        thumb = _write_new(target / f"{stem}.thumb.jpg", image.thumbnail)
        photo = Photo(
            piece=piece,
            stored_name=stored.name,
            thumb_name=thumb.name,
            content_type=image.content_type,
            size_bytes=len(upload.data),
            width=image.width,
            height=image.height,
            uploaded_at=at,
            uploaded_by_id=actor.id,
        )
        db.session.add(photo)
        history.move(piece, PieceAction.ADD_PHOTO, actor, at=at, data={"photo": stored.name})
        added.append(photo)
    db.session.flush()
    return added


def _write_new(path: Path, data: bytes) -> Path:
    with open(path, "xb") as f:  # "x": a random name that already exists is never overwritten
        files.written(db.session(), path)
        f.write(data)
    return path
