"""`flask db upgrade` builds exactly the schema the models describe, on SQLite and PostgreSQL."""

import os

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db


@pytest.fixture()
def fresh_database_url(tmp_path):
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    parsed = make_url(url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql+psycopg")
    name = f"{parsed.database}_migrations"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield parsed.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migrations_build_the_schema_the_models_describe(fresh_database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEY": "x", "TESTING": True,
                      "UPLOAD_FOLDER": str(tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []
