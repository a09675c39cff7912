"""Corrections and the second trip through the API: the same rules, roles and scoping as the pages."""

from sqlalchemy import select

from app.models import Batch, Event, Piece
from app.services import batches, grading, returns, scanning
from app.services.settings import rules as current_rules
from tests.app.api_support import bearer, chain, dispatched, token_for  # noqa: F401 (fixtures)
from workshop.statuses import BatchStatus, Direction, Grade, PieceStatus


def registered(client, chain, token):
    response = client.post(
        "/api/v1/pieces",
        json={"product": "G10001", "defect": "Q01", "source": "customer_return", "size": "L"},
        headers=bearer(token),
    )
    assert response.status_code == 201
    return response.get_json()["id"]


def test_a_store_corrects_and_cancels_its_piece_with_a_reason(client, chain, db_session):
    token = token_for(chain.clerk)
    piece_id = registered(client, chain, token)
    body = {"product": "G10001", "defect": "N08", "source": "shelf", "size": "XL", "reason": "尺码登记错了"}
    response = client.post(f"/api/v1/pieces/{piece_id}/edit", json=body, headers=bearer(token))
    assert response.status_code == 200 and response.get_json()["size"] == "XL"
    assert response.get_json()["defect"]["code"] == "N08"
    refused = client.post(f"/api/v1/pieces/{piece_id}/cancel", json={}, headers=bearer(token))
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "reason"
    response = client.post(f"/api/v1/pieces/{piece_id}/cancel", json={"reason": "重复登记"}, headers=bearer(token))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    history = client.get(f"/api/v1/pieces/{piece_id}/history", headers=bearer(token)).get_json()["events"]
    assert [e["action"] for e in history][-2:] == ["edit", "cancel"]


def test_another_store_and_the_workshop_cannot_cancel_a_stores_piece(client, chain, db_session):
    piece_id = registered(client, chain, token_for(chain.clerk))
    other = client.post(
        f"/api/v1/pieces/{piece_id}/cancel", json={"reason": "x"}, headers=bearer(token_for(chain.other_clerk))
    )
    assert other.status_code == 404
    tech = client.post(f"/api/v1/pieces/{piece_id}/cancel", json={"reason": "x"}, headers=bearer(token_for(chain.tech)))
    assert tech.status_code == 403
    assert db_session.get(Piece, piece_id).status == PieceStatus.REGISTERED


def test_a_parcel_is_taken_back_and_a_check_reopened(client, chain, db_session):
    token = token_for(chain.clerk)
    piece = db_session.get(Piece, registered(client, chain, token))
    batch = dispatched(chain.clerk, chain.store, [piece])
    response = client.post(f"/api/v1/batches/{batch.id}/take-back", json={"reason": "快递没来"}, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["taken_back"]["status"] == "taken_back" and answer["open_batch"]["pieces"][0]["id"] == piece.id
    again = batches.open_batch(chain.store, Direction.OUTBOUND)
    batches.dispatch_batch(chain.clerk, again, current_rules(), carrier="顺丰速运", tracking_no="SF2")
    scanning.start_check(chain.tech, again)
    scanning.close_check(chain.tech, again)
    db_session.commit()
    tech = token_for(chain.tech)
    response = client.post(f"/api/v1/batches/{again.id}/reopen", json={"reason": "还有一箱"}, headers=bearer(tech))
    assert response.status_code == 200 and response.get_json()["status"] == "checking"
    assert db_session.get(Piece, piece.id).status == PieceStatus.IN_TRANSIT
    # The store may not reopen the workshop's check, and a check being checked is not taken back.
    store_try = client.post(f"/api/v1/batches/{again.id}/take-back", json={"reason": "x"}, headers=bearer(token))
    assert store_try.status_code == 409
    assert db_session.get(Batch, again.id).status == BatchStatus.CHECKING


def test_the_workshop_undoes_a_receive_and_a_grade_and_the_store_sends_the_piece_in_again(client, chain, db_session):
    token = token_for(chain.clerk)
    piece = db_session.get(Piece, registered(client, chain, token))
    batch = dispatched(chain.clerk, chain.store, [piece])
    scanning.start_check(chain.tech, batch)
    scanning.receive_scan(chain.tech, batch, piece.code)
    db_session.commit()
    tech = token_for(chain.tech)
    response = client.post(f"/api/v1/pieces/{piece.id}/undo-receive", json={"reason": "扫错"}, headers=bearer(tech))
    assert response.status_code == 200 and response.get_json()["status"] == "in_transit"
    scanning.receive_scan(chain.tech, batch, piece.code)
    grading.grade_piece(chain.tech, piece, Grade.NO_FAULT, current_rules())
    db_session.commit()
    response = client.post(f"/api/v1/pieces/{piece.id}/undo-grade", json={"reason": "按错"}, headers=bearer(tech))
    assert response.status_code == 200 and response.get_json()["status"] == "received"
    refused = client.post(f"/api/v1/pieces/{piece.id}/undo-grade", json={"reason": "再来"}, headers=bearer(tech))
    assert refused.status_code == 409 and "its grade can no longer be undone" in refused.get_json()["error"]["message"]
    # The whole trip, then the customer brings it back: trip 2 of the same piece.
    grading.grade_piece(chain.tech, piece, Grade.NO_FAULT, current_rules())
    back = batches.open_or_create_batch(chain.tech, chain.store, Direction.RETURN)
    returns.pack_return(chain.tech, back, piece)
    returns.dispatch_return(chain.tech, back, carrier="顺丰速运", tracking_no="SF3")
    returns.receive_back_scan(chain.clerk, back, piece.code, current_rules())
    db_session.commit()
    response = client.post(
        f"/api/v1/pieces/{piece.id}/send-again", json={"defect": "N08", "description": "又脏了"}, headers=bearer(token)
    )
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["trip"], response.get_json()["status"]) == (2, "registered")
    other = client.post(
        f"/api/v1/pieces/{piece.id}/send-again", json={"defect": "N08"}, headers=bearer(token_for(chain.other_clerk))
    )
    assert other.status_code == 404
    reopen = db_session.scalars(select(Event).where(Event.piece_id == piece.id, Event.action == "reopen")).one()
    assert reopen.data["trip"] == 2
