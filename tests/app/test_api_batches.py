"""Batches, the workshop and the scan endpoint through the API — the same services as the
pages, so the same rules answer."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.models import Batch, Claim, Event, Piece
from tests.app.api_support import bearer, chain, dispatched, token_for  # noqa: F401 (fixtures)
from workshop.statuses import BatchStatus, PieceStatus


def test_a_store_opens_fills_and_dispatches_its_weekly_batch(client, chain, make_piece, db_session):
    pieces = [make_piece(store=chain.store, user=chain.clerk) for _ in range(2)]
    auth = bearer(token_for(chain.clerk))
    opened = client.post("/api/v1/batches/open", headers=auth)
    assert opened.status_code == 201 and opened.json["status"] == "open"
    assert client.post("/api/v1/batches/open", headers=auth).json["id"] == opened.json["id"]
    batch_id = opened.json["id"]
    for piece in pieces:
        added = client.post(f"/api/v1/batches/{batch_id}/pieces", json={"piece_id": piece.id}, headers=auth)
        assert added.status_code == 200, added.json
    removed = client.delete(f"/api/v1/batches/{batch_id}/pieces/{pieces[1].id}", headers=auth)
    assert [p["id"] for p in removed.json["pieces"]] == [pieces[0].id]
    headers = {**auth, "Idempotency-Key": "dispatch-w48"}
    sent = client.post(
        f"/api/v1/batches/{batch_id}/dispatch", json={"carrier": "顺丰速运", "tracking_no": "SF1"}, headers=headers
    )
    assert sent.status_code == 200, sent.json
    assert sent.json["status"] == "dispatched" and sent.json["dispatched_at"].endswith("+00:00")
    again = client.post(
        f"/api/v1/batches/{batch_id}/dispatch", json={"carrier": "顺丰速运", "tracking_no": "SF1"}, headers=headers
    )
    assert again.json == sent.json and again.headers["Idempotent-Replayed"] == "true"
    dispatches = (
        select(func.count())
        .select_from(Event)
        .where(Event.batch_id == batch_id, Event.piece_id.is_(None), Event.action == "batch_dispatch")
    )
    assert db_session.scalar(dispatches) == 1
    without_key = client.post(f"/api/v1/batches/{batch_id}/dispatch", json={"carrier": "x"}, headers=auth)
    assert without_key.status_code in (409, 422) and without_key.is_json  # refused by the services, not done twice
    assert db_session.scalar(dispatches) == 1


def test_a_piece_of_another_store_cannot_go_into_a_batch(client, chain, make_piece):
    stranger = make_piece(store=chain.other_store, user=chain.other_clerk)
    auth = bearer(token_for(chain.clerk))
    batch_id = client.post("/api/v1/batches/open", headers=auth).json["id"]
    response = client.post(f"/api/v1/batches/{batch_id}/pieces", json={"piece_id": stranger.id}, headers=auth)
    assert response.status_code == 404 and response.json["error"]["field"] == "piece_id"


def test_the_workshop_receives_grades_repairs_and_sends_back_through_the_api(client, chain, make_piece, db_session):
    pieces = [make_piece(store=chain.store, user=chain.clerk) for _ in range(3)]
    batch = dispatched(chain.clerk, chain.store, pieces)
    auth = bearer(token_for(chain.tech))
    first = client.post(f"/api/v1/batches/{batch.id}/receive", json={"code": pieces[0].code}, headers=auth).json
    assert (first["outcome"], first["code"]) == ("ok", "received")
    assert first["counts"] == {"expected": 3, "received": 1, "missing": 2, "unexpected": 0}
    twice = client.post(f"/api/v1/batches/{batch.id}/receive", json={"code": pieces[0].code}, headers=auth).json
    assert (twice["outcome"], twice["code"]) == ("warning", "already_received")
    bad = client.post(f"/api/v1/batches/{batch.id}/receive", json={"code": "P12345678X"}, headers=auth)
    # A refusal is a 4xx now (it was 200 with outcome refused), its code in the body twice.
    assert bad.status_code == 422
    assert (bad.json["outcome"], bad.json["code"], bad.json["error"]["code"]) == (
        "refused",
        "invalid_code",
        "invalid_code",
    )
    client.post(f"/api/v1/batches/{batch.id}/receive", json={"code": pieces[1].code}, headers=auth)
    closed = client.post(f"/api/v1/batches/{batch.id}/close", headers=auth)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert closed.json["counts"]["missing"] == 1
    graded = client.post(f"/api/v1/pieces/{pieces[0].id}/grade", json={"grade": "repairable"}, headers=auth)
    assert graded.status_code == 200 and graded.json["status"] == "repairable"
    repaired = client.post(
        f"/api/v1/pieces/{pieces[0].id}/repair", json={"operations": ["SEW"], "minutes": 25}, headers=auth
    )
    assert repaired.status_code == 200 and repaired.json["status"] == "repaired"
    scrapped = client.post(
        f"/api/v1/pieces/{pieces[1].id}/grade", json={"grade": "scrap", "blame": "supplier"}, headers=auth
    )
    assert scrapped.status_code == 200, scrapped.json
    assert scrapped.json["scrap_cost"] == "360.00" and scrapped.json["blame"] == "supplier"
    packed = client.post("/api/v1/return-batches/pack", json={"piece_id": pieces[0].id}, headers=auth)
    assert packed.status_code == 200 and packed.json["direction"] == "return"
    back = client.post(f"/api/v1/batches/{packed.json['id']}/dispatch", json={"carrier": "顺丰速运"}, headers=auth)
    assert back.status_code == 200 and back.json["status"] == "dispatched"
    store_auth = bearer(token_for(chain.clerk))
    home = client.post(
        f"/api/v1/batches/{packed.json['id']}/receive", json={"code": pieces[0].code}, headers=store_auth
    ).json
    assert (home["outcome"], home["code"]) == ("ok", "received")
    assert db_session.get(Piece, pieces[0].id).status == PieceStatus.BACK_AT_STORE


def test_scrap_needs_a_blame_and_the_refusal_is_a_422_with_a_code(client, chain, make_piece):
    piece = make_piece(store=chain.store, user=chain.clerk)
    batch = dispatched(chain.clerk, chain.store, [piece])
    auth = bearer(token_for(chain.tech))
    client.post(f"/api/v1/batches/{batch.id}/receive", json={"code": piece.code}, headers=auth)
    response = client.post(f"/api/v1/pieces/{piece.id}/grade", json={"grade": "scrap"}, headers=auth)
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid"


def test_the_scan_endpoint_answers_as_the_bench_page_does(client, login, chain, make_piece, db_session):
    pieces = [make_piece(store=chain.store, user=chain.clerk) for _ in range(2)]
    batch = dispatched(chain.clerk, chain.store, pieces)
    auth = bearer(token_for(chain.tech))
    opened = client.post("/api/v1/scan", json={"code": batch.code}, headers=auth).json
    assert (opened["outcome"], opened["code"], opened["batch_id"]) == ("ok", "batch_opened", batch.id)
    api = client.post(
        "/api/v1/scan", json={"code": pieces[0].code, "batch_id": batch.id, "mode": "receive"}, headers=auth
    ).json
    assert (api["outcome"], api["code"], api["piece_id"]) == ("ok", "received", pieces[0].id)
    login(chain.tech)
    page = client.post("/bench/scan.json", json={"text": pieces[0].code, "batch_id": batch.id, "mode": "receive"}).json
    api_again = client.post("/api/v1/scan", json={"code": pieces[0].code, "batch_id": batch.id}, headers=auth).json
    for key in ("outcome", "code", "message", "counts"):
        assert page[key] == api_again[key]
    assert page["code"] == "already_received"
    wrong = client.post("/api/v1/scan", json={"code": pieces[1].code, "mode": "receive"}, headers=auth)
    assert wrong.status_code == 409  # the station is in the wrong state: scan the slip first
    assert (wrong.json["outcome"], wrong.json["code"]) == ("refused", "no_batch")
    closed = client.post("/api/v1/scan", json={"code": "CLOSE", "batch_id": batch.id}, headers=auth).json
    assert (closed["outcome"], closed["code"]) == ("ok", "closed")
    assert closed["counts"]["missing"] == 1
    assert db_session.get(Batch, batch.id).status == BatchStatus.CLOSED


def test_the_deadline_board_lists_running_clocks_earliest_first(client, chain, make_piece):
    early = make_piece(store=chain.store, user=chain.clerk)
    dispatched(chain.clerk, chain.store, [early], at=datetime.now(UTC) - timedelta(days=20))
    late = make_piece(store=chain.store, user=chain.clerk)
    dispatched(chain.clerk, chain.store, [late], at=datetime.now(UTC) - timedelta(days=1))
    board = client.get("/api/v1/deadlines", headers=bearer(token_for(chain.tech))).json
    assert [i["id"] for i in board["items"]] == [early.id, late.id]
    assert board["overdue"] == 1 and board["items"][0]["clock"] == "overdue" and board["items"][0]["days_left"] < 0
    overdue = client.get("/api/v1/deadlines?clock=overdue", headers=bearer(token_for(chain.tech))).json
    assert [i["id"] for i in overdue["items"]] == [early.id]
    other = client.get("/api/v1/deadlines", headers=bearer(token_for(chain.other_clerk))).json
    assert other["items"] == [] and other["overdue"] == 0


def test_finance_reads_a_months_figures_and_the_claims_with_money_as_strings(client, chain, make_piece, db_session):
    piece = make_piece(store=chain.store, user=chain.clerk)
    batch = dispatched(chain.clerk, chain.store, [piece])
    tech = bearer(token_for(chain.tech))
    client.post(f"/api/v1/batches/{batch.id}/receive", json={"code": piece.code}, headers=tech)
    scrapped = client.post(
        f"/api/v1/pieces/{piece.id}/grade", json={"grade": "scrap", "blame": "supplier"}, headers=tech
    )
    assert scrapped.status_code == 200
    month = db_session.get(Piece, piece.id).scrap_month
    month_text = f"{month // 100}-{month % 100:02d}"
    fin = bearer(token_for(chain.finance))
    figures = client.get(f"/api/v1/finance/months/{month_text}", headers=fin)
    assert figures.status_code == 200, figures.json
    assert figures.json["total"] == "360.00"
    assert figures.json["suppliers"][0]["scrap"] == "360.00"
    db_session.add(
        Claim(supplier_id=chain.product.supplier_id, month=month, amount=Decimal("360.00"), number=f"SC-{month}-0001")
    )
    db_session.commit()
    claims = client.get("/api/v1/finance/claims", headers=fin).json
    assert claims["items"][0]["amount"] == "360.00" and claims["items"][0]["month"] == month_text
    assert (claims["items"][0]["number"], claims["items"][0]["due_on"]) == (f"SC-{month}-0001", None)
    assert client.get("/api/v1/finance/months/2026-13", headers=fin).status_code == 404
    assert client.get(f"/api/v1/finance/months/{month_text}", headers=tech).status_code == 403


def test_scan_refusals_answer_4xx_by_kind_and_good_scans_200(client, chain, make_piece):
    piece = make_piece(store=chain.store, user=chain.clerk)
    elsewhere = make_piece(store=chain.other_store, user=chain.other_clerk)
    batch = dispatched(chain.clerk, chain.store, [piece])
    dispatched(chain.other_clerk, chain.other_store, [elsewhere])
    auth = bearer(token_for(chain.tech))

    def receive(code, batch_id=batch.id):
        response = client.post(f"/api/v1/batches/{batch_id}/receive", json={"code": code}, headers=auth)
        return response.status_code, response.json.get("code")

    assert receive(piece.code) == (200, "received")
    assert receive(piece.code) == (200, "already_received")  # twice is harmless: a warning
    assert receive(elsewhere.code) == (409, "wrong_batch")
    assert receive("P99999999" + "0") in {(404, "unknown_piece"), (422, "invalid_code")}
    assert receive("not a code") == (422, "invalid_code")
    store_auth = bearer(token_for(chain.clerk))
    mine = client.post(f"/api/v1/batches/{batch.id}/receive", json={"code": piece.code}, headers=store_auth)
    assert mine.status_code == 409 and mine.json["error"]["code"] == "wrong_direction"


def test_a_retried_scan_with_its_idempotency_key_is_applied_once(client, chain, make_piece, db_session):
    pieces = [make_piece(store=chain.store, user=chain.clerk) for _ in range(2)]
    batch = dispatched(chain.clerk, chain.store, pieces)
    auth = bearer(token_for(chain.tech))
    key = {"Idempotency-Key": "scan-0001"}
    first = client.post(f"/api/v1/batches/{batch.id}/receive", json={"code": pieces[0].code}, headers={**auth, **key})
    again = client.post(f"/api/v1/batches/{batch.id}/receive", json={"code": pieces[0].code}, headers={**auth, **key})
    assert first.status_code == again.status_code == 200
    assert first.json == again.json and again.json["code"] == "received"
    assert again.headers["Idempotent-Replayed"] == "true"
    events = db_session.scalars(select(Event).where(Event.piece_id == pieces[0].id, Event.action == "receive")).all()
    assert len(events) == 1
    # The scan station too: the same key replays, another body with it is refused.
    station = {**auth, "Idempotency-Key": "scan-0002"}
    body = {"code": pieces[1].code, "batch_id": batch.id}
    one = client.post("/api/v1/scan", json=body, headers=station)
    two = client.post("/api/v1/scan", json=body, headers=station)
    assert one.json == two.json and two.json["code"] == "received" and "Idempotent-Replayed" in two.headers
    reused = client.post("/api/v1/scan", json={**body, "mode": "pack"}, headers=station)
    assert reused.status_code == 422 and reused.json["error"]["code"] == "idempotency_key_reused"
    # A refusal is not remembered: asking again asks again.
    refused_key = {**auth, "Idempotency-Key": "scan-0003"}
    assert client.post("/api/v1/scan", json={"code": "nonsense"}, headers=refused_key).status_code == 422
    assert client.post("/api/v1/scan", json={"code": "nonsense"}, headers=refused_key).status_code == 422
