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

from PIL import Image, ImageOps, UnidentifiedImageError

from app.extensions import db
from app.models import Photo, Piece, User, utcnow
from app.services import history
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


def add_photos(
    actor: User, piece: Piece, uploads: list[Upload], folder: Path, at: datetime | None = None
) -> list[Photo]:
    """Check every photo first, then write files and rows; on any error remove what was written."""
    at = at or utcnow()
    uploads = [u for u in uploads if u.data]
    if len(piece.photos) + len(uploads) > MAX_PHOTOS:
        raise RuleViolation(N_("A piece can have at most %(n)d photos."), n=MAX_PHOTOS)
    checked = [check_image(u) for u in uploads]
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    added: list[Photo] = []
    try:
        for upload, image in zip(uploads, checked, strict=True):
            stem = secrets.token_hex(16)
            stored = _write_new(folder / f"{stem}{image.extension}", upload.data, written)
            thumb = _write_new(folder / f"{stem}.thumb.jpg", image.thumbnail, written)
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
    except BaseException:
        remove_files(written)
        raise
    return added


def _write_new(path: Path, data: bytes, written: list[Path]) -> Path:
    with open(path, "xb") as f:  # "x": a random name that already exists is never overwritten
        written.append(path)
        f.write(data)
    return path


def remove_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def files_of(photos: list[Photo], folder: Path) -> list[Path]:
    """The files behind these rows, for the edge to remove when its commit fails."""
    return [folder / name for p in photos for name in (p.stored_name, p.thumb_name)]
