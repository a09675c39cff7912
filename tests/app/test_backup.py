"""Backups that restore: make data and photos, back up, destroy, restore, and find every row
and every photo identical — on SQLite and on PostgreSQL (whichever DATABASE_URL names)."""

import io
import os
import tarfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import select, text

from app import create_app, demo
from app.extensions import db
from app.models import Piece, User
from app.services import photos
from tests.conftest import require_tool
from tests.live import fresh_database


def everything(app) -> tuple[dict, dict]:
    """Every row of every table (in key order) and every stored file's bytes."""
    rows = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [tuple(r) for r in db.session.execute(select(table).order_by(*order))]
    folder = Path(app.config["UPLOAD_FOLDER"])
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    db.session.rollback()
    return rows, files


def jpeg(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def chain_app(tmp_path_factory):
    if "postgresql" in (os.environ.get("DATABASE_URL") or ""):
        require_tool("pg_dump", "postgresql-client")
    tmp_path = tmp_path_factory.mktemp("backup")
    with fresh_database(tmp_path, "backup") as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "backup-only-secret",
                "TESTING": True,
                "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            demo.load()
            db.session.commit()
            clerk = db.session.scalars(select(User).where(User.role == "store")).first()
            pieces = db.session.scalars(select(Piece).where(Piece.store_id == clerk.store_id)).all()[:2]
            for piece, colour in zip(pieces, ("red", "blue"), strict=True):
                photos.add_photos(clerk, piece, [photos.Upload("p.jpg", jpeg(colour))])
            db.session.commit()
            yield app
            db.session.remove()
            db.engine.dispose()


def destroy(app) -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(text(f'DROP TABLE "{table.name}"'))
            conn.execute(text("DROP TABLE alembic_version"))
    for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*"):
        if path.is_file():
            path.unlink()


@pytest.mark.slow
def test_a_backup_restores_every_row_and_every_photo_after_the_data_is_destroyed(chain_app, tmp_path):
    runner = chain_app.test_cli_runner()
    before = everything(chain_app)
    assert len(before[1]) == 4 and sum(len(r) for r in before[0].values()) > 500
    archive = tmp_path / "backup.tar"
    made = runner.invoke(args=["backup", "--output", str(archive)])
    assert made.exit_code == 0, made.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json" and any(n.startswith("database.") for n in names)
    assert sum(n.startswith("photos/") for n in names) == 4

    destroy(chain_app)
    assert not [p for p in Path(chain_app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    restored = runner.invoke(args=["restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    after = everything(chain_app)
    assert after[0] == before[0]
    assert after[1] == before[1]
    # The restored database is the schema the code expects.
    with chain_app.test_client() as client:
        assert client.get("/healthz").status_code == 200


@pytest.mark.slow
def test_a_damaged_archive_is_refused_before_anything_is_touched(chain_app, tmp_path):
    runner = chain_app.test_cli_runner()
    archive = tmp_path / "backup.tar"
    assert runner.invoke(args=["backup", "--output", str(archive)]).exit_code == 0
    before = everything(chain_app)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("photos/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            target.addfile(member, io.BytesIO(data))
    result = runner.invoke(args=["restore", str(damaged), "--yes"])
    assert result.exit_code != 0 and "checksum" in result.output
    assert everything(chain_app) == before
