"""Printing labels through the pages: one, a selection, every piece not yet labelled."""

import subprocess
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.models import Event, Piece
from tests.app.store_support import desk, set_now  # noqa: F401 (fixtures)
from tests.conftest import require_tool


def label_events(db_session) -> int:
    return db_session.scalar(select(func.count(Event.id)).where(Event.action == "print_label"))


def test_printing_one_label_returns_a_dated_pdf_and_marks_the_piece_labelled(
    client, login, desk, make_piece, db_session, app, monkeypatch
):
    piece = make_piece(store=desk.store, user=desk.clerk)
    set_now(app, monkeypatch, datetime(2026, 11, 23, 17, 0, tzinfo=UTC))  # already the 24th in Shanghai
    login(desk.clerk)
    response = client.post(f"/store/pieces/{piece.id}/label", data={"format": "sheet", "start": "1"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data[:5] == b"%PDF-"
    assert "labels-2026-11-24" in response.headers["Content-Disposition"]
    db_session.refresh(piece)
    assert piece.labelled_at is not None
    assert label_events(db_session) == 1


def test_printing_every_unlabelled_piece_skips_those_already_labelled_and_other_stores(
    client, login, desk, make_piece, db_session
):
    first, second = make_piece(store=desk.store, user=desk.clerk), make_piece(store=desk.store, user=desk.clerk)
    theirs = make_piece(store=desk.other_store, user=desk.other_clerk)
    login(desk.clerk)
    assert client.post(f"/store/pieces/{first.id}/label", data={"format": "thermal"}).status_code == 200
    response = client.post("/store/labels", data={"which": "unlabelled", "format": "thermal"})
    assert response.status_code == 200
    db_session.expire_all()
    assert second.labelled_at is not None and theirs.labelled_at is None
    assert label_events(db_session) == 2
    # Nothing left: the page says so instead of printing an empty sheet.
    response = client.post("/store/labels", data={"which": "unlabelled", "format": "sheet"}, follow_redirects=True)
    assert "No piece to print a label for." in response.get_data(as_text=True)


def test_a_start_position_beyond_24_is_refused_and_nothing_is_marked(client, login, desk, make_piece, db_session):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    response = client.post(
        "/store/labels",
        data={"which": "selected", "piece_ids": [piece.id], "format": "sheet", "start": "25"},
        follow_redirects=True,
    )
    assert "A position from 1 to 24." in response.get_data(as_text=True)
    assert label_events(db_session) == 0


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "dpi"), [("sheet", 300), ("sheet", 203), ("thermal", 203)])
def test_selected_labels_printed_through_the_page_decode_with_zbar(
    client, login, desk, make_piece, db_session, tmp_path, fmt, dpi
):
    pdftoppm = require_tool("pdftoppm", "poppler-utils")
    zbarimg = require_tool("zbarimg", "zbar-tools")
    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(4)]
    login(desk.clerk)
    response = client.post(
        "/store/labels", data={"which": "selected", "piece_ids": [p.id for p in pieces], "format": fmt, "start": "5"}
    )
    assert response.status_code == 200
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(response.data)
    subprocess.run([pdftoppm, "-r", str(dpi), "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True)
    decoded = set()
    for image in sorted(tmp_path.glob("page*.png")):
        out = subprocess.run(
            [zbarimg, "--quiet", "--raw", "-Sdisable", "-Scode128.enable", str(image)], capture_output=True, text=True
        )
        decoded |= set(out.stdout.split())
    assert decoded == {p.code for p in pieces}
    assert all(p.labelled_at is not None for p in db_session.scalars(select(Piece)))
