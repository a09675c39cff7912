"""Database connection habits: SQLite tuned for several workers, PostgreSQL as is.

SQLite allows one writer at a time. A request that writes starts its transaction with
``BEGIN IMMEDIATE`` so it waits its turn for the write lock up front, instead of reading
first and failing ("database is locked") when it tries to write after another writer.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db

write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
_listeners_installed = False


def _on_connect(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # Let SQLAlchemy's "begin" event below emit BEGIN, so we choose its kind.
        dbapi_connection.isolation_level = None


def _on_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def install_listeners() -> None:
    global _listeners_installed
    if not _listeners_installed:
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)
        _listeners_installed = True


def init_app(app: Flask) -> None:
    install_listeners()

    @app.before_request
    def _mark_writes() -> None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            write_intent.set(True)

    @app.teardown_request
    def _finish(exc) -> None:
        write_intent.set(False)

    @app.teardown_appcontext
    def _rollback_unfinished(exc) -> None:
        # A request that failed half-way leaves nothing half-written.
        if exc is not None:
            db.session.rollback()


@contextmanager
def writing():
    """Statements in this block write: on SQLite their transactions take the write lock first
    (background work, commands). The flag is put back afterwards, so nothing leaks to a caller."""
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def writes(func):
    """A function whose transactions write (see :func:`writing`)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with writing():
            return func(*args, **kwargs)

    return wrapper
