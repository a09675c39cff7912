"""``GET /healthz`` for load balancers and monitoring: the database answers and its schema is
the one this code expects (Alembic's head). JSON, 200 or 503, no log-in, two tiny queries."""

from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, limiter

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@cache
def expected_heads(folder: str = str(MIGRATIONS)) -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", folder)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_revisions() -> frozenset[str]:
    return frozenset(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())


def healthz():
    checks = {"database": "ok", "schema": "ok"}
    status = 200
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        checks["database"] = checks["schema"] = "unreachable"
        status = 503
    else:
        try:
            found = database_revisions()
        except SQLAlchemyError:
            db.session.rollback()
            found = frozenset()
        expected = expected_heads()
        if found != expected:
            checks["schema"] = "behind" if found else "missing"
            checks["database_revision"] = ",".join(sorted(found)) or None
            checks["code_revision"] = ",".join(sorted(expected))
            status = 503
        db.session.rollback()
    response = jsonify({"status": "ok" if status == 200 else "unavailable", **checks})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", limiter.exempt(healthz), methods=["GET"])
