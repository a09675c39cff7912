"""Sessions that end: logout, a password change, a deactivation and "log out everywhere" end
every copy of the cookie; idle and absolute lifetimes; log-ins recorded per account."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import LoginAttempt, LoginSession, User
from app.services import sessions
from tests.app.api_support import bearer, token_for  # noqa: F401
from tests.app.conftest import PASSWORD


def saved_cookie(client) -> str:
    return client.get_cookie("session").value


def put_back(client, value: str) -> None:
    client.set_cookie("session", value)


def opens_home(client) -> bool:
    response = client.get("/home")
    return response.status_code == 200


def test_a_cookie_saved_before_logout_opens_neither_pages_nor_the_api_afterwards(client, make_user, login):
    user = login(make_user("technician"))
    assert opens_home(client)
    cookie = saved_cookie(client)
    client.post("/logout")
    put_back(client, cookie)
    assert client.get("/home").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    ended = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    assert ended.ended_at is not None and ended.end_reason == "logout"


def test_a_cookie_saved_before_an_admin_changed_the_password_no_longer_opens_anything(
    client, app, make_user, login, db_session
):
    user = login(make_user("technician"))
    cookie = saved_cookie(client)
    other = app.test_client()
    other.post("/login", data={"username": user.username, "password": PASSWORD})
    assert other.get("/home").status_code == 200
    fresh = db_session.get(User, user.id)
    fresh.set_password("a-new-password-9")
    db_session.commit()
    put_back(client, cookie)
    assert client.get("/home").status_code == 302
    assert other.get("/home").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_deactivating_a_user_ends_their_sessions_and_refuses_their_tokens(client, make_user, login, db_session):
    user = login(make_user("technician"))
    token = token_for(user)
    db_session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    db_session.get(User, user.id).active = False
    db_session.commit()
    assert client.get("/home").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_an_api_token_still_works_after_its_owner_logs_out_but_not_once_revoked(client, make_user, login, db_session):
    user = login(make_user("technician"))
    token = token_for(user)
    db_session.commit()
    client.post("/logout")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    from app.models import ApiToken

    db_session.scalars(select(ApiToken)).one().revoked_at = datetime.now(UTC)
    db_session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_an_admin_signs_a_user_out_everywhere_and_only_that_user(app, client, make_user, login):
    admin = make_user("admin")
    victim = make_user("technician")
    bystander = make_user("technician")
    phone, laptop, other = app.test_client(), app.test_client(), app.test_client()
    for c, u in ((phone, victim), (laptop, victim), (other, bystander)):
        assert c.post("/login", data={"username": u.username, "password": PASSWORD}).status_code == 302
    login(admin)
    assert client.post(f"/users/{victim.id}/sign-out").status_code == 302
    assert phone.get("/home").status_code == 302
    assert laptop.get("/home").status_code == 302
    assert other.get("/home").status_code == 200
    assert client.get("/home").status_code == 200
    # Not for anyone else to do.
    assert other.post(f"/users/{victim.id}/sign-out").status_code == 403
    assert client.post("/users/99999999999/sign-out").status_code == 404


def test_the_profile_lists_the_sessions_and_ends_another_one_or_all(app, client, make_user, login):
    user = login(make_user("technician"))
    phone = app.test_client()
    phone.post(
        "/login",
        data={"username": user.username, "password": PASSWORD},
        headers={"User-Agent": "Phone browser 1.0"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    page = client.get("/profile")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Phone browser 1.0" in text and "10.1.2.3" in text and "this browser" in text
    assert "<title>My profile · " in text and text.count('id="sessions-title"') == 1
    phone_row = db.session.scalars(select(LoginSession).where(LoginSession.ip == "10.1.2.3")).one()
    assert client.post(f"/profile/sessions/{phone_row.id}/end").status_code == 302
    assert phone.get("/home").status_code == 302
    assert client.get("/home").status_code == 200
    # Someone else's session is not mine to end.
    stranger = make_user("technician")
    other = app.test_client()
    other.post("/login", data={"username": stranger.username, "password": PASSWORD})
    theirs = db.session.scalars(select(LoginSession).where(LoginSession.user_id == stranger.id)).one()
    assert client.post(f"/profile/sessions/{theirs.id}/end").status_code == 404
    assert other.get("/home").status_code == 200
    assert client.post("/profile/sessions/end-all").status_code == 302
    assert client.get("/home").status_code == 302


def test_a_session_ends_after_the_idle_lifetime_and_after_the_absolute_one_even_in_use(app, client, make_user, login):
    now = [datetime.now(UTC)]
    app.config["SESSION_NOW"] = lambda: now[0]
    try:
        login(make_user("technician"))
        now[0] += timedelta(hours=11)
        assert opens_home(client)
        now[0] += timedelta(hours=11)  # 11 hours after the last request: still in
        assert opens_home(client)
        now[0] += timedelta(hours=12, minutes=1)
        assert not opens_home(client)
        login(db.session.scalars(select(User)).first())
        for _step in range(15):  # 165 hours, never 12 unused
            now[0] += timedelta(hours=11)
            assert opens_home(client)
        now[0] += timedelta(hours=4)  # 169 hours since the log-in: used all along, it ends all the same
        assert not opens_home(client)
    finally:
        app.config.pop("SESSION_NOW")


def test_log_ins_and_refusals_are_recorded_per_account(client, make_user, login):
    user = make_user("technician")
    client.post("/login", data={"username": user.username, "password": "wrong-one-1"})
    client.post("/login", data={"username": "nobody-here", "password": "wrong-one-1"})
    login(user)
    rows = db.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id)).all()
    assert [(r.username, r.user_id, r.succeeded, r.reason) for r in rows] == [
        (user.username, user.id, False, "password"),
        ("nobody-here", None, False, "unknown"),
        (user.username, user.id, True, ""),
    ]
    text = client.get("/profile").get_data(as_text=True)
    assert "Recent log-ins" in text and "refused" in text


def test_a_cookie_from_before_sessions_were_recorded_is_logged_out(client, make_user, app):
    user = make_user("technician")
    with client.session_transaction() as s:
        s["_user_id"] = str(user.id)
        s["_fresh"] = True
    assert client.get("/home").status_code == 302
    with client.session_transaction() as s:
        assert "_user_id" not in s


def test_ending_all_sessions_raises_the_generation_and_ends_every_row(db_session, make_user):
    user = make_user("technician")
    a, _ = sessions.start(user)
    b, _ = sessions.start(user)
    sessions.end_all(user)
    db_session.commit()
    assert user.session_generation == 1
    assert all(row.ended_at is not None for row in (a, b))


def test_old_sessions_and_log_in_attempts_are_pruned_and_recent_ones_kept(app, db_session, make_user):
    user = make_user("technician")
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    old, recent = now - timedelta(days=91), now - timedelta(days=89)
    for at in (old, recent):
        sessions.record_attempt(user.username, user, True, at=at)
        row, _ = sessions.start(user, at=at)
        row.last_seen_at = at
    db_session.commit()
    assert sessions.prune(at=now) == 2
    attempts = db_session.scalars(select(LoginAttempt.at).where(LoginAttempt.user_id == user.id)).all()
    seen = db_session.scalars(select(LoginSession.last_seen_at).where(LoginSession.user_id == user.id)).all()
    assert attempts == [recent] and seen == [recent]
    # The command prunes by today's date: months later, those two are old too.
    runner = app.test_cli_runner()
    assert "2 old sessions and log-in attempts removed." in runner.invoke(args=["prune-sessions"]).output
    assert db_session.scalars(select(LoginAttempt).where(LoginAttempt.user_id == user.id)).all() == []
