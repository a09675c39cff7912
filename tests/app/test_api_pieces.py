"""Pieces through the API: listing with filters and a cursor, registering one or many with
Idempotency-Key, history, photos; errors are JSON with a code, in the caller's language."""

import io
import threading
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, IdempotencyRecord, Piece
from tests.app.api_support import bearer, chain, new_piece, token_for  # noqa: F401 (fixtures)


def test_a_store_registers_a_piece_and_reads_it_back_with_iso_times(client, chain, db_session):
    clear = token_for(chain.clerk)
    response = client.post("/api/v1/pieces", json=new_piece(), headers=bearer(clear))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "registered" and body["store"]["id"] == chain.store.id
    assert body["code"].startswith("P") and len(body["code"]) == 10
    assert body["registered_at"].endswith("+00:00")
    datetime.fromisoformat(body["registered_at"])
    assert body["warning"] is None
    read = client.get(f"/api/v1/pieces/{body['id']}", headers=bearer(clear)).json
    assert read["product"]["style_code"] == "G10001" and read["defect"]["code"] == "Q01"
    history = client.get(f"/api/v1/pieces/{body['id']}/history", headers=bearer(clear)).json
    assert [e["action"] for e in history["events"]] == ["register"]
    assert history["events"][0]["at"].endswith("+00:00")


