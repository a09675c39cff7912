"""Photos as they are kept: upright, at most 2,048 px, JPEG without EXIF or GPS, fanned out
in folders; the files follow the transaction (a rollback removes them); flat old files read."""

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Photo
from app.services import photos
from tests.app.store_support import desk  # noqa: F401 (fixtures)


def phone_photo(size=(4032, 3024), orientation: int | None = 6) -> bytes:
    """A phone's JPEG: large, with the GPS position and the camera's orientation in its EXIF."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.paste((200, 30, 30), (0, 0, size[0] // 4, size[1] // 8))  # a red mark at the top left
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[0x0112] = orientation
    gps = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 4.1)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def test_a_phone_photo_is_kept_upright_scaled_re_encoded_and_without_exif_or_gps():
    original = phone_photo()
    with Image.open(io.BytesIO(original)) as sent:
        assert sent.getexif().get_ifd(0x8825)  # the GPS is there before
    kept = photos.prepare(photos.Upload("IMG_0001.JPG", original))
    with Image.open(io.BytesIO(kept.data)) as image:
        assert image.format == "JPEG"
        # Orientation 6 (rotate 90° clockwise): a 4032 × 3024 landscape sensor image is portrait.
        assert image.size == (1536, 2048) == (kept.width, kept.height)
        exif = image.getexif()
        assert len(exif) == 0 and not exif.get_ifd(0x8825)
        assert "exif" not in image.info and "icc_profile" not in image.info
        # The red mark, top left as sent, is top right once upright.
        r, g, b = image.getpixel((image.width - 20, 20))
        assert r > 150 and g < 100
    assert len(kept.data) < len(original) / 3
    with Image.open(io.BytesIO(kept.thumbnail)) as thumb:
        assert max(thumb.size) == 320 and len(thumb.getexif()) == 0


def test_a_small_photo_is_not_enlarged():
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "blue").save(out, "PNG")
    kept = photos.prepare(photos.Upload("a.png", out.getvalue()))
    assert (kept.width, kept.height) == (800, 600)


def test_photos_are_stored_in_fanned_out_folders_and_served(client, login, desk, make_piece, db_session, app):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    response = client.post(
        f"/store/pieces/{piece.id}/photos",
        data={"photos": [(io.BytesIO(phone_photo()), "IMG_0001.JPG")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    photo = db_session.scalars(select(Photo)).one()
    stem = Path(photo.stored_name).name.split(".")[0]
    assert photo.stored_name == f"{stem[:2]}/{stem[2:4]}/{stem}.jpg"
    assert photo.thumb_name == f"{stem[:2]}/{stem[2:4]}/{stem}.thumb.jpg"
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert (folder / photo.stored_name).stat().st_size == photo.size_bytes
    with client.get(f"/pieces/{piece.id}/photos/{photo.id}") as served:
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert served.data == (folder / photo.stored_name).read_bytes()


def test_a_photo_stored_flat_by_an_earlier_version_is_still_served(client, login, desk, make_piece, db_session, app):
    piece = make_piece(store=desk.store, user=desk.clerk)
    folder = Path(app.config["UPLOAD_FOLDER"])
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "PNG")
    (folder / "0123456789abcdef0123456789abcdef.png").write_bytes(out.getvalue())
    (folder / "0123456789abcdef0123456789abcdef.thumb.jpg").write_bytes(b"\xff\xd8old thumb")
    db_session.add(
        Photo(
            piece=piece,
            stored_name="0123456789abcdef0123456789abcdef.png",
            thumb_name="0123456789abcdef0123456789abcdef.thumb.jpg",
            content_type="image/png",
            size_bytes=len(out.getvalue()),
            width=40,
            height=30,
        )
    )
    db_session.commit()
    photo = db_session.scalars(select(Photo)).one()
    login(desk.clerk)
    with client.get(f"/pieces/{piece.id}/photos/{photo.id}") as served:
        assert served.status_code == 200 and served.data == out.getvalue()
    with client.get(f"/pieces/{piece.id}/photos/{photo.id}/thumb") as served:
        assert served.data == b"\xff\xd8old thumb"


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_rollback_removes_the_files_written_in_its_transaction_and_a_commit_keeps_them(
    db_session, desk, make_piece, tmp_path, app, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    piece = make_piece(store=desk.store, user=desk.clerk)
    upload = photos.Upload("a.jpg", phone_photo(size=(640, 480)))
    photos.add_photos(desk.clerk, piece, [upload])
    assert len(stored_files(tmp_path)) == 2
    db.session.rollback()  # as when a later step of the request fails, or its commit does
    assert stored_files(tmp_path) == []
    piece = db.session.merge(piece)
    photos.add_photos(desk.clerk, piece, [upload])
    db.session.commit()
    db.session.rollback()  # a later, unrelated rollback must not touch committed files
    assert len(stored_files(tmp_path)) == 2
    assert db_session.scalars(select(Photo)).one()
