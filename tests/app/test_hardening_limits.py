"""Limits that hold: a per-account log-in limit besides the per-address one, and counters
that every worker shares (Redis), so the limits are the same however many workers run."""

import os
import uuid

import pytest

from app import create_app
from app.extensions import db, limiter
from tests.app.conftest import PASSWORD
from tests.conftest import IN_CI

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/6")


def redis_or_skip() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        message = f"Redis is not reachable at {REDIS_URL}: apt-get install redis-server"
        if IN_CI:
            pytest.fail(message + " (CI requires it)")
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture()
def make_limited_app(app):
    made = []

    def make(**config):
        fresh = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-only-secret",
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "memory://",
                **config,
            }
        )
        made.append(fresh)
        return fresh

    yield make
    limiter.enabled = False
    for fresh in made:
        with fresh.app_context():
            db.session.remove()
            db.engine.dispose()


def log_in(app, username, password, address):
    return app.test_client().post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_an_account_is_locked_after_refused_log_ins_from_many_addresses_but_not_its_neighbours(
    make_limited_app, make_user, db_session
):
    limited = make_limited_app(LOGIN_ACCOUNT_LIMIT="3 per 15 minutes", LOGIN_ADDRESS_LIMIT="100 per minute")
    limiter.reset()
    target, neighbour = make_user("technician"), make_user("technician")
    for n in range(3):
        assert log_in(limited, target.username, "guess-" + str(n), f"198.51.100.{n}").status_code == 200
    # The right password from yet another address: the account waits.
    assert log_in(limited, target.username, PASSWORD, "198.51.100.99").status_code == 429
    assert log_in(limited, target.username.upper(), PASSWORD, "198.51.100.98").status_code == 429
    assert log_in(limited, neighbour.username, PASSWORD, "198.51.100.0").status_code == 302


def _bad_token_answers(app, n, address="192.0.2.10"):
    client = app.test_client()
    return [
        client.get(
            "/api/v1/me", headers={"Authorization": "Bearer wst_bad"}, environ_base={"REMOTE_ADDR": address}
        ).status_code
        for _ in range(n)
    ]


def test_two_workers_on_redis_count_the_same_refusals_where_memory_counts_per_worker(make_limited_app, db_session):
    url = redis_or_skip()
    prefix = "test-" + uuid.uuid4().hex[:8]
    # Two processes' limiters: each app below binds the limiter to a new storage client, as
    # a second worker would. In memory, the second starts from zero.
    first = make_limited_app(API_AUTH_FAILURE_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX=prefix)
    assert _bad_token_answers(first, 2) == [401, 401]
    second = make_limited_app(API_AUTH_FAILURE_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX=prefix)
    assert _bad_token_answers(second, 2) == [401, 401]  # per worker: six guesses for a limit of three

    prefix = "test-" + uuid.uuid4().hex[:8]
    first = make_limited_app(
        API_AUTH_FAILURE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix
    )
    assert _bad_token_answers(first, 2) == [401, 401]
    second = make_limited_app(
        API_AUTH_FAILURE_LIMIT="3 per minute", RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix
    )
    assert _bad_token_answers(second, 2) == [401, 429]


def test_production_refuses_to_start_with_per_worker_rate_limit_counters(monkeypatch, tmp_path):
    from app.config import ConfigError

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        create_app()
