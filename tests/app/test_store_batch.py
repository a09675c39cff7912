"""The weekly batch through its page: scan or tick pieces in, take one out, rule 2, dispatch, slip."""

import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import Batch, Event
from tests.app.store_support import desk, dispatched, set_now  # noqa: F401 (fixtures)
from tests.conftest import require_tool
from workshop.statuses import BatchStatus, PieceStatus

DISPATCH = {"carrier": "顺丰速运", "tracking_no": "SF1234567890", "confirm": "y"}


def events(db_session) -> int:
    return db_session.scalar(select(func.count(Event.id)))


def open_batch(db_session) -> Batch | None:
    return db_session.scalars(select(Batch).where(Batch.status == BatchStatus.OPEN)).one_or_none()


def test_scanning_a_label_opens_the_weeks_batch_and_packs_the_piece(client, login, desk, make_piece, db_session):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    page = client.get("/store/batch").get_data(as_text=True)
    assert 'name="code"' in page and "autofocus" in page
    response = client.post("/store/batch/scan", data={"code": f"  {piece.code.lower()} "}, follow_redirects=True)
    assert response.status_code == 200
    assert f"Piece {piece.code} added to batch" in response.get_data(as_text=True)
    db_session.expire_all()
    assert piece.status == PieceStatus.PACKED and piece.batch_id == open_batch(db_session).id


def test_scanning_the_same_label_twice_says_so_and_changes_nothing(client, login, desk, make_piece, db_session):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    client.post("/store/batch/scan", data={"code": piece.code})
    before = events(db_session)
    response = client.post("/store/batch/scan", data={"code": piece.code}, follow_redirects=True)
    assert f"Piece {piece.code} is already in this batch. Nothing was changed." in response.get_data(as_text=True)
    assert events(db_session) == before


def test_a_misread_label_is_refused_with_the_domains_sentence(client, login, desk, make_piece, db_session):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    wrong = piece.code[:-1] + ("A" if piece.code[-1] != "A" else "B")
    response = client.post("/store/batch/scan", data={"code": wrong})
    assert response.status_code == 400
    assert "wrong check character" in response.get_data(as_text=True)
    assert open_batch(db_session) is None


def test_ticking_pieces_adds_them_all_and_one_can_be_taken_out_again(client, login, desk, make_piece, db_session):
    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(3)]
    login(desk.clerk)
    response = client.post("/store/batch/add", data={"piece_ids": [p.id for p in pieces]}, follow_redirects=True)
    assert "3 pieces added to batch" in response.get_data(as_text=True)
    batch = open_batch(db_session)
    page = client.get("/store/batch").get_data(as_text=True)
    assert f"/store/batches/{batch.id}/remove/{pieces[0].id}" in page and "data-confirm" in page
    response = client.post(f"/store/batches/{batch.id}/remove/{pieces[0].id}", follow_redirects=True)
    assert f"Piece {pieces[0].code} taken out of batch" in response.get_data(as_text=True)
    db_session.expire_all()
    assert pieces[0].status == PieceStatus.REGISTERED and pieces[0].batch_id is None
    assert [p.id for p in batch.pieces] == [pieces[1].id, pieces[2].id]


def packed(client, desk, make_piece, n=1):
    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(n)]
    client.post("/store/batch/add", data={"piece_ids": [p.id for p in pieces]})
    return pieces


@pytest.mark.parametrize("tracking", ["SF1", "SF#12345", "顺丰1234567890", "X" * 31])
def test_a_malformed_tracking_number_is_refused_and_nothing_is_dispatched(
    client, login, desk, make_piece, db_session, tracking
):
    login(desk.clerk)
    packed(client, desk, make_piece)
    batch = open_batch(db_session)
    response = client.post(f"/store/batches/{batch.id}/dispatch", data=DISPATCH | {"tracking_no": tracking})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is not a tracking number: give 4 to 30 letters, digits or hyphens" in page, "said in words"
    db_session.expire_all()
    assert batch.status == BatchStatus.OPEN


@pytest.mark.parametrize(("typed", "kept"), [("SF12", "SF12"), ("sf 1234 5678", "SF12345678"), ("７７８８", "7788")])
def test_a_short_or_spaced_tracking_number_is_taken_as_printed_on_the_waybill(
    client, login, desk, make_piece, db_session, typed, kept
):
    login(desk.clerk)
    packed(client, desk, make_piece)
    page = client.get("/store/batch").get_data(as_text=True)
    assert "4 to 30 letters, digits or hyphens, as printed on the waybill" in page and "pattern=" not in page
    batch = open_batch(db_session)
    response = client.post(f"/store/batches/{batch.id}/dispatch", data=DISPATCH | {"tracking_no": typed})
    assert response.status_code == 302
    db_session.expire_all()
    assert batch.status == BatchStatus.DISPATCHED and batch.tracking_no == kept


def test_dispatch_needs_the_confirmation_ticked(client, login, desk, make_piece, db_session):
    login(desk.clerk)
    packed(client, desk, make_piece)
    batch = open_batch(db_session)
    response = client.post(
        f"/store/batches/{batch.id}/dispatch", data={k: v for k, v in DISPATCH.items() if k != "confirm"}
    )
    assert response.status_code == 422
    db_session.expire_all()
    assert batch.status == BatchStatus.OPEN


def test_another_carrier_must_be_named(client, login, desk, make_piece, db_session):
    login(desk.clerk)
    packed(client, desk, make_piece)
    batch = open_batch(db_session)
    response = client.post(f"/store/batches/{batch.id}/dispatch", data=DISPATCH | {"carrier": "other"})
    assert response.status_code == 422 and "Type the carrier's name." in response.get_data(as_text=True)
    response = client.post(
        f"/store/batches/{batch.id}/dispatch", data=DISPATCH | {"carrier": "other", "carrier_other": "跨越速运"}
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert batch.carrier == "跨越速运"


def test_dispatch_locks_the_batch_puts_pieces_in_transit_and_starts_their_clocks(
    client, login, desk, make_piece, db_session, app, monkeypatch
):
    set_now(app, monkeypatch, datetime(2026, 11, 23, 17, 30, tzinfo=UTC))  # 24 November, 01:30 in Shanghai
    login(desk.clerk)
    pieces = packed(client, desk, make_piece, n=2)
    batch = open_batch(db_session)
    response = client.post(f"/store/batches/{batch.id}/dispatch", data=DISPATCH)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/store/batches/{batch.id}")
    db_session.expire_all()
    assert (
        batch.status == BatchStatus.DISPATCHED and batch.carrier == "顺丰速运" and batch.tracking_no == "SF1234567890"
    )
    assert all(p.status == PieceStatus.IN_TRANSIT and p.due_on == date(2026, 12, 9) for p in pieces)
    page = client.get(f"/store/batches/{batch.id}").get_data(as_text=True)
    assert "this batch is locked and its pieces are in transit" in page
    assert "/remove/" not in page and "/dispatch" not in page
    # Locked means locked: nothing comes out of it by posting to the old address.
    response = client.post(f"/store/batches/{batch.id}/remove/{pieces[0].id}")
    assert response.status_code == 409
    db_session.expire_all()
    assert pieces[0].status == PieceStatus.IN_TRANSIT


# --- Rule 2 across the turn of the year -------------------------------------------------


def dispatch_one_at(client, desk, make_piece, db_session, app, monkeypatch, moment, fee=None):
    set_now(app, monkeypatch, moment)
    packed(client, desk, make_piece)
    batch = open_batch(db_session)
    data = DISPATCH | ({"shipping_fee": fee} if fee is not None else {})
    return batch, client.post(f"/store/batches/{batch.id}/dispatch", data=data)


def test_the_weekly_quota_counts_iso_weeks_across_new_year_in_shanghai(
    client, login, desk, make_piece, db_session, app, monkeypatch
):
    login(desk.clerk)
    # Thursday 31 December 2026 is in ISO week 2026-W53, and so is Saturday 2 January 2027.
    first, response = dispatch_one_at(
        client, desk, make_piece, db_session, app, monkeypatch, datetime(2026, 12, 31, 4, 0, tzinfo=UTC)
    )
    assert response.status_code == 302
    set_now(app, monkeypatch, datetime(2027, 1, 2, 4, 0, tzinfo=UTC))
    packed(client, desk, make_piece)
    page = client.get("/store/batch").get_data(as_text=True)
    assert "the next dispatch is extra" in page and "2026-W53" in page
    second = open_batch(db_session)
    response = client.post(f"/store/batches/{second.id}/dispatch", data=DISPATCH)
    assert response.status_code == 422
    assert "enter the shipping fee the store pays" in response.get_data(as_text=True)
    db_session.expire_all()
    assert second.status == BatchStatus.OPEN
    response = client.post(f"/store/batches/{second.id}/dispatch", data=DISPATCH | {"shipping_fee": "18.50"})
    assert response.status_code == 302
    db_session.expire_all()
    assert second.extra and second.shipping_fee == Decimal("18.50") and second.iso_week == 202653
    assert not first.extra
    # Sunday 3 January 17:00 UTC is already Monday 4 January in Shanghai: week 2027-W01, a new quota.
    third, response = dispatch_one_at(
        client, desk, make_piece, db_session, app, monkeypatch, datetime(2027, 1, 3, 17, 0, tzinfo=UTC)
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert not third.extra and third.iso_week == 202701 and third.shipping_fee is None


def test_a_fee_typed_for_a_batch_within_the_quota_is_not_charged(
    client, login, desk, make_piece, db_session, app, monkeypatch
):
    login(desk.clerk)
    batch, response = dispatch_one_at(
        client, desk, make_piece, db_session, app, monkeypatch, datetime(2026, 11, 23, 4, 0, tzinfo=UTC), fee="30"
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert not batch.extra and batch.shipping_fee is None


# --- The dispatch slip ------------------------------------------------------------------


def test_the_slip_of_a_packed_batch_before_dispatch_is_its_packing_list(client, login, desk, make_piece, db_session):
    login(desk.clerk)
    packed(client, desk, make_piece)
    batch = open_batch(db_session)
    response = client.get(f"/store/batches/{batch.id}/slip.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{batch.id}/packing-list.pdf")
    assert client.get(response.headers["Location"]).data.startswith(b"%PDF")


@pytest.mark.slow
def test_the_dispatch_slip_carries_the_batch_barcode_and_the_chinese_names(
    client, login, desk, make_piece, db_session, app, tmp_path
):
    pdftoppm = require_tool("pdftoppm", "poppler-utils")
    zbarimg = require_tool("zbarimg", "zbar-tools")
    pdftotext = require_tool("pdftotext", "poppler-utils")
    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(3)]
    batch = dispatched(db_session, desk.clerk, desk.store, pieces, datetime(2026, 11, 23, 4, 0, tzinfo=UTC))
    login(desk.clerk)
    response = client.get(f"/store/batches/{batch.id}/slip.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"slip-{batch.code}-2026-11-23" in response.headers["Content-Disposition"]
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "上海南京东路店" in text and app.config["CHAIN_NAME"] in text and "男士加绒连帽羽绒服" in text
    subprocess.run(
        [pdftoppm, "-r", "300", "-gray", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    image = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(image)], capture_output=True, text=True).stdout.split()
    assert batch.code in decoded
    # A region manager of the store's region may print it too.
    login(desk.manager)
    assert client.get(f"/store/batches/{batch.id}/slip.pdf").status_code == 200
