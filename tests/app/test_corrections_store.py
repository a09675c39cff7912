"""Corrections at the store (更正): edit and cancel a registered piece, take a parcel back;
spreadsheet imports confirmed once, identical rows ticked, a whole import cancelled."""

import html
import io
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from app.boundary import is_conflict
from app.extensions import db
from app.models import Batch, Event, Piece, PieceImport, Store, User
from app.services import batches, bulk_import, scanning
from app.services.finance.months import close_month
from app.services.settings import rules as current_rules
from tests.app.store_support import desk, dispatched, form_for, set_now  # noqa: F401 (fixtures)
from workshop.money import Month
from workshop.statuses import BatchStatus, Direction, PieceStatus

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
HEADER = "款号 Style code,尺码 Size,颜色 Colour,缺陷代码 Defect code,来源 Source,到货日期 Delivery received on,问题描述 Description"


@pytest.fixture()
def at_noon(app, monkeypatch):
    set_now(app, monkeypatch, NOW)


def registered(db_session, desk, make_piece, n=1):
    return [make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality) for _ in range(n)]


def reason(text="登记错了款号"):
    return {"reason": text, "confirm": "y"}


def events(db_session, piece, action):
    return db_session.scalars(select(Event).where(Event.piece_id == piece.id, Event.action == action)).all()


# --- Editing a registered piece ---------------------------------------------------------


