"""The spare-parts API: the catalogue, a location's stock, a shelf's ledger, receiving."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import StockMovement
from app.services import stock
from tests.app.api_support import bearer, token_for
from tests.app.spares_support import make_part, receive_parts  # noqa: F401 (fixtures)


def test_receiving_through_the_api_and_reading_the_stock_and_the_ledger(client, make_user, make_part):
    zip5 = make_part()
    tech = make_user("technician")
    headers = bearer(token_for(tech))
    location = stock.workshop_location()
    db.session.commit()
    created = client.post(
        f"/api/v1/stock/locations/{location.id}/receipts",
        json={"delivery_note": "DN-1", "lines": [{"part_id": zip5.id, "quantity": 12, "unit_price": "2.50"}]},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["number"].startswith("JS") and created.get_json()["lines"][0]["unit_price"] == "2.50"
    page = client.get(f"/api/v1/stock/locations/{location.id}/parts", headers=headers).get_json()
    (row,) = page["items"]
    assert row["part"]["code"] == "ZIP-5" and row["part"]["name_en"] == "Zip no. 5"
    assert row["on_hand"] == 12 and row["average_cost"] == "2.5000" and row["value"] == "30.00"
    ledger = client.get(f"/api/v1/stock/locations/{location.id}/parts/{zip5.id}/movements", headers=headers).get_json()
    assert ledger["on_hand"] == 12 and [m["kind"] for m in ledger["items"]] == ["receive"]
    parts = client.get("/api/v1/parts?q=zip", headers=headers).get_json()
    assert [p["code"] for p in parts["items"]] == ["ZIP-5"]


def test_a_bad_receipt_is_refused_by_field_and_changes_nothing(client, make_user, make_part):
    zip5 = make_part()
    headers = bearer(token_for(make_user("technician")))
    location = stock.workshop_location()
    db.session.commit()
    for body, field in (
        ({"lines": []}, "lines"),
        ({"lines": [{"part_id": zip5.id, "quantity": 0, "unit_price": "1.00"}]}, "quantity"),
        ({"lines": [{"part_id": zip5.id, "quantity": 1}]}, "lines[0].unit_price"),
    ):
        answer = client.post(f"/api/v1/stock/locations/{location.id}/receipts", json=body, headers=headers)
        assert answer.status_code == 422 and answer.get_json()["error"]["field"] == field
    unknown = client.post(
        f"/api/v1/stock/locations/{location.id}/receipts",
        json={"lines": [{"part_id": 999999, "quantity": 1, "unit_price": "1.00"}]},
        headers=headers,
    )
    assert unknown.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 0


def test_a_store_token_sees_neither_the_workshops_stock_nor_may_it_receive(
    client, make_user, make_store, make_part, receive_parts
):
    zip5 = make_part()
    receive_parts({zip5: (5, "1.00")})
    location = stock.workshop_location()
    db.session.commit()
    headers = bearer(token_for(make_user("store", store=make_store())))
    assert client.get("/api/v1/stock/locations", headers=headers).get_json() == {"items": []}
    assert client.get(f"/api/v1/stock/locations/{location.id}/parts", headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/stock/locations/{location.id}/parts/{zip5.id}/movements", headers=headers).status_code
        == 404
    )
    refused = client.post(
        f"/api/v1/stock/locations/{location.id}/receipts",
        json={"lines": [{"part_id": zip5.id, "quantity": 1, "unit_price": "1.00"}]},
        headers=headers,
    )
    assert refused.status_code == 404
