"""Real servers for the alert tests: an SMTP server (aiosmtpd) on localhost, an HTTP receiver
standing in for the 企业微信 and 钉钉 robot endpoints (it checks DingTalk's signature the way
DingTalk does), and Redis database 5 for the queue."""

import base64
import email
import hashlib
import hmac
import json
import os
import socket
import threading
import time
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import IN_CI

# Its own Redis database (flushed around each test); CI gives each parallel run its own.
REDIS_URL = os.environ.get("ALERTS_REDIS_TEST_URL", "redis://127.0.0.1:6379/5")
BASE_URL = "https://workshop.chain.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """The aiosmtpd handler: every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture()
def inbox():
    from aiosmtpd.controller import Controller

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


class Receiver:
    """The robots' side: /wecom/<name> answers ok, /dingtalk/<name> checks the signature
    against ``secret``, /fail/<name> answers HTTP 500."""

    secret = "SECtest0123456789abcdef0123456789abcdef0123456789abcdef"

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.base_url = ""

    def to(self, path: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def answer(self, path: str, query: dict) -> tuple[int, dict]:
        if path.startswith("/fail"):
            return 500, {"errcode": -1, "errmsg": "server error"}
        if path.startswith("/dingtalk"):
            timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
            expected = base64.b64encode(
                hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256).digest()
            ).decode()
            fresh = timestamp.isdigit() and abs(int(timestamp) - time.time() * 1000) < 3600 * 1000
            if not (fresh and hmac.compare_digest(sign, expected)):
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
        return 200, {"errcode": 0, "errmsg": "ok"}


@pytest.fixture()
def receiver():
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            with found.lock:
                found.requests.append({"path": parts.path, "query": query, "body": body})
            status, answer = found.answer(parts.path, query)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found.base_url = f"http://127.0.0.1:{server.server_port}"
    yield found
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture()
def alerting(app, monkeypatch, inbox):
    """The app sends for real: mail to the local SMTP server, work done right after each commit."""
    for key, value in {
        "BACKGROUND": "inline",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": inbox.port,
        "MAIL_FROM": "workshop@chain.test",
        "BASE_URL": BASE_URL,
        "ALERT_SEND_TIMEOUT": 5,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return app


@pytest.fixture()
def redis_url():
    """Redis database 5, emptied; skipped with the reason when Redis is not there (failed in CI)."""
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisError as exc:
        message = f"Redis is unreachable at {REDIS_URL} ({exc}): start redis-server"
        if IN_CI:
            pytest.fail(message + " (CI requires it)")
        pytest.skip(message)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()
    connection.close()
