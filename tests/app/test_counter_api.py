"""三包 at the counter through the API: a customer's return registered with its purchase, the
counter's answer, the decision, the store's own repair; scoped and masked like the pages."""

from datetime import UTC, datetime

import pytest

from app.models import Piece
from tests.app.api_support import bearer, chain, new_piece, token_for  # noqa: F401 (fixtures)
from tests.app.store_support import set_now

NOW = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)
PURCHASE = {
    "sold_on": "2026-03-01",
    "price_paid": "899.00",
    "receipt_no": "SB-2026-000123",
    "worn": True,
    "customer_name": "张三丰",
    "customer_phone": "13812345678",
}


@pytest.fixture()
def registered(app, monkeypatch, client, chain):
    set_now(app, monkeypatch, NOW)
    clear = token_for(chain.clerk)
    response = client.post("/api/v1/pieces", json=new_piece(purchase=PURCHASE), headers=bearer(clear))
    assert response.status_code == 201, response.json
    return clear, response.json


def test_a_till_registers_a_customers_return_with_its_purchase(registered):
    _clear, body = registered
    record = body["customer_return"]
    assert record["sold_on"] == "2026-03-01" and record["price_paid"] == "899.00"
    assert record["category"] == "coat" and record["period_months"] == 6
    assert record["customer_name"] == "张三丰" and record["decision"] is None


def test_the_counter_answers_with_its_options_and_records_the_decision(client, registered, db_session):
    clear, body = registered
    url = f"/api/v1/pieces/{body['id']}/counter"
    found = client.get(url, headers=bearer(clear)).json
    assert [o["decision"] for o in found["options"]] == ["free_repair_workshop", "free_repair_store"]
    assert found["period_ends"] == "2026-09-01" and found["in_period"] is True
    assert found["options"][0]["label"] == "free repair, send to the workshop"

    refused = client.post(url, json={"decision": "free_repair_store"}, headers=bearer(clear))
    assert refused.status_code == 422 and "write why" in refused.json["error"]["message"]
    decided = client.post(url, json={"decision": "free_repair_workshop"}, headers=bearer(clear))
    assert decided.status_code == 200, decided.json
    assert decided.json["customer_return"]["decision"] == "free_repair_workshop"
    assert decided.json["piece"]["status"] == "registered"


@pytest.mark.parametrize(
    "purchase, field",
    [
        ({**PURCHASE, "sold_on": "2026-13-01"}, "purchase.sold_on"),
        ({**PURCHASE, "price_paid": "1e309"}, "purchase.price_paid"),
        ({**PURCHASE, "worn": "yes"}, "purchase.worn"),
        ({k: v for k, v in PURCHASE.items() if k != "receipt_no"}, "purchase.receipt_no"),
        ("2026-03-01", "purchase"),
    ],
)
def test_a_bad_purchase_is_refused_with_its_field_and_registers_nothing(client, chain, db_session, purchase, field):
    clear = token_for(chain.clerk)
    response = client.post("/api/v1/pieces", json=new_piece(purchase=purchase), headers=bearer(clear))
    assert response.status_code == 422
    assert response.json["error"]["field"] == field
    assert db_session.query(Piece).count() == 0


def test_a_repair_at_the_store_through_the_api_settles_the_piece(client, registered):
    clear, body = registered
    client.post(
        f"/api/v1/pieces/{body['id']}/counter",
        json={"decision": "free_repair_store", "reason": "店里能修"},
        headers=bearer(clear),
    )
    response = client.post(
        f"/api/v1/pieces/{body['id']}/store-repair", json={"operations": ["SEW"], "minutes": 20}, headers=bearer(clear)
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "settled_at_store"


def test_another_store_gets_404_and_a_region_manager_reads_the_customer_masked(client, chain, registered):
    _clear, body = registered
    other = token_for(chain.other_clerk)
    for method, path in (("get", "counter"), ("post", "counter"), ("post", "store-repair")):
        response = getattr(client, method)(
            f"/api/v1/pieces/{body['id']}/{path}", json={"decision": "refusal", "minutes": 5}, headers=bearer(other)
        )
        assert response.status_code == 404, (method, path)
    manager = token_for(chain.manager)
    record = client.get(f"/api/v1/pieces/{body['id']}/counter", headers=bearer(manager)).json["customer_return"]
    assert (record["customer_name"], record["customer_phone"]) == ("张**", "138****5678")
    refused = client.post(f"/api/v1/pieces/{body['id']}/counter", json={"decision": "refusal"}, headers=bearer(manager))
    assert refused.status_code == 403


def test_a_piece_without_a_purchase_has_no_counter_answer(client, chain, make_piece):
    piece = make_piece(store=chain.store, user=chain.clerk)
    response = client.get(f"/api/v1/pieces/{piece.id}/counter", headers=bearer(token_for(chain.clerk)))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found" and piece.code in response.json["error"]["message"]
