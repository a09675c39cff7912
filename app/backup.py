"""Backups that restore: the database and the photos in one archive, with a manifest and checksums.

``flask backup`` writes one tar archive:

- ``manifest.json`` — when, from which database kind and schema revision, the row count of
  every table, and the size and SHA-256 of every other member;
- ``database.sqlite`` (SQLite's online backup API: a consistent copy while the app runs) or
  ``database.pgdump`` (``pg_dump --format=custom``: one consistent snapshot of PostgreSQL);
- ``photos/…`` — every file under UPLOAD_FOLDER, fanned-out paths as they are.

The database is copied first, then the photos: a photo row in the copy was committed after its
files were written, so every photo the copy knows of is in the archive.

``flask restore ARCHIVE --yes`` checks every checksum before it touches anything, then
replaces the database with the copy and writes the photos back.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, text

from app.extensions import db

MANIFEST = "manifest.json"
PHOTOS = "photos/"
FORMAT = 1


class BackupError(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq(url) -> tuple[str, dict]:
    """A URL for pg_dump/pg_restore/psql, and the environment with the password (never in argv)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: apt-get install postgresql-client (the server's version)")
    return path


def database_url():
    """The engine's URL: Flask-SQLAlchemy has made a relative SQLite path absolute in it."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return url


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def schema_revision() -> str | None:
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        db.session.rollback()
        return None


def _dump_database(url, target: Path) -> str:
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # the online backup API: consistent while others write
        finally:
            copy.close()
            source.close()
        return "database.sqlite"
    if url.get_backend_name() == "postgresql":
        address, env = _libpq(url)
        subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), address],
            check=True,
            env=env,
            capture_output=True,
        )
        return "database.pgdump"
    raise BackupError(f"no backup for a {url.get_backend_name()} database")


def backup(output: Path | None = None, at: datetime | None = None) -> Path:
    """Write the archive; returns its path (instance/backups/workshop-<UTC time>.tar by default)."""
    at = at or datetime.now(UTC)
    url = database_url()
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    if output is None:
        output = Path(current_app.instance_path) / "backups" / f"workshop-{at:%Y%m%dT%H%M%SZ}.tar"
    output.parent.mkdir(parents=True, exist_ok=True)
    counts, revision = row_counts(), schema_revision()
    db.session.rollback()
    with tempfile.TemporaryDirectory(dir=output.parent) as scratch:
        dump = Path(scratch) / "database"
        dump_name = _dump_database(url, dump)
        members: dict[str, Path] = {dump_name: dump}
        if folder.exists():
            for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
                members[PHOTOS + path.relative_to(folder).as_posix()] = path
        manifest = {
            "format": FORMAT,
            "created_at": at.isoformat(),
            "database": url.get_backend_name(),
            "schema_revision": revision,
            "rows": counts,
            "files": {name: {"size": path.stat().st_size, "sha256": _sha256(path)} for name, path in members.items()},
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(at.timestamp())
            archive.addfile(info, io.BytesIO(body))
            for name, path in members.items():
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, output)  # the archive appears whole or not at all
    return output


def read_manifest(archive_path: Path) -> dict:
    with tarfile.open(archive_path, "r") as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError("the archive has no manifest")
        return json.load(member)


def verify(archive_path: Path, into: Path) -> dict:
    """Extract into a scratch folder and check every member against the manifest."""
    manifest = read_manifest(archive_path)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    files = manifest["files"]
    with tarfile.open(archive_path, "r") as archive:
        names = {m.name for m in archive.getmembers() if m.isfile()} - {MANIFEST}
        if names != set(files):
            raise BackupError("the archive's files differ from its manifest")
        archive.extractall(into, members=[m for m in archive.getmembers() if m.name in files], filter="data")
    for name, expected in files.items():
        path = into / name
        if path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the archive is damaged")
    return manifest


def _restore_database(url, manifest: dict, scratch: Path) -> None:
    kind = url.get_backend_name()
    if manifest["database"] != kind:
        raise BackupError(f"this is a {manifest['database']} backup; the app's database is {kind}")
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        source = sqlite3.connect(scratch / "database.sqlite")
        target = sqlite3.connect(url.database)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    address, env = _libpq(url)
    subprocess.run(
        [
            _tool("psql"),
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--command",
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
            address,
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    subprocess.run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
            address,
            str(scratch / "database.pgdump"),
        ],
        check=True,
        env=env,
        capture_output=True,
    )


def restore(archive_path: Path) -> dict:
    """Replace the database and write the photos back; nothing is touched unless every checksum holds."""
    url = database_url()
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        manifest = verify(archive_path, scratch)
        _restore_database(url, manifest, scratch)
        photos = scratch / PHOTOS.rstrip("/")
        if photos.exists():
            for path in photos.rglob("*"):
                if path.is_file():
                    target = folder / path.relative_to(photos)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
    found = row_counts()
    if found != manifest["rows"]:
        raise BackupError(f"restored rows differ from the manifest: {found} != {manifest['rows']}")
    return manifest
