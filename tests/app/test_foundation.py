"""The foundation through the pages: log-in, roles' home pages, scoping, errors, config."""

from datetime import date

import pytest
from sqlalchemy import select

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.models import Event, Piece
from app.services import batches, history
from app.services.settings import rules as current_rules
from workshop.roles import Role
from workshop.statuses import Direction


def test_a_wrong_password_is_refused_with_a_message_and_no_session(client, make_store, make_user):
    user = make_user("store", store=make_store())
    response = client.post("/login", data={"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "Wrong user name or password" in response.get_data(as_text=True) or "用户名或密码错误" in response.get_data(
        as_text=True
    )
    assert client.get("/home").status_code == 302


def test_an_empty_log_in_form_says_what_is_missing(client):
    response = client.post("/login", data={"username": "", "password": ""}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "This field is required" in response.get_data(as_text=True)


def test_log_in_never_redirects_to_another_site(client, make_store, make_user):
    user = make_user("store", store=make_store())
    response = client.post(
        "/login?next=//evil.example/x", data={"username": user.username, "password": "secret-pass-1"}
    )
    assert response.headers["Location"].endswith("/home")


def test_an_inactive_user_cannot_log_in(client, make_store, make_user, db_session):
    user = make_user("store", store=make_store())
    user.active = False
    db_session.commit()
    response = client.post("/login", data={"username": user.username, "password": "secret-pass-1"})
    assert response.status_code == 200


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("locale, word", [("en", "Log out"), ("zh_Hans", "退出登录")])
def test_every_role_sees_its_home_page_in_chinese_and_english(
    client, make_store, make_region, make_user, login, role, locale, word
):
    store = make_store()
    user = make_user(
        role.value,
        store=store if role == Role.STORE else None,
        region=store.region if role == Role.REGION else None,
        locale=locale,
    )
    login(user)
    response = client.get("/home")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert word in page
    assert user.display_name in page


def test_the_language_follows_the_browser_until_the_user_chooses(client):
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    client.post("/language", data={"locale": "en"}, headers={"Accept-Language": "zh-CN"})
    assert "Log in" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_a_store_user_cannot_open_another_stores_piece_or_batch_or_photo(
    client, make_store, make_user, make_piece, login, app
):
    mine, theirs = make_store(name="上海南京东路店"), make_store(name="广州天河城店")
    their_clerk = make_user("store", store=theirs)
    their_piece = make_piece(store=theirs, user=their_clerk)
    with app.app_context():
        piece = db.session.get(Piece, their_piece.id)
        batch = batches.open_or_create_batch(
            piece.store and db.session.get(type(their_clerk), their_clerk.id), piece.store, Direction.OUTBOUND
        )
        batches.add_piece(db.session.get(type(their_clerk), their_clerk.id), batch, piece)
        db.session.commit()
        batch_id = batch.id
    login(make_user("store", store=mine))
    for url in (
        f"/pieces/{their_piece.id}",
        f"/batches/{batch_id}",
        f"/pieces/{their_piece.id}/photos/1",
        f"/pieces/{their_piece.id}/photos/1/thumb",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "广州天河城店" not in response.get_data(as_text=True)


def test_a_region_manager_sees_their_regions_pieces_but_not_another_regions(
    client, make_store, make_region, make_user, make_piece, login
):
    east, south = make_region("华东区"), make_region("华南区")
    east_piece = make_piece(store=make_store(region=east))
    south_piece = make_piece(store=make_store(name="广州天河城店", region=south))
    login(make_user("region", region=east))
    assert client.get(f"/pieces/{east_piece.id}").status_code == 200
    assert client.get(f"/pieces/{south_piece.id}").status_code == 404


def test_the_piece_page_shows_its_timeline(client, make_store, make_user, make_piece, login):
    store = make_store()
    clerk = make_user("store", store=store)
    piece = make_piece(store=store, user=clerk)
    login(clerk)
    page = client.get(f"/pieces/{piece.id}").get_data(as_text=True)
    assert piece.code in page and "registered" in page and clerk.display_name in page


def test_unknown_pages_get_a_friendly_404_in_the_users_language(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)


def test_forms_need_their_csrf_token(app, client, make_store, make_user):
    user = make_user("store", store=make_store())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"username": user.username, "password": "secret-pass-1"})
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_history_events_cannot_be_edited_or_deleted(db_session, make_piece):
    piece = make_piece()
    event = db_session.scalars(select(Event).where(Event.piece_id == piece.id)).first()
    event.reason = "rewritten"
    with pytest.raises(RuntimeError):
        db_session.flush()
    db_session.rollback()
    db_session.delete(db_session.get(Event, event.id))
    with pytest.raises(RuntimeError):
        db_session.flush()
    db_session.rollback()


def test_production_refuses_to_start_without_a_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError):
        create_app()


def test_without_settings_the_app_keeps_its_own_random_secret_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) > 40
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0
    assert create_app().config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_a_postgres_url_uses_psycopg_3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.chdir(tmp_path)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_a_bad_time_zone_setting_stops_the_app_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAIN_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="CHAIN_TIMEZONE"):
        create_app()


def test_the_stylesheet_is_served_from_our_own_static_folder(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200 and b".topbar" in response.data
    assert b"http" not in client.get("/login").data.split(b"<body")[0].replace(b"http-equiv", b"")


def test_text_a_database_cannot_store_is_refused_at_the_door(client, make_store, make_user, login):
    # PostgreSQL refuses NUL in text; found by schemathesis through the API.
    login(make_user("store", store=make_store()))
    assert client.get("/store/?q=P\x00").status_code == 400
    assert client.post("/store/register", data={"product": "G1\x00", "size": "L"}).status_code == 400


def test_the_technicians_figures_lead_to_the_lists_behind_them(client, make_user, login):
    login(make_user("technician"))
    page = client.get("/home").get_data(as_text=True)
    assert 'href="/bench/deadlines?clock=overdue"' in page and 'href="/bench/returns"' in page


def test_money_is_shown_with_the_sign_before_the_currency(app):
    from decimal import Decimal

    from app.templating import money

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert money(Decimal("-100")) == "-¥100.00"
        assert money(Decimal("1234.5")) == "¥1,234.50"
