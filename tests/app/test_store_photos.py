"""Photos: checked by content, at most 10 MB, no decompression bombs, nothing half-saved."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.models import Event, Photo, Piece
from app.services import photos
from tests.app.store_support import desk, form_for, image_bytes, photo  # noqa: F401 (fixtures)
from workshop.errors import RuleViolation


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims these dimensions: Pillow reads them before decoding anything."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted_with_a_jpeg_thumbnail_of_at_most_320_pixels(fmt):
    checked = photos.check_image(photos.Upload("x", image_bytes(fmt, size=(1200, 900))))
    assert checked.format == fmt and (checked.width, checked.height) == (1200, 900)
    with Image.open(io.BytesIO(checked.thumbnail)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320


def test_a_text_file_named_jpg_is_refused_by_its_content():
    with pytest.raises(RuleViolation) as refused:
        photos.check_image(photos.Upload("holiday.jpg", b"this is not a photo at all\n" * 20))
    assert refused.value.message == "“%(name)s” is not a JPEG, PNG or WebP photo."


def test_a_real_image_of_another_format_is_refused():
    with pytest.raises(RuleViolation):
        photos.check_image(photos.Upload("anim.gif", image_bytes("GIF")))


def test_a_truncated_jpeg_is_refused():
    data = image_bytes("JPEG", size=(400, 300))
    with pytest.raises(RuleViolation):
        photos.check_image(photos.Upload("cut.jpg", data[: len(data) // 2]))


def test_a_file_over_10_mb_is_refused_without_being_read_whole():
    stream = io.BytesIO(b"\xff\xd8" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(RuleViolation) as refused:
        photos.read_upload(stream, "big.jpg")
    assert "larger than 10 MB" in refused.value.message
    assert stream.tell() == 10 * 1024 * 1024 + 1


@pytest.mark.parametrize("side", [8_000, 10_000, 20_000])
def test_a_decompression_bomb_is_refused_whether_pillow_would_warn_raise_or_allow_it(side):
    # 64 Mpx: below Pillow's own limit, above ours; 100 Mpx: Pillow warns; 400 Mpx: Pillow raises.
    with pytest.raises(RuleViolation) as refused:
        photos.check_image(photos.Upload("bomb.png", png_header(side, side)))
    assert "too many pixels" in refused.value.message


# --- Through the page ---------------------------------------------------------------------


def test_a_text_file_named_jpg_refuses_the_whole_registration(client, login, desk, db_session, app):
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = files_in(folder)
    login(desk.clerk)
    data = form_for(desk, photos=[photo(), photo(name="fake.jpg", data=b"not an image")])
    response = client.post("/store/register", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "“fake.jpg” is not a JPEG, PNG or WebP photo." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Piece.id))) == 0
    assert db_session.scalar(select(func.count(Photo.id))) == 0
    assert files_in(folder) == before


def test_a_photo_over_10_mb_refuses_the_registration(client, login, desk, db_session, app):
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = files_in(folder)
    login(desk.clerk)
    big = b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024)
    # Encoded in memory: the test client would spool so large a body to a file it never closes.
    fields = MultiDict(form_for(desk, photos=[]))
    fields.add("photos", FileStorage(io.BytesIO(big), "big.jpg"))
    boundary, body = encode_multipart(fields)
    response = client.post("/store/register", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422
    assert "larger than 10 MB" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Piece.id))) == 0
    assert files_in(folder) == before


def test_a_decompression_bomb_refuses_the_registration(client, login, desk, db_session):
    login(desk.clerk)
    response = client.post(
        "/store/register",
        data=form_for(desk, photos=[photo(name="bomb.png", data=png_header(10_000, 10_000))]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "too many pixels" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Piece.id))) == 0


def test_six_photos_are_refused(client, login, desk, db_session):
    login(desk.clerk)
    response = client.post(
        "/store/register", data=form_for(desk, photos=[photo() for _ in range(6)]), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert db_session.scalar(select(func.count(Piece.id))) == 0


def test_five_photos_of_three_formats_are_all_kept(client, login, desk, db_session):
    login(desk.clerk)
    files = [photo("JPEG"), photo("PNG"), photo("WEBP"), photo("JPEG"), photo("PNG")]
    assert (
        client.post(
            "/store/register", data=form_for(desk, photos=files), content_type="multipart/form-data"
        ).status_code
        == 302
    )
    kept = db_session.scalars(select(Photo).order_by(Photo.id)).all()
    # Accepted in three formats, all kept as JPEG (re-encoded, no metadata).
    assert [p.content_type for p in kept] == ["image/jpeg"] * 5
    assert db_session.scalar(select(func.count(Event.id)).where(Event.action == "add_photo")) == 5


def test_a_failure_while_writing_the_files_leaves_no_file_and_no_row(
    db_session, desk, make_piece, app, tmp_path, monkeypatch
):
    piece = make_piece(store=desk.store, user=desk.clerk)
    real_write = photos._write_new
    calls = []

    def failing_write(folder, name, data):
        calls.append(name)
        if len(calls) == 3:  # the second photo's original: the first photo is fully written by now
            raise OSError("disk full")
        return real_write(folder, name, data)

    monkeypatch.setattr(photos, "_write_new", failing_write)
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    uploads = [photos.Upload("a.png", image_bytes("PNG")), photos.Upload("b.png", image_bytes("PNG"))]
    with pytest.raises(OSError):
        photos.add_photos(desk.clerk, piece, uploads)
    db_session.rollback()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert db_session.scalar(select(func.count(Photo.id))) == 0


def test_photos_are_added_to_a_registered_piece_up_to_five_in_all(client, login, desk, make_piece, db_session):
    piece = make_piece(store=desk.store, user=desk.clerk)  # as after a spreadsheet import: no photo yet
    login(desk.clerk)
    assert f"/store/pieces/{piece.id}/photos" in client.get("/store/").get_data(as_text=True)
    response = client.post(
        f"/store/pieces/{piece.id}/photos",
        data={"photos": [photo("JPEG") for _ in range(4)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/pieces/{piece.id}")
    response = client.post(
        f"/store/pieces/{piece.id}/photos", data={"photos": [photo(), photo()]}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "A piece can have at most 5 photos." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Photo.id))) == 4
