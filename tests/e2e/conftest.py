"""A real browser (Debian's chromium, driven by Playwright) against a real server.

The app runs in a thread of this process on a free localhost port, with its own fresh
database built by the real migrations and filled with the demo chain. Without chromium the
tests skip with the reason (and fail in CI).
"""

import os
import socket
from datetime import UTC, datetime
import threading
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server


HERE = Path(__file__).parent
SCREENSHOTS = HERE / "screenshots"
AXE = HERE / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


class Clock:
    """The server's clock: real time until a journey moves it (to close a month, say)."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment or datetime.now(UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite'}", None
    parsed = make_url(url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql+psycopg")
    name = f"{parsed.database}_e2e"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False), (admin, name)


def _journey_store() -> None:
    """A store of its own for the week's journey, with nothing in flight yet."""
    from app.extensions import db
    from app.models import Region, Store, User
    from sqlalchemy import select

    region = db.session.scalars(select(Region).where(Region.code == "EAST")).one()
    store = Store(code="SH009", name="上海静安寺店", region=region, address="上海市静安区南京西路 1618 号",
                  contact_name="周静", contact_phone="021-6288 0000")
    clerk = User(username="jingan", display_name="周静（静安寺店）", role="store", store=store)
    clerk.set_password("demo1234")
    db.session.add_all([store, clerk])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, chromium_path):
    from flask_migrate import upgrade

    from app import create_app, demo
    from app.extensions import db

    url, cleanup = _database_url(tmp_path_factory)
    clock = Clock()
    app = create_app({
        "NOW": clock,
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "e2e-only-secret", "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
        "CHAIN_TIMEZONE": "Asia/Shanghai", "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        demo.load()
        _journey_store()
        db.session.commit()
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base_url = f"http://127.0.0.1:{port}"
    server.clock = clock
    yield server
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    if cleanup:
        admin, name = cleanup
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def browser(playwright, chromium_path):
    browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


@pytest.fixture()
def new_page(browser, live_server):
    contexts = []

    def make(locale="zh-CN", viewport=DESKTOP, **kwargs):
        context = browser.new_context(locale=locale, viewport=viewport, base_url=live_server.base_url, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str = "demo1234") -> None:
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("button[type=submit].primary").click()
    page.wait_for_url("**/home")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_violations(page, impacts=("critical", "serious")) -> list[dict]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]