def test_a_clerk_corrects_a_registered_piece_and_the_history_shows_the_correction(
    client, login, desk, db_session, make_piece, make_product
):
    piece = registered(db_session, desk, make_piece)[0]
    other = make_product(name="女士羊毛大衣", style="G20002")
    login(desk.clerk)
    form = form_for(desk, product="G20002", size="XL", defect=str(desk.people.id), reason="款号和尺码登记错了")
    del form["photos"]
    response = client.post(f"/store/pieces/{piece.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    piece = db_session.get(Piece, piece.id)
    assert (piece.product_id, piece.size, piece.defect_id) == (other.id, "XL", desk.people.id)
    edit = events(db_session, piece, "edit")[0]
    assert edit.reason == "款号和尺码登记错了"
    assert edit.data["changes"]["size"] == ["L", "XL"]
    assert edit.data["changes"]["product"] == [desk.product.id, other.id]
    page = client.get(f"/pieces/{piece.id}").get_data(as_text=True)
    assert "details corrected" in page and "correction" in page and "款号和尺码登记错了" in page


def test_an_edit_without_a_reason_changes_nothing(client, login, desk, db_session, make_piece):
    piece = registered(db_session, desk, make_piece)[0]
    login(desk.clerk)
    form = form_for(desk, size="XXL", reason="  ")
    del form["photos"]
    response = client.post(f"/store/pieces/{piece.id}/edit", data=form)
    assert response.status_code == 422
    assert "Write why: a correction needs a reason." in response.get_data(as_text=True)
    assert db_session.get(Piece, piece.id).size == "L" and not events(db_session, piece, "edit")


def test_a_packed_piece_can_no_longer_be_edited_and_the_clerk_is_told_what_to_do(
    client, login, desk, db_session, make_piece
):
    piece = registered(db_session, desk, make_piece)[0]
    batches.add_to_open_batch(desk.clerk, desk.store, [piece.id])
    db_session.commit()
    login(desk.clerk)
    form = form_for(desk, size="XXL", reason="尺码错了")
    del form["photos"]
    response = client.post(f"/store/pieces/{piece.id}/edit", data=form)
    assert response.status_code == 409
    assert "can only be corrected before it is packed" in response.get_data(as_text=True)
    assert "take it out first" in response.get_data(as_text=True)
    assert db_session.get(Piece, piece.id).size == "L"


def test_another_store_cannot_edit_or_cancel_a_piece(client, login, desk, db_session, make_piece):
    piece = registered(db_session, desk, make_piece)[0]
    login(desk.other_clerk)
    assert client.get(f"/store/pieces/{piece.id}/edit").status_code == 404
    assert client.post(f"/store/pieces/{piece.id}/cancel", data=reason()).status_code == 404
    assert db_session.get(Piece, piece.id).status == PieceStatus.REGISTERED


def test_a_technician_cannot_edit_a_stores_piece(client, login, desk, db_session, make_piece):
    piece = registered(db_session, desk, make_piece)[0]
    login(desk.tech)
    assert client.get(f"/store/pieces/{piece.id}/edit").status_code == 403


# --- Cancelling a piece ---------------------------------------------------------------


def test_a_cancelled_piece_leaves_the_lists_and_its_label_says_who_cancelled_it_and_why(
    client, login, desk, db_session, make_piece
):
    piece, kept = registered(db_session, desk, make_piece, n=2)
    login(desk.clerk)
    page = client.get(f"/pieces/{piece.id}").get_data(as_text=True)
    assert "Cancel this piece" in page and 'name="confirm"' in page
    response = client.post(f"/store/pieces/{piece.id}/cancel", data=reason("顾客其实没有退货"), follow_redirects=True)
    assert "cancelled: its label is void" in response.get_data(as_text=True)
    assert db_session.get(Piece, piece.id).status == PieceStatus.CANCELLED
    listing = client.get("/store/").get_data(as_text=True)
    assert kept.code in listing and piece.code not in listing
    assert piece.code in client.get("/store/?status=cancelled").get_data(as_text=True)
    # Scanning its label into the weekly batch says it is void, by whom and why.
    response = client.post("/store/batch/scan", data={"code": piece.code}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "was cancelled on 20" in text and desk.clerk.display_name in text and "顾客其实没有退货" in text
    assert db_session.get(Piece, piece.id).batch_id is None
    # And at the workshop, scanned in any parcel.
    batch = dispatched(db_session, desk.clerk, desk.store, [kept], datetime.now(UTC))
    result = scanning.receive_scan(desk.tech, batch, piece.code)
    assert result.outcome == scanning.REFUSED and result.code == "cancelled"
    assert result.params["reason"] == "顾客其实没有退货"


def test_cancelling_needs_the_confirmation_tick(client, login, desk, db_session, make_piece):
    piece = registered(db_session, desk, make_piece)[0]
    login(desk.clerk)
    response = client.post(f"/store/pieces/{piece.id}/cancel", data={"reason": "错了"}, follow_redirects=True)
    assert "Tick the box to confirm the correction." in response.get_data(as_text=True)
    assert db_session.get(Piece, piece.id).status == PieceStatus.REGISTERED


# --- Taking a parcel back -------------------------------------------------------------


def test_a_parcel_the_courier_never_collected_is_taken_back_and_gives_the_quota_back(
    client, login, desk, db_session, make_piece
):
    pieces = registered(db_session, desk, make_piece, n=2)
    batch = dispatched(db_session, desk.clerk, desk.store, pieces, datetime.now(UTC) - timedelta(hours=2))
    assert batches.quota_check(desk.store, current_rules()).already == 1
    login(desk.clerk)
    page = client.get(f"/store/batches/{batch.id}").get_data(as_text=True)
    assert "The courier never came" in page
    response = client.post(f"/store/batches/{batch.id}/take-back", data=reason("快递员没有来取件"))
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Batch, batch.id).status == BatchStatus.TAKEN_BACK
    open_batch = batches.open_batch(desk.store, Direction.OUTBOUND)
    assert [p.id for p in open_batch.pieces] == [p.id for p in pieces]
    assert all(p.status == PieceStatus.PACKED and p.due_on is None for p in open_batch.pieces)
    assert batches.quota_check(desk.store, current_rules()).already == 0
    taken = db_session.scalars(select(Event).where(Event.batch_id == batch.id, Event.action == "batch_take_back")).one()
    assert taken.reason == "快递员没有来取件"


def test_a_parcel_whose_check_has_started_cannot_be_taken_back(client, login, desk, db_session, make_piece):
    pieces = registered(db_session, desk, make_piece)
    batch = dispatched(db_session, desk.clerk, desk.store, pieces, datetime.now(UTC) - timedelta(hours=2))
    scanning.start_check(desk.tech, batch)
    db_session.commit()
    login(desk.clerk)
    response = client.post(f"/store/batches/{batch.id}/take-back", data=reason(), follow_redirects=True)
    assert "cannot be" in response.get_data(as_text=True) and "being checked" in response.get_data(as_text=True)
    assert db_session.get(Batch, batch.id).status == BatchStatus.CHECKING
    assert db_session.get(Piece, pieces[0].id).status == PieceStatus.IN_TRANSIT


def test_another_store_cannot_take_a_parcel_back(client, login, desk, db_session, make_piece):
    pieces = registered(db_session, desk, make_piece)
    batch = dispatched(db_session, desk.clerk, desk.store, pieces, datetime.now(UTC) - timedelta(hours=2))
    login(desk.other_clerk)
    assert client.post(f"/store/batches/{batch.id}/take-back", data=reason()).status_code == 404
    assert db_session.get(Batch, batch.id).status == BatchStatus.DISPATCHED


def test_an_extra_parcels_fee_in_a_closed_month_cannot_be_taken_back(
    app, client, login, desk, db_session, make_piece, make_user, monkeypatch
):
    october = datetime(2026, 10, 14, 4, 0, tzinfo=UTC)
    first = registered(db_session, desk, make_piece)
    dispatched(db_session, desk.clerk, desk.store, first, october - timedelta(hours=3))
    extra = dispatched(db_session, desk.clerk, desk.store, registered(db_session, desk, make_piece), october, fee=30)
    assert extra.extra and extra.charge_month == Month(2026, 10).key
    close_month(make_user("finance"), Month(2026, 10), current_rules(), at=datetime(2026, 11, 2, tzinfo=UTC))
    db_session.commit()
    login(desk.clerk)
    response = client.post(f"/store/batches/{extra.id}/take-back", data=reason(), follow_redirects=True)
    assert "2026-10 is closed" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Batch, extra.id).status == BatchStatus.DISPATCHED and db_session.get(Batch, extra.id).extra


