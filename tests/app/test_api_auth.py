"""Personal API tokens: made on the profile page, shown once, stored hashed, refused at
once when revoked; a token never becomes a cookie session; cookie writes need CSRF."""

import hashlib

import pytest
from sqlalchemy import select

from app.models import ApiToken
from app.services import tokens
from tests.app.api_support import bearer, chain, token_for  # noqa: F401 (fixtures)


def test_a_token_made_on_the_profile_page_is_shown_once_and_stored_only_as_a_hash(client, login, chain, db_session):
    login(chain.clerk)
    response = client.post("/profile/tokens", data={"name": "till 1"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    clear = page.split('id="new-token">')[1].split("<")[0]
    assert clear.startswith("wst_") and len(clear) > 40
    assert response.headers["Cache-Control"] == "no-store"
    row = db_session.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(clear.encode()).hexdigest()
    assert clear not in {row.name, row.prefix, row.token_hash}
    assert clear.startswith(row.prefix)
    again = client.get("/profile").get_data(as_text=True)
    assert clear not in again and row.prefix in again
    me = client.get("/api/v1/me", headers=bearer(clear))
    assert me.status_code == 200 and me.json["username"] == chain.clerk.username


def test_a_revoked_token_is_refused_at_once(client, login, chain, db_session):
    clear = token_for(chain.clerk)
    assert client.get("/api/v1/pieces", headers=bearer(clear)).status_code == 200
    login(chain.clerk)
    token_id = db_session.scalars(select(ApiToken.id)).one()
    assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 302
    client.post("/logout")
    response = client.get("/api/v1/pieces", headers=bearer(clear))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_nobody_can_revoke_another_users_token(client, login, chain, db_session):
    token_for(chain.clerk)
    token_id = db_session.scalars(select(ApiToken.id)).one()
    login(chain.other_clerk)
    assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 404
    assert db_session.scalars(select(ApiToken)).one().revoked_at is None


@pytest.mark.parametrize(
    "header", ["Bearer wst_nothing_like_a_real_one", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500]
)
def test_a_wrong_or_missing_token_is_a_json_401(client, chain, header):
    response = client.get("/api/v1/pieces", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.is_json and response.json["error"]["code"] == "unauthorized"


def test_a_token_of_an_inactive_user_is_refused(client, chain, db_session):
    clear = token_for(chain.clerk)
    chain.clerk.active = False
    db_session.commit()
    assert client.get("/api/v1/me", headers=bearer(clear)).status_code == 401


def test_a_token_request_never_sets_a_session_cookie(client, chain):
    clear = token_for(chain.clerk)
    response = client.get("/api/v1/me", headers=bearer(clear))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is None
    # …and the next request without the token is not logged in.
    assert client.get("/api/v1/me").status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(client, chain, db_session):
    clear = token_for(chain.clerk)
    client.get("/api/v1/me", headers=bearer(clear))
    first = db_session.scalars(select(ApiToken)).one().last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=bearer(clear))
    db_session.expire_all()
    assert db_session.scalars(select(ApiToken)).one().last_used_at == first


def test_a_token_acts_with_its_users_role(client, chain):
    clear = token_for(chain.clerk)
    response = client.get("/api/v1/finance/claims", headers=bearer(clear))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_a_logged_in_browser_may_read_the_api_with_its_session(client, login, chain):
    login(chain.clerk)
    assert client.get("/api/v1/me").json["username"] == chain.clerk.username


def test_cookie_session_writes_to_the_api_need_a_csrf_token_but_token_writes_do_not(
    app, client, login, chain, monkeypatch
):
    clear = token_for(chain.clerk)
    login(chain.clerk)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = client.post("/api/v1/batches/open", json={})
    assert refused.status_code == 400 and refused.is_json
    client.post("/logout")
    accepted = client.post("/api/v1/batches/open", json={}, headers=bearer(clear))
    assert accepted.status_code == 201


def test_a_token_needs_a_name_and_the_service_refuses_an_empty_one(chain, db_session):
    from workshop.errors import RuleViolation

    with pytest.raises(RuleViolation):
        tokens.create_token(chain.clerk, "  ")


def test_a_refused_token_is_told_in_chinese_when_the_request_asks_for_it(client, chain):
    response = client.get("/api/v1/me", headers=bearer("wst_revoked_or_never_made", "zh-CN,zh;q=0.9,en;q=0.5"))
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    assert response.json["error"]["message"] == "此 API 令牌无效，或已被撤销。"
