"""The app served for real: a thread of this process on a free localhost port, on its own
fresh database (SQLite in a temporary folder, or a new PostgreSQL database beside the one
DATABASE_URL names) built by the migrations and filled with the demo chain."""

import os
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server


class Clock:
    """The server's clock: real time until a test moves it (to close a month, say)."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        return self.moment or datetime.now(UTC)


@contextmanager
def fresh_database(folder, suffix: str):
    """A new empty database: a SQLite file in ``folder``, or ``<test database>_<suffix>`` on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        yield f"sqlite:///{folder / (suffix + '.sqlite')}"
        return
    parsed = make_url(url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql+psycopg")
    name = f"{parsed.database}_{suffix}"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def live_app(folder, suffix: str, prepare=None):
    """Yield a running server with ``base_url``, ``clock`` and ``app``; ``prepare()`` runs
    in the app's context after the demo data is loaded."""
    from flask_migrate import upgrade

    from app import create_app, demo
    from app.extensions import db

    with fresh_database(folder, suffix) as url:
        clock = Clock()
        app = create_app(
            {
                "NOW": clock,
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": f"{suffix}-only-secret",
                "UPLOAD_FOLDER": str(folder / "uploads"),
                "CHAIN_TIMEZONE": "Asia/Shanghai",
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            demo.load()
            if prepare is not None:
                prepare()
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        server.base_url = f"http://127.0.0.1:{server.server_port}"
        server.clock = clock
        server.app = app
        try:
            yield server
        finally:
            server.shutdown()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


def wait_for_js(page, expression: str, timeout: float = 30_000) -> None:
    """Playwright's ``wait_for_function`` builds its predicate with ``new Function``, which the
    app's Content-Security-Policy rightly refuses; this polls ``page.evaluate`` (run by the
    browser's debugger protocol, outside the page's policy) instead."""
    import time

    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout / 1000:.0f} s: {expression}")
        page.wait_for_timeout(50)
