"""The scanning pages' shared behaviour (static/js/scanning.js) on the server's side: the
store's batch page answers a scan as JSON without a reload, newest piece on top, and every
scan page applies a scan sent twice with the same Idempotency-Key once (the offline queue)."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Batch, Event, Piece
from tests.app.store_support import desk, returning  # noqa: F401 (fixture)
from tests.app.test_bench_grading import catalogue, received_piece  # noqa: F401 (fixtures)
from tests.app.test_bench_scan_station import make_parcel, technician  # noqa: F401 (fixtures)
from workshop.statuses import BatchStatus, PieceStatus

JSON = {"Accept": "application/json"}


def scan_into_batch(client, code: str, key: str | None = None):
    headers = {**JSON, **({"Idempotency-Key": key} if key else {})}
    return client.post("/store/batch/scan", json={"code": code}, headers=headers)


def events_of(db_session, piece: Piece, action: str) -> int:
    return db_session.scalar(select(func.count(Event.id)).where(Event.piece_id == piece.id, Event.action == action))


def test_the_batch_page_has_the_shared_scan_field_camera_and_log(client, login, desk):
    login(desk.clerk)
    page = client.get("/store/batch").get_data(as_text=True)
    assert "data-scan-form" in page and "js/scanning.js" in page and 'name="csrf-token"' in page
    assert "data-camera" in page and 'id="scan-log"' in page and 'data-scan-waits="1"' in page
    assert f"scan-queue:{desk.clerk.id}:/store/batch/scan" in page  # each user's waiting scans apart
    assert 'id="batch-pieces" hidden' in page  # no batch yet: the table waits for the first scan


def test_a_scan_answers_json_with_the_row_to_put_on_top_and_the_counts(client, login, desk, make_piece, db_session):
    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(3)]
    login(desk.clerk)
    first = scan_into_batch(client, pieces[0].code.lower())
    assert first.status_code == 200, first.data[:300]
    answer = first.get_json()
    batch = db_session.scalars(select(Batch).where(Batch.status == BatchStatus.OPEN)).one()
    assert answer["outcome"] == "ok" and answer["message"] == f"Piece {pieces[0].code} added to batch {batch.code}."
    assert answer["counts"] == {"batch": 1, "waiting": 2}
    assert answer["row"]["key"] == f"piece-{pieces[0].id}" and pieces[0].code in answer["row"]["html"]
    assert f"/store/batches/{batch.id}/remove/{pieces[0].id}" in answer["row"]["html"]  # "Take out" works at once
    assert answer["remove"] == [f"waiting-{pieces[0].id}"]
    assert answer["fill"] == {"batch-code": batch.code}
    assert answer["links"]["dispatch-form"] == f"/store/batches/{batch.id}/dispatch"
    assert scan_into_batch(client, pieces[1].code).get_json()["counts"] == {"batch": 2, "waiting": 1}
    # The page itself, reloaded, lists the newest piece first too.
    page = client.get("/store/batch").get_data(as_text=True)
    assert page.index(pieces[1].code) < page.index(pieces[0].code)
    assert f'id="waiting-{pieces[2].id}"' in page


def test_a_repeat_is_a_warning_a_misread_a_refusal_and_neither_leaves_a_flash(
    client, login, desk, make_piece, db_session
):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    scan_into_batch(client, piece.code)
    again = scan_into_batch(client, piece.code)
    assert again.status_code == 409
    assert again.get_json()["outcome"] == "warning"
    assert again.get_json()["message"] == f"Piece {piece.code} is already in this batch. Nothing was changed."
    wrong = scan_into_batch(client, piece.code[:-1] + ("A" if piece.code[-1] != "A" else "B"))
    assert wrong.status_code == 422 and wrong.get_json()["outcome"] == "refused"
    assert "wrong check character" in wrong.get_json()["message"]
    empty = scan_into_batch(client, "   ")
    assert empty.status_code == 422 and empty.get_json()["message"] == "Nothing was scanned. Scan the label again."
    page = client.get("/store/batch").get_data(as_text=True)
    assert "already in this batch" not in page and "wrong check character" not in page


def test_another_stores_label_is_refused_and_packs_nothing(client, login, desk, make_piece, db_session):
    theirs = make_piece(store=desk.other_store, user=desk.other_clerk)
    login(desk.clerk)
    response = scan_into_batch(client, theirs.code, key="k-theirs")
    assert response.status_code == 404
    assert desk.other_store.name not in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Piece, theirs.id).status == PieceStatus.REGISTERED
    assert db_session.scalar(select(func.count(Batch.id))) == 0


def test_a_batch_scan_sent_again_with_its_key_is_applied_once_and_answered_the_same(
    client, login, desk, make_piece, db_session
):
    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(2)]
    login(desk.clerk)
    first = scan_into_batch(client, pieces[0].code, key="queue-0001")
    again = scan_into_batch(client, pieces[0].code, key="queue-0001")
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["outcome"] == "ok"  # not "already in this batch": the first answer, again
    assert events_of(db_session, pieces[0], "pack") == 1
    reused = scan_into_batch(client, pieces[1].code, key="queue-0001")
    assert reused.status_code == 422 and reused.get_json()["outcome"] == "refused"
    assert reused.get_json()["message"] == "This Idempotency-Key was already used for a different request."
    db_session.expire_all()
    assert db_session.get(Piece, pieces[1].id).status == PieceStatus.REGISTERED
    assert scan_into_batch(client, pieces[0].code, key="x" * 201).status_code == 422


def test_the_stations_scan_sent_again_with_its_key_is_received_once(client, technician, make_parcel, db_session):
    batch, pieces = make_parcel(2)
    technician()
    headers = {**JSON, "Idempotency-Key": "station-0001"}
    body = {"text": pieces[0].code, "mode": "receive", "batch_id": batch.id}
    first = client.post("/bench/scan.json", json=body, headers=headers)
    again = client.post("/bench/scan.json", json=body, headers=headers)
    assert first.get_json()["code"] == "received" and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert events_of(db_session, pieces[0], "receive") == 1
    # Without a key (or with a new one) a second scan is what it is: already received.
    repeat = client.post("/bench/scan.json", json=body, headers={**JSON, "Idempotency-Key": "station-0002"})
    assert repeat.get_json()["outcome"] == "warning"
    assert events_of(db_session, pieces[0], "receive") == 1


def test_the_store_receives_its_return_parcel_by_scanning_without_a_reload_and_once_per_key(
    client, login, desk, make_piece, db_session
):
    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(2)]
    back = returning(db_session, desk, pieces)
    stranger = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    page = client.get(f"/store/receive/{back.id}").get_data(as_text=True)
    assert "data-scan-form" in page and "data-camera" in page and 'data-scan-waits="1"' in page
    assert "data-camera" in client.get("/store/receive").get_data(as_text=True)  # the slip, by camera too

    opened = client.post("/store/receive", json={"code": back.code}, headers=JSON).get_json()
    assert opened["outcome"] == "ok" and opened["go_to"] == f"/store/receive/{back.id}"
    unknown = client.post("/store/receive", json={"code": "B999999999"}, headers=JSON)
    assert unknown.status_code in (404, 422) and unknown.get_json()["outcome"] == "refused"

    url = f"/store/receive/{back.id}/scan"
    key = {**JSON, "Idempotency-Key": "back-0001"}
    first = client.post(url, json={"code": pieces[0].code}, headers=key)
    again = client.post(url, json={"code": pieces[0].code}, headers=key)
    assert first.get_json()["code"] == "received" and again.get_json() == first.get_json()
    assert first.get_json()["counts"] == {"expected": 2, "received": 1, "pending": 1, "twice": 0, "strangers": 0}
    assert first.get_json()["row"]["key"] == f"piece-{pieces[0].id}"
    assert events_of(db_session, pieces[0], "receive_back") == 1
    twice = client.post(url, json={"code": pieces[0].code}, headers=JSON).get_json()
    assert twice["outcome"] == "warning" and twice["counts"]["twice"] == 1
    wrong = client.post(url, json={"code": stranger.code}, headers=JSON).get_json()
    assert wrong["outcome"] == "refused" and wrong["counts"]["strangers"] == 1 and "row" not in wrong
    db_session.expire_all()
    assert db_session.get(Piece, stranger.id).status == PieceStatus.REGISTERED


def test_the_repair_card_names_operations_in_both_languages_and_starts_parts_at_one(
    client, technician, received_piece, catalogue
):
    piece = received_piece()
    technician()
    client.post(f"/bench/pieces/{piece.id}/grade", data={"grade": "repairable"})
    page = client.get(f"/bench/pieces/{piece.id}").get_data(as_text=True)
    assert "<kbd>1</kbd> Restitch seam · 重新缝合 · RESTITCH" in page  # typing either name or the code finds it
    assert page.count('type="number" value="1"') == 3  # every part row's quantity starts at 1
    assert page.index('id="minutes"') < page.index('name="parts-0-part"') < page.index('id="note"')
    response = client.post(
        f"/bench/pieces/{piece.id}/repair",
        data={"operations": ["RESTITCH"], "minutes": "20", "parts-0-part": str(catalogue["BTN"].id)},
    )
    assert response.status_code == 302
    repair = db.session.get(Piece, piece.id).repairs[0]
    assert [(p.spare_part.code, p.quantity) for p in repair.parts] == [("BTN", 1)]


def test_the_dispatch_confirmation_counts_the_pieces_in_a_number_the_script_updates(client, login, desk, make_piece):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    scan_into_batch(client, piece.code)
    page = client.get("/store/batch").get_data(as_text=True)
    assert 'I have packed these <span data-count="batch">1</span> pieces and will put' in page
