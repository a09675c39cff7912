"""`flask db upgrade` builds exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.live import fresh_database


@pytest.fixture()
def fresh_database_url(tmp_path):
    with fresh_database(tmp_path, "migrations") as url:
        yield url


def test_the_migrations_build_the_schema_the_models_describe(fresh_database_url, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": fresh_database_url,
            "SECRET_KEY": "x",
            "TESTING": True,
            "UPLOAD_FOLDER": str(tmp_path),
        }
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []
