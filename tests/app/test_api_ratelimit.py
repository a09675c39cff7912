"""Rate limits on the API (Flask-Limiter): per token, and per address for refused tokens.
The other tests run with limits off; this one builds its own app with them on."""

import pytest

from app import create_app
from app.extensions import db, limiter
from tests.app.api_support import bearer, chain, token_for  # noqa: F401 (fixtures)
from tests.app.conftest import PASSWORD


@pytest.fixture()
def limited_app(app):
    fresh = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-secret",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "CHAIN_TIMEZONE": "Asia/Shanghai",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            "API_RATE_LIMIT": "3 per minute",
            "API_AUTH_FAILURE_LIMIT": "2 per minute",
        }
    )
    try:
        yield fresh
    finally:
        # The limiter is one object for every app: leave it off for the rest of the run.
        limiter.reset()
        limiter.enabled = False
        with fresh.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_token_is_slowed_after_its_limit_and_a_token_guesser_after_two_refusals(limited_app, chain, db_session):
    good = token_for(chain.clerk)
    other = token_for(chain.other_clerk)
    db_session.commit()
    client = limited_app.test_client()
    # One budget for the whole API, whichever addresses the token calls.
    answers = [
        client.get(url, headers=bearer(good)).status_code
        for url in ("/api/v1/me", "/api/v1/pieces", "/api/v1/batches", "/api/v1/me")
    ]
    assert answers == [200, 200, 200, 429]
    slowed = client.get("/api/v1/me", headers=bearer(good))
    assert slowed.is_json and slowed.json["error"]["code"] == "rate_limited"
    assert "Retry-After" in slowed.headers
    # Another token is counted on its own.
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200
    guesses = [
        client.get(url, headers=bearer("wst_guess_" + str(n))).status_code
        for n, url in enumerate(("/api/v1/me", "/api/v1/pieces", "/api/v1/batches"))
    ]
    assert guesses == [401, 401, 429]


def test_forty_bad_tokens_from_one_address_never_slow_a_valid_token_or_browser_there(limited_app, chain, db_session):
    limited_app.config["API_RATE_LIMIT"] = "100 per minute"
    good = token_for(chain.clerk)
    db_session.commit()
    shop_router = {"REMOTE_ADDR": "203.0.113.7"}
    broken = limited_app.test_client()
    answers = [
        broken.get("/api/v1/me", headers=bearer(f"wst_broken_{n}"), environ_base=shop_router).status_code
        for n in range(40)
    ]
    assert answers[:2] == [401, 401] and set(answers[2:]) == {429}
    scanner = limited_app.test_client()
    assert scanner.get("/api/v1/me", headers=bearer(good), environ_base=shop_router).status_code == 200
    browser = limited_app.test_client()
    assert (
        browser.post(
            "/login", data={"username": chain.tech.username, "password": PASSWORD}, environ_base=shop_router
        ).status_code
        == 302
    )
    assert browser.get("/api/v1/me", environ_base=shop_router).status_code == 200
    # The broken integration itself stays slowed.
    refused = broken.get("/api/v1/me", headers=bearer("wst_broken_again"), environ_base=shop_router)
    assert refused.status_code == 429 and refused.json["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
