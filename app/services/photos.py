"""Photo evidence of a piece: checked by content, made small and clean, stored under a random
name in a fanned-out folder, with a thumbnail. This module owns the files.

A photo is accepted only when Pillow recognises it as JPEG, PNG or WebP — the file name and
the browser's content type are ignored, because both are whatever the sender says. What is
kept is not what was sent: the photo is turned upright (EXIF orientation), scaled to at most
2,048 px on its long side and re-encoded as JPEG without any metadata — a phone's EXIF holds
the GPS position of the shop, and a 12-megapixel original is ten times the size.

Files live at ``ab/cd/<random>.jpg`` under UPLOAD_FOLDER (the first four hex digits of the
random name), so that no folder ever holds more than a few thousand files, even at millions
of photos a year on a shared file system. Photos stored flat by earlier versions
(``<random>.png``) are read as before: the stored name is a path relative to the folder.

Files written in a transaction belong to it (app.services.files): a rollback removes them,
a commit keeps them. So an upload that fails — here, in a later step of the
request, or at the commit — leaves neither a file nor a row behind, without the caller
keeping track of the files.
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
# What is kept: a phone photo scaled to 2,048 px on its long side is plenty to judge a seam.
STORED_SIZE = 2048
STORED_QUALITY = 82
STORED_TYPE, STORED_EXTENSION = "image/jpeg", ".jpg"
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


@dataclass(frozen=True)
class StoredImage:
    """What is kept of a photo: upright, at most STORED_SIZE px, JPEG, no metadata."""

    data: bytes
    width: int
    height: int
    thumbnail: bytes


def _open_checked(upload: Upload) -> tuple[str, int, int, Image.Image]:
    """The photo decoded and upright, with its format and size as sent; refused when it is not one."""
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
                upright = _flat_rgb(ImageOps.exif_transpose(image))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_large from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            # Truncated or corrupt data raises any of these from Pillow's decoders.
            raise not_a_photo from None
    return fmt, width, height, upright


def check_image(upload: Upload) -> CheckedImage:
    fmt, width, height, upright = _open_checked(upload)
    return CheckedImage(fmt, width, height, _thumbnail(upright))


def prepare(upload: Upload) -> StoredImage:
    """The photo as it is kept: upright, scaled down, re-encoded, stripped of EXIF and GPS."""
    _fmt, _width, _height, image = _open_checked(upload)
    image.thumbnail((STORED_SIZE, STORED_SIZE), Image.Resampling.LANCZOS)
    return StoredImage(_jpeg(image, STORED_QUALITY), image.width, image.height, _thumbnail(image))


def _flat_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    image = image.convert("RGBA")
    background = Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No exif=, no icc_profile=: Pillow writes no metadata at all.
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    image = image.copy()
    image.thumbnail((THUMB_SIZE, THUMB_SIZE))
    return _jpeg(image, 82)


def folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def add_photos(actor: User, piece: Piece, uploads: list[Upload], at: datetime | None = None) -> list[Photo]:
    """Check and prepare every photo first, then write files and rows. The files belong to
    the transaction (app.services.files): a rollback removes them, a commit keeps them."""
    at = at or clock.now()
    uploads = [u for u in uploads if u.data]
    if len(piece.photos) + len(uploads) > MAX_PHOTOS:
        raise RuleViolation(N_("A piece can have at most %(n)d photos."), n=MAX_PHOTOS)
    prepared = [prepare(u) for u in uploads]
    target = folder()
    added: list[Photo] = []
    for image in prepared:
        stem = secrets.token_hex(16)
        stored = _write_new(target, _fanned_out(stem, STORED_EXTENSION), image.data)
        thumb = _write_new(target, _fanned_out(stem, ".thumb.jpg"), image.thumbnail)
        photo = Photo(
            piece=piece,
            stored_name=stored,
            thumb_name=thumb,
            content_type=STORED_TYPE,
            size_bytes=len(image.data),
            width=image.width,
            height=image.height,
            uploaded_at=at,
            uploaded_by_id=actor.id,
            trip=piece.trip or 1,
        )
        db.session.add(photo)
        history.move(piece, PieceAction.ADD_PHOTO, actor, at=at, data={"photo": stored})
        added.append(photo)
    db.session.flush()
    return added


def _fanned_out(stem: str, suffix: str) -> str:
    """``ab/cd/abcd….jpg``: 65,536 folders, a few hundred files each at tens of millions of photos."""
    return f"{stem[:2]}/{stem[2:4]}/{stem}{suffix}"


def path_of(folder: Path, stored_name: str) -> Path:
    """The file behind a stored name, fanned out (``ab/cd/x.jpg``) or flat (``x.png``, before)."""
    return folder / stored_name


def _write_new(folder: Path, name: str, data: bytes) -> str:
    path = path_of(folder, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as f:  # "x": a random name that already exists is never overwritten
        files.written(db.session(), path)
        f.write(data)
    return name
