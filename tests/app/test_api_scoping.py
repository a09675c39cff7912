"""A token of one store sees nothing of another store: every API address that takes a
piece's or a batch's id answers 404 (JSON) for another store's, whatever the method."""

import pytest

from tests.app.api_support import bearer, chain, dispatched, token_for  # noqa: F401 (fixtures)

ID_ARGUMENTS = {"piece_id", "batch_id"}


def id_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.") and set(r.arguments) & ID_ARGUMENTS]
    assert len(rules) >= 10  # the test must cover the API, not an empty list
    return rules


@pytest.mark.parametrize("who", ["clerk", "manager"])
def test_every_address_with_an_id_refuses_another_stores_piece_or_batch_with_a_json_404(
    app, client, chain, make_piece, who
):
    stranger = make_piece(store=chain.other_store, user=chain.other_clerk)
    batch = dispatched(chain.other_clerk, chain.other_store, [stranger])
    mine = make_piece(store=chain.store, user=chain.clerk)
    auth = bearer(token_for(getattr(chain, who)))
    checked = []
    for rule in id_rules(app):
        url = rule.build({"piece_id": stranger.id, "batch_id": batch.id}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(
                url, method=method, json={"piece_id": mine.id, "code": stranger.code, "grade": "no_fault"}, headers=auth
            )
            assert response.status_code == 404, (
                method,
                url,
                response.status_code,
                response.get_data(as_text=True)[:200],
            )
            assert response.is_json and response.json["error"]["code"] == "not_found"
            checked.append((method, rule.rule))
    assert len(checked) >= 10


def test_lists_filtered_by_another_store_are_empty(client, chain, make_piece):
    stranger = make_piece(store=chain.other_store, user=chain.other_clerk)
    dispatched(chain.other_clerk, chain.other_store, [stranger])
    auth = bearer(token_for(chain.clerk))
    for url in (
        f"/api/v1/pieces?store_id={chain.other_store.id}",
        "/api/v1/pieces",
        f"/api/v1/batches?store_id={chain.other_store.id}",
        "/api/v1/batches",
        f"/api/v1/deadlines?store_id={chain.other_store.id}",
    ):
        response = client.get(url, headers=auth)
        assert response.status_code == 200 and response.json["items"] == [], url


def test_a_technician_sees_every_store(client, chain, make_piece):
    stranger = make_piece(store=chain.other_store, user=chain.other_clerk)
    response = client.get(f"/api/v1/pieces/{stranger.id}", headers=bearer(token_for(chain.tech)))
    assert response.status_code == 200


def test_a_scan_of_another_stores_batch_reveals_nothing(client, chain, make_piece):
    stranger = make_piece(store=chain.other_store, user=chain.other_clerk)
    batch = dispatched(chain.other_clerk, chain.other_store, [stranger])
    response = client.post("/api/v1/scan", json={"code": batch.code}, headers=bearer(token_for(chain.clerk)))
    assert response.status_code == 404  # was 200 with outcome refused
    answer = response.json
    assert answer["outcome"] == "refused" and answer["code"] == "unknown_batch" and answer["batch_id"] is None
