"""schemathesis against the live app's OpenAPI document, over HTTP, with its stateful phase:
no server error, no response the document does not promise, for a store clerk, a technician
and finance (each with a personal token)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import IN_CI
from tests.live import live_app

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
USERS = ("store", "tech", "finance")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not SCHEMATHESIS.exists():
        message = "schemathesis is not installed: pip install -e '.[test]'"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    clear_tokens = {}

    def tokens_for_demo_users():
        from app.extensions import db
        from app.models import User
        from app.services import tokens

        for username in USERS:
            user = db.session.scalars(select(User).where(User.username == username)).one()
            clear_tokens[username] = tokens.create_token(user, "schemathesis")[1]

    with live_app(tmp_path_factory.mktemp("api"), "live_api", prepare=tokens_for_demo_users) as server:
        yield server, clear_tokens


@pytest.mark.parametrize("username", USERS)
def test_schemathesis_finds_no_server_error_nor_an_undocumented_answer(served, username, tmp_path):
    server, clear_tokens = served
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{server.base_url}/api/v1/openapi.json",
            "-H",
            f"Authorization: Bearer {clear_tokens[username]}",
            "-H",
            "Accept-Language: en",
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance",
            "--max-examples",
            "25",
            "--generation-deterministic",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Stateful" in result.stdout
