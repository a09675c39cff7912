"""No server error from input: the findings of the attack, one by one (the fuzz test in
test_html_fuzz.py covers every route in general)."""

import time
from decimal import Decimal

import pytest

from app import inputs
from app.services import bulk_import
from tests.app.api_support import bearer, chain, token_for  # noqa: F401 (fixtures)


@pytest.mark.parametrize(
    "path",
    [
        "/store/?page=99999999999999999999999",
        "/bench/deadlines?page=99999999999999999999999",
        "/finance/claims?page=99999999999999999999999",
        "/admin/stores/?page=99999999999999999999999",
        "/finance/?stores_page=99999999999999999999999",
    ],
)
def test_a_huge_page_number_is_an_empty_page_not_a_server_error(client, make_user, make_store, login, path):
    role = {"store": "store", "bench": "technician", "finance": "finance", "admin": "admin"}[path.split("/")[1]]
    login(make_user(role, store=make_store() if role == "store" else None))
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("text", ["1e309", "Infinity", "-Infinity", "NaN", "1E+5", "1e5", "0x10", "12.345", "1,0,0"])
def test_money_is_a_plain_decimal_only(text):
    with pytest.raises(ValueError):
        inputs.parse_money(text)


def test_money_within_bounds_is_read_exactly():
    assert inputs.parse_money("100000.00") == Decimal("100000.00")
    assert inputs.parse_money("-12.5") == Decimal("-12.5")
    with pytest.raises(ValueError):
        inputs.parse_money("100000000.00")


@pytest.mark.parametrize("text", ["0000-01", "10000-01", "1999-12", "2100-01", "2026-13", "2026-00", "2026-1"])
def test_months_outside_2000_to_2099_are_refused(text):
    with pytest.raises(ValueError):
        inputs.parse_month(text)


def test_finance_refuses_months_outside_the_range_with_404(client, make_user, login):
    login(make_user("finance"))
    assert client.get("/finance/?month=2026-11").status_code == 200
    for month in ("0000-01", "10000-01", "2100-01"):
        assert client.get(f"/finance/?month={month}").status_code == 404
        assert client.get(f"/finance/{month}/supplier").status_code == 404


def test_an_adjustment_of_1e309_infinity_or_1e_plus_5_is_refused_by_the_form(client, make_user, login):
    login(make_user("finance"))
    for amount in ("1e309", "Infinity", "NaN", "1E+5"):
        response = client.post(
            "/finance/adjustments/new", data={"blame": "hq", "amount": amount, "reason": "fuzz", "confirm": "y"}
        )
        assert response.status_code in (200, 422), amount
        assert "Give an amount like 12.50" in response.get_data(as_text=True), amount


def test_the_api_reads_1e_plus_5_as_no_amount_at_all(client, chain, make_piece):
    token = token_for(chain.clerk)
    batch_id = client.post("/api/v1/batches/open", headers=bearer(token)).json["id"]
    piece = make_piece(store=chain.store, user=chain.clerk)
    client.post(f"/api/v1/batches/{batch_id}/pieces", json={"piece_id": piece.id}, headers=bearer(token))
    for fee in ("1E+5", "1e309", "Infinity", "NaN"):
        response = client.post(
            f"/api/v1/batches/{batch_id}/dispatch",
            json={"carrier": "顺丰速运", "shipping_fee": fee},
            headers=bearer(token),
        )
        assert response.status_code == 422 and response.json["error"]["field"] == "shipping_fee", fee


def test_deeply_nested_json_is_refused_with_400_on_the_api_and_the_pages(client, chain, make_user, login):
    deep = "[" * 100_000 + "]" * 100_000
    answer = client.post(
        "/api/v1/scan", data=deep, content_type="application/json", headers=bearer(token_for(chain.tech))
    )
    assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_request"
    nested = {"code": "x"}
    for _ in range(100):
        nested = {"code": nested}
    answer = client.post("/api/v1/scan", json=nested, headers=bearer(token_for(chain.tech)))
    assert answer.status_code == 400
    login(chain.tech)
    assert client.post("/bench/scan.json", data=deep, content_type="application/json").status_code == 400


def test_a_json_body_over_two_megabytes_is_refused_before_it_is_parsed(client, chain):
    body = "[" + ",".join(["1"] * 1_200_000) + "]"
    answer = client.post(
        "/api/v1/scan", data=body, content_type="application/json", headers=bearer(token_for(chain.tech))
    )
    assert answer.status_code == 413 and answer.json["error"]["code"] == "too_large"


def test_an_id_beyond_any_database_integer_is_a_404(client, make_user, login):
    login(make_user("technician"))
    for path in ("/pieces/99999999999999999999", "/batches/9223372036854775808", "/bench/pieces/2147483648"):
        assert client.get(path).status_code == 404


def test_a_five_megabyte_file_of_empty_lines_is_refused_at_once(client, make_user, login, make_store):
    login(make_user("store", store=make_store()))
    empty_lines = b"\n" * (5 * 1024 * 1024)
    # The multipart body made here: the test client would spool 5 MB to a file it never closes.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="pieces.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + empty_lines + b"\r\n--b--\r\n"
    )
    response = client.post("/store/import", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 422
    assert "At most 1000 pieces per file" in response.get_data(as_text=True)


def test_an_upload_larger_than_its_page_takes_is_refused_before_it_is_read(client, make_user, login, make_store):
    login(make_user("store", store=make_store()))
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n' + b"x" * (7 * 1024 * 1024)
    response = client.post(
        "/store/import", data=body + b"\r\n--b--\r\n", content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 413
    assert "this page takes at most 6 MB" in response.get_data(as_text=True)
    # Any other form takes at most 2 MB, and the page says so.
    response = client.post("/profile/tokens", data={"name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "this page takes at most 2 MB" in response.get_data(as_text=True)


def test_a_file_of_too_many_rows_is_refused_before_it_is_read_whole():
    rows = b"\n".join(b"G1,D1,shelf" for _ in range(bulk_import.MAX_READ_ROWS + 5))
    with pytest.raises(bulk_import.RuleViolation):
        bulk_import.read_table("x.csv", b"Style code,Defect code,Source\n" + rows)