def test_a_retried_registration_with_the_same_key_returns_the_first_piece_and_registers_once(client, chain, db_session):
    clear = token_for(chain.clerk)
    headers = {**bearer(clear), "Idempotency-Key": "till-1-receipt-0042"}
    first = client.post("/api/v1/pieces", json=new_piece(), headers=headers)
    again = client.post("/api/v1/pieces", json=new_piece(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert db_session.scalar(select(func.count()).select_from(Piece)) == 1
    assert db_session.scalar(select(func.count()).select_from(Event)) == 1


def test_the_same_key_with_another_body_is_refused(client, chain, db_session):
    clear = token_for(chain.clerk)
    headers = {**bearer(clear), "Idempotency-Key": "k-1"}
    assert client.post("/api/v1/pieces", json=new_piece(), headers=headers).status_code == 201
    other = client.post("/api/v1/pieces", json=new_piece(size="XL"), headers=headers)
    assert other.status_code == 422
    assert other.json["error"]["code"] == "idempotency_key_reused"
    assert db_session.scalar(select(func.count()).select_from(Piece)) == 1


def test_keys_belong_to_their_user(client, chain, db_session, make_user):
    colleague = make_user("store", store=chain.store)
    headers = {"Idempotency-Key": "same"}
    a = client.post("/api/v1/pieces", json=new_piece(), headers={**bearer(token_for(chain.clerk)), **headers})
    b = client.post("/api/v1/pieces", json=new_piece(), headers={**bearer(token_for(colleague)), **headers})
    assert a.json["id"] != b.json["id"]
    assert db_session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 2


def test_a_refused_registration_is_not_remembered_so_a_corrected_retry_works(client, chain, db_session):
    clear = token_for(chain.clerk)
    headers = {**bearer(clear), "Idempotency-Key": "k-2"}
    refused = client.post("/api/v1/pieces", json=new_piece(source="delivery"), headers=headers)
    assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid"
    ok = client.post("/api/v1/pieces", json=new_piece(source="delivery"), headers=headers)
    assert ok.status_code == 422  # the same refusal again: nothing was done, nothing remembered
    assert db_session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


def test_bulk_registration_is_all_or_nothing_and_names_the_refused_piece(client, chain, db_session):
    clear = token_for(chain.clerk)
    bad = client.post(
        "/api/v1/pieces/bulk", json={"pieces": [new_piece(), new_piece(product="NOPE")]}, headers=bearer(clear)
    )
    assert bad.status_code == 422
    assert bad.json["error"] == {
        "code": "unknown_product",
        "message": "No product has the style code NOPE.",
        "field": "pieces[1].product",
    }
    assert db_session.scalar(select(func.count()).select_from(Piece)) == 0
    good = client.post(
        "/api/v1/pieces/bulk",
        json={"pieces": [new_piece(), new_piece(size="M")]},
        headers={**bearer(clear), "Idempotency-Key": "bulk-1"},
    )
    assert good.status_code == 201 and len(good.json["items"]) == 2
    replay = client.post(
        "/api/v1/pieces/bulk",
        json={"pieces": [new_piece(), new_piece(size="M")]},
        headers={**bearer(clear), "Idempotency-Key": "bulk-1"},
    )
    assert replay.json == good.json
    assert db_session.scalar(select(func.count()).select_from(Piece)) == 2


def test_only_store_staff_register(client, chain):
    response = client.post("/api/v1/pieces", json=new_piece(), headers=bearer(token_for(chain.tech)))
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_the_list_filters_by_status_and_date_and_pages_with_a_cursor(client, chain, make_piece, db_session):
    old = make_piece(store=chain.store, user=chain.clerk, at=datetime(2026, 1, 5, 2, tzinfo=UTC))
    made = [make_piece(store=chain.store, user=chain.clerk) for _ in range(4)]
    make_piece(store=chain.other_store, user=chain.other_clerk)
    clear = token_for(chain.clerk)
    first = client.get("/api/v1/pieces?size=3", headers=bearer(clear)).json
    assert [p["id"] for p in first["items"]] == [made[3].id, made[2].id, made[1].id]
    second = client.get(f"/api/v1/pieces?size=3&cursor={first['next_cursor']}", headers=bearer(clear)).json
    assert [p["id"] for p in second["items"]] == [made[0].id, old.id]
    assert second["next_cursor"] is None
    january = client.get(
        "/api/v1/pieces?registered_from=2026-01-05&registered_to=2026-01-05", headers=bearer(clear)
    ).json
    assert [p["id"] for p in january["items"]] == [old.id]
    assert client.get("/api/v1/pieces?status=in_transit", headers=bearer(clear)).json["items"] == []
    assert len(client.get("/api/v1/pieces?status=registered", headers=bearer(clear)).json["items"]) == 5


@pytest.mark.parametrize("query", ["size=201", "size=0", "status=lost", "registered_from=yesterday", "cursor=-1"])
def test_bad_list_parameters_are_a_422_naming_the_parameter(client, chain, query):
    response = client.get(f"/api/v1/pieces?{query}", headers=bearer(token_for(chain.clerk)))
    assert response.status_code == 422
    assert response.json["error"]["field"] == query.split("=")[0]


def test_a_body_that_is_not_json_is_refused_in_json(client, chain):
    clear = token_for(chain.clerk)
    assert client.post("/api/v1/pieces", data="product=G1", headers=bearer(clear)).status_code == 415
    response = client.post("/api/v1/pieces", data="[1, 2", content_type="application/json", headers=bearer(clear))
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


def test_unknown_addresses_and_methods_under_the_api_answer_in_json(client, chain):
    clear = token_for(chain.clerk)
    missing = client.get("/api/v1/nothing-here", headers=bearer(clear))
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = client.put("/api/v1/pieces", headers=bearer(clear))
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_a_photo_is_added_through_the_store_desks_photo_service(client, chain, make_piece):
    piece = make_piece(store=chain.store, user=chain.clerk)
    clear = token_for(chain.clerk)
    response = client.post(
        f"/api/v1/pieces/{piece.id}/photos", data={"photo": (io.BytesIO(png()), "a.png")}, headers=bearer(clear)
    )
    assert response.status_code == 201, response.json
    assert response.json["photos"][0]["content_type"] == "image/jpeg"  # sent as PNG, kept as JPEG
    refused = client.post(
        f"/api/v1/pieces/{piece.id}/photos",
        data={"photo": (io.BytesIO(b"not an image"), "a.png")},
        headers=bearer(clear),
    )
    assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid"


def test_errors_speak_the_requests_language_whatever_the_users_saved_one(client, chain):
    clear = token_for(chain.clerk)  # the clerk's saved language is English
    english = client.get("/api/v1/pieces/999999", headers=bearer(clear, "en"))
    chinese = client.get("/api/v1/pieces/999999", headers=bearer(clear, "zh-CN"))
    assert english.json["error"]["code"] == chinese.json["error"]["code"] == "not_found"
    assert english.json["error"]["message"].startswith("There is nothing here")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.json["error"]["message"])


def test_a_domain_refusal_is_translated_with_its_stable_code(client, chain, make_piece):
    piece = make_piece(store=chain.store, user=chain.clerk)
    clear = token_for(chain.tech)
    for language in ("en", "zh-CN"):
        response = client.post(
            f"/api/v1/pieces/{piece.id}/grade", json={"grade": "no_fault"}, headers=bearer(clear, language)
        )
        assert response.status_code == 409
        assert response.json["error"]["code"] == "invalid_transition"
    assert piece.code in response.json["error"]["message"]


def test_an_id_beyond_the_databases_integers_is_a_404_not_an_overflow(client, chain):
    response = client.get("/api/v1/pieces/99999999999999", headers=bearer(token_for(chain.clerk)))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_the_same_key_sent_by_four_clients_at_once_registers_one_piece(app, chain, db_session):
    clear = token_for(chain.clerk)
    db_session.commit()
    headers = {**bearer(clear), "Idempotency-Key": "till-7-retry-storm"}
    answers, start = [], threading.Barrier(4)

    def post():
        client = FlaskClient(app)
        with app.app_context():  # each request its own context and session, as in production
            start.wait()
            response = client.post("/api/v1/pieces", json=new_piece(), headers=headers)
            answers.append((response.status_code, response.get_data(as_text=True)))
            db.session.remove()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [status for status, _ in answers] == [201] * 4
    assert len({body for _, body in answers}) == 1
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Piece)) == 1


def test_a_date_filter_at_the_edge_of_the_calendar_is_refused_not_a_server_error(client, make_user):
    # Found by schemathesis against the live server: year 1 cannot become a point in time.
    from tests.app.api_support import bearer, token_for

    headers = bearer(token_for(make_user("technician")))
    for query in ("registered_from=0001-01-01", "registered_to=9999-12-31"):
        response = client.get(f"/api/v1/pieces?{query}", headers=headers)
        assert response.status_code == 422 and response.json["error"]["code"] == "invalid"


def test_a_nul_character_in_json_text_is_refused_with_its_field(client, make_user, make_store):
    from tests.app.api_support import bearer, token_for

    headers = bearer(token_for(make_user("store", store=make_store())))
    response = client.post(
        "/api/v1/pieces/bulk",
        json={"pieces": [{"product": "t\x00", "defect": "Q01", "source": "shelf"}]},
        headers=headers,
    )
    assert response.status_code == 422
    assert "cannot be stored" in response.json["error"]["message"]
