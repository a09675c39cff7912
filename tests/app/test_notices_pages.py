"""The pages people use for alerts: the bell and the notifications list, each user's channels,
the administrator's group robots (with a test message to a real HTTP receiver), the alert
settings and the messages that could not be delivered, sent again from the page."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AlertPreference, AudienceKind, DeliveryStatus, Notification, OutboxMessage, RobotKind
from app.models import RobotWebhook as Robot
from app.services import alerts, scanning
from app.services.alerts import Audience, RobotTarget
from tests.app.alert_support import BASE_URL, alerting, inbox, receiver  # noqa: F401  (fixtures)
from tests.app.store_support import desk, dispatched  # noqa: F401  (fixtures)
from workshop.text import N_

BELL = re.compile(r'class="bell-count"[^>]*>([^<]+)<')


def bell(response) -> str | None:
    found = BELL.search(response.get_data(as_text=True))
    return found.group(1) if found else None


def check_closed_with_one_missing(db_session, desk, make_piece, store=None, clerk=None):
    store, clerk = store or desk.store, clerk or desk.clerk
    pieces = [make_piece(store=store, user=clerk, product=desk.product, defect=desk.quality) for _ in range(2)]
    batch = dispatched(db_session, clerk, store, pieces, datetime.now(UTC) - timedelta(days=1))
    scanning.start_check(desk.tech, batch)
    scanning.receive_scan(desk.tech, batch, pieces[0].code)
    scanning.close_check(desk.tech, batch)
    db_session.commit()
    return batch, pieces


def tell_the_workshop(db_session, months: list[str]) -> None:
    for month in months:
        alerts.notify(
            db.session,
            key=f"test:{month}",
            kind="test",
            message=N_("%(month)s has ended: check its figures and close it."),
            params={"month": month},
            audiences=[Audience.workshop()],
        )
    db_session.commit()


def note_ids(user) -> list[int]:
    return list(db.session.scalars(select(Notification.id).where(Notification.user_id == user.id)))


def test_a_store_user_sees_the_bell_and_the_missing_piece_and_another_store_sees_nothing_of_it(
    db_session, client, login, alerting, desk, make_piece
):
    batch, pieces = check_closed_with_one_missing(db_session, desk, make_piece)
    [note_id] = note_ids(desk.clerk)

    login(desk.other_clerk)
    assert bell(client.get("/home")) is None
    page = client.get("/notifications").get_data(as_text=True)
    assert batch.code not in page and "No notifications yet" in page
    assert client.get(f"/notifications/{note_id}").status_code == 404  # the other store's note is nobody's here
    assert client.post(f"/notifications/{note_id}/read").status_code == 404
    client.post("/logout")

    login(desk.clerk)
    assert bell(client.get("/home")) == "1"
    page = client.get("/notifications").get_data(as_text=True)
    assert f"The workshop checked parcel {batch.code} of 上海南京东路店 — missing: 1, unexpected: 0." in page
    assert f"Missing: {pieces[1].code} 男士加绒连帽羽绒服" in page
    opened = client.get(f"/notifications/{note_id}")
    assert opened.status_code == 302 and opened.headers["Location"] == f"/pieces/{pieces[1].id}"
    assert pieces[1].code in client.get(opened.headers["Location"]).get_data(as_text=True)
    assert bell(client.get("/home")) is None  # opened is read
    assert db.session.get(Notification, note_id).read_at is not None


def test_marking_read_one_or_all_and_the_unread_filter(db_session, client, login, desk, make_user):
    tell_the_workshop(db_session, [f"2026-0{n + 1}" for n in range(3)])
    first, second, third = note_ids(desk.tech)
    login(desk.tech)
    assert bell(client.get("/notifications")) == "3"
    assert client.post(f"/notifications/{second}/read").status_code == 302
    unread = client.get("/notifications?show=unread").get_data(as_text=True)
    assert "2026-01 has ended" in unread and "2026-03 has ended" in unread and "2026-02 has ended" not in unread
    assert bell(client.get("/home")) == "2"
    client.post("/notifications/read")
    assert bell(client.get("/home")) is None
    assert "No unread notifications." in client.get("/notifications?show=unread").get_data(as_text=True)
    assert "2026-02 has ended" in client.get("/notifications").get_data(as_text=True)  # read ones stay listed


def test_the_list_pages_by_keyset_and_the_bell_stops_counting_at_99_plus(db_session, client, login, desk):
    tell_the_workshop(db_session, [f"month {n:03d}" for n in range(alerts.BELL_CAP + 5)])
    login(desk.tech)
    first = client.get("/notifications")
    assert bell(first) == "99+"
    text = first.get_data(as_text=True)
    assert "month 104 has ended" in text and "month 055 has ended" in text and "month 054 has ended" not in text
    older = re.search(r'href="(/notifications\?before=\d+)" rel="next"', text).group(1)
    second = client.get(older).get_data(as_text=True)
    assert "month 054 has ended" in second and "month 005 has ended" in second and "month 055" not in second
    third = client.get(re.search(r'href="(/notifications\?before=\d+)" rel="next"', second).group(1))
    assert "month 000 has ended" in third.get_data(as_text=True) and 'rel="next"' not in third.get_data(as_text=True)


def test_a_user_chooses_email_and_the_next_alert_arrives_by_mail_in_their_language(
    db_session, client, login, alerting, inbox, desk, make_piece
):
    login(desk.clerk)
    refused = client.post("/notifications/channels", data={"email": "not an address", "email_enabled": "y"})
    assert refused.status_code == 422 and "not an e-mail address" in refused.get_data(as_text=True)
    refused = client.post("/notifications/channels", data={"email": "", "email_enabled": "y"})
    assert refused.status_code == 422 and "Enter your e-mail address" in refused.get_data(as_text=True)
    assert db.session.get(AlertPreference, desk.clerk.id) is None  # nothing kept

    saved = client.post("/notifications/channels", data={"email": "clerk@store.test", "email_enabled": "y"})
    assert saved.status_code == 302
    choice = db.session.get(AlertPreference, desk.clerk.id)
    assert choice.email == "clerk@store.test" and choice.email_enabled and not choice.robot_enabled
    assert 'value="clerk@store.test"' in client.get("/notifications/channels").get_data(as_text=True)

    batch, pieces = check_closed_with_one_missing(db_session, desk, make_piece)
    [mail] = inbox.to("clerk@store.test")
    assert mail["Subject"].startswith(f"The workshop checked parcel {batch.code}")
    assert f"{BASE_URL}/pieces/{pieces[1].id}" in mail.get_content()


def test_the_admin_adds_a_stores_wecom_robot_by_store_code_and_its_test_message_reaches_the_group(
    db_session, client, login, alerting, receiver, desk
):
    login(desk.admin)
    form = {
        "kind": "wecom",
        "audience": "store",
        "store_code": "NO-SUCH",
        "region_id": "0",
        "name": "南京东路店群",
        "url": receiver.base_url + "/wecom/store?key=abcdef0123456789",
        "locale": "zh_Hans",
        "active": "y",
    }
    refused = client.post("/admin/alerts/robots/new", data=form)
    assert refused.status_code == 422 and "There is no store with the code NO-SUCH." in refused.get_data(as_text=True)
    refused = client.post("/admin/alerts/robots/new", data={**form, "store_code": " "})
    assert refused.status_code == 422 and "Choose the store whose group" in refused.get_data(as_text=True)
    assert db.session.scalars(select(Robot)).all() == []

    added = client.post("/admin/alerts/robots/new", data={**form, "store_code": desk.store.code.lower()})
    assert added.status_code == 302
    made = db.session.scalars(select(Robot)).one()
    assert made.store_id == desk.store.id and made.audience == AudienceKind.STORE and made.kind == RobotKind.WECOM
    listing = client.get("/admin/alerts/robots?q=" + desk.store.code).get_data(as_text=True)
    assert "南京东路店群" in listing and "abcdef0123456789" not in listing  # the key is the password: masked

    tested = client.post(f"/admin/alerts/robots/{made.id}/test", follow_redirects=True)
    assert "The test message was delivered" in tested.get_data(as_text=True)
    [post] = receiver.to("/wecom/store")
    assert "测试消息" in post["body"]["markdown"]["content"]  # in the robot's language


def test_a_dingtalk_robots_secret_is_kept_masked_and_a_wrong_one_is_reported_by_the_test(
    db_session, client, login, alerting, receiver, desk
):
    made = alerts.add_robot(
        db.session,
        RobotTarget(
            RobotKind.DINGTALK, AudienceKind.WORKSHOP, receiver.base_url + "/dingtalk/ws", secret="SECwrong-0000"
        ),
    )
    db_session.commit()
    login(desk.admin)
    failed = client.post(f"/admin/alerts/robots/{made.id}/test", follow_redirects=True).get_data(as_text=True)
    assert "The test message was not delivered" in failed and "310000" in failed

    page = client.get(f"/admin/alerts/robots/{made.id}").get_data(as_text=True)
    assert "SECwrong-0000" not in page and "SEC••••••0000" in page
    form = {"name": "售后服务部群", "url": made.url, "secret": receiver.secret, "locale": "en", "active": "y"}
    assert client.post(f"/admin/alerts/robots/{made.id}", data=form).status_code == 302
    assert receiver.secret not in client.get(f"/admin/alerts/robots/{made.id}").get_data(as_text=True)
    client.post(f"/admin/alerts/robots/{made.id}", data={**form, "secret": ""})  # empty keeps the stored one
    db.session.refresh(made)
    assert made.secret == receiver.secret and made.locale == "en" and made.name == "售后服务部群"
    passed = client.post(f"/admin/alerts/robots/{made.id}/test", follow_redirects=True).get_data(as_text=True)
    assert "The test message was delivered" in passed
    assert receiver.to("/dingtalk/ws")[-1]["body"]["markdown"]["text"].startswith("**A test message")


def test_a_failed_delivery_is_listed_with_its_error_and_sent_again_after_the_robot_is_fixed(
    app, monkeypatch, db_session, client, login, alerting, receiver, desk, make_piece
):
    monkeypatch.setitem(app.config, "ALERT_MAX_ATTEMPTS", 1)
    broken = alerts.add_robot(
        db.session,
        RobotTarget(RobotKind.WECOM, AudienceKind.STORE, receiver.base_url + "/fail/x", store_id=desk.store.id),
    )
    db_session.commit()
    batch, _ = check_closed_with_one_missing(db_session, desk, make_piece)
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.robot_id == broken.id)).one()
    assert row.status == DeliveryStatus.FAILED

    login(desk.admin)
    admin_page = client.get("/admin/alerts").get_data(as_text=True)
    assert re.search(r'<span class="value">1</span><span class="label">Messages not delivered', admin_page)
    listing = client.get("/admin/alerts/failed").get_data(as_text=True)
    assert batch.code in listing and "HTTP 500" in listing and "(1 in all)" in listing

    client.post(
        f"/admin/alerts/robots/{broken.id}",
        data={"url": receiver.base_url + "/wecom/fixed", "locale": "zh_Hans", "active": "y"},
    )
    sent = client.post(f"/admin/alerts/failed/{row.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "Sending it again now" in sent
    [post] = receiver.to("/wecom/fixed")
    assert batch.code in post["body"]["markdown"]["content"]
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT
    assert "Every message was delivered." in client.get("/admin/alerts/failed").get_data(as_text=True)
    again = client.post(f"/admin/alerts/failed/{row.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "no longer in the failed list" in again and len(receiver.to("/wecom/fixed")) == 1


def test_the_alert_settings_are_saved_within_bounds_and_the_pages_are_the_admins(db_session, client, login, desk):
    login(desk.admin)
    refused = client.post(
        "/admin/alerts", data={"digest_hour": "24", "return_reminder_days": "3", "claim_outstanding_days": "30"}
    )
    assert refused.status_code == 422 and alerts.alert_settings(db.session).digest_hour == 8
    saved = client.post(
        "/admin/alerts", data={"digest_hour": "7", "return_reminder_days": "5", "claim_outstanding_days": "45"}
    )
    assert saved.status_code == 302
    assert alerts.alert_settings(db.session) == alerts.AlertSettings(7, 5, 45)
    client.post("/logout")
    login(desk.clerk)
    for path in ("/admin/alerts", "/admin/alerts/robots", "/admin/alerts/robots/new", "/admin/alerts/failed"):
        assert client.get(path).status_code == 403
    assert client.get("/notifications/channels").status_code == 200
