"""Security headers on every answer, files served with nosniff and a safe disposition, no
inline script or style left in any template, and /healthz."""

import io
import re
from pathlib import Path

from PIL import Image

from app import create_app
from app.extensions import db
from tests.live import fresh_database

TEMPLATES = Path(__file__).resolve().parents[2] / "app"


def test_every_page_forbids_framing_sniffing_and_inline_script(client, make_user, login):
    for path in ("/login", "/static/css/app.css", "/api/v1/openapi.json", "/nothing-here"):
        with client.get(path) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "'unsafe-inline'" not in re.search(r"style-src ([^;]+)", csp).group(1)
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # only in production, behind HTTPS


def test_production_answers_carry_hsts(app, client):
    app.config["APP_ENV"] = "production"
    try:
        assert "max-age=31536000" in client.get("/login").headers["Strict-Transport-Security"]
    finally:
        app.config["APP_ENV"] = "development"


def test_no_template_keeps_an_inline_script_style_or_event_handler():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+=", r"javascript:"):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append((template.name, pattern))
    assert offenders == []


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    return out.getvalue()


def test_a_photo_is_served_with_nosniff_and_an_inline_neutral_name(client, make_piece, make_user, login, db_session):
    piece = make_piece()
    login(make_user("store", store=piece.store))
    response = client.post(
        f"/store/pieces/{piece.id}/photos",
        data={"photos": [(io.BytesIO(_jpeg()), "x.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db_session.refresh(piece)
    photo = piece.photos[0]
    for suffix in ("", "/thumb"):
        with client.get(f"/pieces/{piece.id}/photos/{photo.id}{suffix}") as served:
            assert served.status_code == 200
            assert served.headers["X-Content-Type-Options"] == "nosniff"
            assert served.headers["Content-Disposition"] == "inline; filename=photo.jpg"


def test_healthz_says_200_on_a_migrated_database_and_503_when_the_schema_is_behind(tmp_path):
    from flask_migrate import downgrade, upgrade

    with fresh_database(tmp_path, "healthz") as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True, "UPLOAD_FOLDER": str(tmp_path)}
        )
        client = app.test_client()
        with app.app_context():
            assert client.get("/healthz").status_code == 503  # empty database
            upgrade()
            answer = client.get("/healthz")
            assert answer.status_code == 200 and answer.json == {"status": "ok", "database": "ok", "schema": "ok"}
            downgrade(revision="-1")
            behind = client.get("/healthz")
            assert behind.status_code == 503 and behind.json["schema"] == "behind"
            db.session.remove()
            db.engine.dispose()


def test_healthz_says_503_when_the_database_cannot_be_reached(tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=1",
            "SECRET_KEY": "x",
            "TESTING": True,
            "UPLOAD_FOLDER": str(tmp_path),
        }
    )
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.json["database"] == "unreachable"