# --- Spreadsheet imports ----------------------------------------------------------------


def csv_bytes(lines: list[str]) -> bytes:
    return "\r\n".join([HEADER, *lines]).encode()


def preview(client, lines):
    response = client.post(
        "/store/import", data={"file": (io.BytesIO(csv_bytes(lines)), "p.csv")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    return page, html.unescape(re.search(r'name="rows" value="([^"]+)"', page)[1])


def count(db_session) -> int:
    return db_session.scalar(select(func.count(Piece.id)))


def test_confirming_the_same_preview_twice_registers_once_and_links_to_the_import(
    client, login, desk, db_session, at_noon
):
    login(desk.clerk)
    _page, token = preview(client, ["G10001,L,藏青,Q01,顾客退货,,左袖", "G10001,M,黑色,Q01,顾客退货,,右袖"])
    first = client.post("/store/import/confirm", data={"rows": token})
    assert first.status_code == 302
    record = db_session.scalars(select(PieceImport)).one()
    assert first.headers["Location"] == f"/store/imports/{record.id}"
    second = client.post("/store/import/confirm", data={"rows": token}, follow_redirects=True)
    text = second.get_data(as_text=True)
    assert f"already imported on 2026-11-20 (import {record.id}, 2 pieces)" in text
    assert second.request.path == f"/store/imports/{record.id}"
    assert count(db_session) == 2
    assert {p.import_id for p in db_session.scalars(select(Piece))} == {record.id}


def test_identical_rows_are_pointed_out_and_need_a_tick(client, login, desk, db_session, at_noon):
    login(desk.clerk)
    lines = ["G10001,L,藏青,Q01,顾客退货,,左袖", "G10001,M,黑色,Q01,顾客退货,,", "G10001,L,藏青,Q01,顾客退货,,左袖"]
    page, token = preview(client, lines)
    assert "Row 4 is the same as row 2." in page and 'name="duplicates"' in page
    refused = client.post("/store/import/confirm", data={"rows": token})
    assert refused.status_code == 422
    assert "Row 4 is the same as row 2 (1 such rows)" in refused.get_data(as_text=True)
    assert count(db_session) == 0 and db_session.scalar(select(func.count(PieceImport.id))) == 0
    assert client.post("/store/import/confirm", data={"rows": token, "duplicates": "y"}).status_code == 302
    assert count(db_session) == 3


def test_a_whole_import_is_cancelled_in_one_step_while_nothing_is_packed(client, login, desk, db_session, at_noon):
    login(desk.clerk)
    _page, token = preview(client, [f"G10001,L,藏青,Q01,顾客退货,,第{i}件" for i in range(3)])
    client.post("/store/import/confirm", data={"rows": token})
    record = db_session.scalars(select(PieceImport)).one()
    pieces = db_session.scalars(select(Piece).order_by(Piece.id)).all()
    # One piece packed: the whole import cannot be cancelled, and nothing is.
    batches.add_to_open_batch(desk.clerk, desk.store, [pieces[0].id])
    db_session.commit()
    response = client.post(f"/store/imports/{record.id}/cancel", data=reason("导错了文件"), follow_redirects=True)
    assert f"piece {pieces[0].code} is already packed" in response.get_data(as_text=True)
    assert {p.status for p in db_session.scalars(select(Piece))} == {PieceStatus.PACKED, PieceStatus.REGISTERED}
    batches.remove_piece(desk.clerk, batches.open_batch(desk.store, Direction.OUTBOUND), pieces[0])
    db_session.commit()
    response = client.post(f"/store/imports/{record.id}/cancel", data=reason("导错了文件"), follow_redirects=True)
    assert "3 pieces cancelled" in response.get_data(as_text=True)
    db_session.expire_all()
    assert {p.status for p in db_session.scalars(select(Piece))} == {PieceStatus.CANCELLED}
    assert db_session.get(PieceImport, record.id).cancel_reason == "导错了文件"


def test_another_store_cannot_see_or_cancel_an_import(client, login, desk, db_session, at_noon):
    login(desk.clerk)
    _page, token = preview(client, ["G10001,L,藏青,Q01,顾客退货,,左袖"])
    client.post("/store/import/confirm", data={"rows": token})
    record = db_session.scalars(select(PieceImport)).one()
    client.post("/logout")
    login(desk.other_clerk)
    assert client.get(f"/store/imports/{record.id}").status_code == 404
    assert client.post(f"/store/imports/{record.id}/cancel", data=reason()).status_code == 404
    assert db_session.scalars(select(Piece)).one().status == PieceStatus.REGISTERED


def test_two_simultaneous_confirmations_of_one_preview_register_it_once(app, client, login, desk, db_session, at_noon):
    login(desk.clerk)
    _page, token = preview(client, [f"G10001,L,藏青,Q01,顾客退货,,第{i}件" for i in range(20)])
    rows = bulk_import.unsign_rows(token, desk.store, desk.clerk)
    key = bulk_import.preview_key(token)
    start = threading.Barrier(2, timeout=30)
    answers: list[str] = []
    clerk_id, store_id = desk.clerk.id, desk.store.id
    db_session.commit()

    def confirm():
        # Two tabs confirming at the same instant: each its own transaction, as two requests.
        with app.app_context():
            clerk, store = db.session.get(User, clerk_id), db.session.get(Store, store_id)
            start.wait()
            try:
                bulk_import.import_rows(clerk, store, rows, current_rules(), at=NOW, key=key)
                db.session.commit()
                answers.append("registered")
            except bulk_import.AlreadyImported:
                answers.append("already imported")
            except DBAPIError as error:
                assert is_conflict(error)  # SQLite's one writer: "someone else changed this, try again"
                answers.append("conflict")
            finally:
                db.session.rollback()
                db.session.remove()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db_session.expire_all()
    assert sorted(answers)[-1] == "registered" and answers.count("registered") == 1, answers
    if db_session.get_bind().dialect.name == "postgresql":
        assert sorted(answers) == ["already imported", "registered"]
    db_session.commit()
    assert db_session.scalar(select(func.count(PieceImport.id))) == 1
    assert count(db_session) == 20
