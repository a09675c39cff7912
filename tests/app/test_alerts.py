"""Alerts reach the right people, once, in their language, by the channels they chose — against
a real SMTP server and a real HTTP receiver standing in for the group robots."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Alert,
    AudienceKind,
    Claim,
    DeliveryStatus,
    DigestRun,
    Notification,
    OutboxMessage,
    RobotKind,
)
from app.services import alerts, batches, outbox, reminders, scanning
from app.services.alerts import RobotTarget
from app.services.settings import rules as current_rules
from tests.app.alert_support import BASE_URL, alerting, inbox, receiver  # noqa: F401  (fixtures)
from tests.app.store_support import desk, dispatched, returning  # noqa: F401  (fixtures)
from workshop.errors import RuleViolation
from workshop.statuses import ClaimStatus, Direction

NOW = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, after the digest hour
MID_MONTH = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)  # a Monday


def robot(receiver, path, audience, *, kind=RobotKind.WECOM, store=None, region=None, locale="zh_Hans", secret=""):
    made = alerts.add_robot(
        db.session,
        RobotTarget(
            kind,
            audience,
            receiver.base_url + path,
            secret=secret,
            store_id=store.id if store else None,
            region_id=region.id if region else None,
            name=path,
            locale=locale,
        ),
    )
    db.session.commit()
    return made


def by_email(user, address):
    alerts.set_preferences(db.session, user, email=address, email_enabled=True, robot_enabled=True)
    db.session.commit()


def kinds_for(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Alert.kind).join(Notification).where(Notification.user_id == user.id).order_by(Alert.id)
        )
    )


def parcel_of(db_session, desk, make_piece, count=2, store=None, clerk=None, at=None):
    store, clerk = store or desk.store, clerk or desk.clerk
    pieces = [make_piece(store=store, user=clerk, product=desk.product, defect=desk.quality) for _ in range(count)]
    return dispatched(db_session, clerk, store, pieces, at or datetime.now(UTC) - timedelta(days=1)), pieces


# --- Who hears of what ----------------------------------------------------------------


def test_a_dispatched_parcel_tells_the_workshop_and_its_robot_and_nobody_else(
    db_session, alerting, receiver, desk, make_piece
):
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    robot(receiver, "/wecom/store", AudienceKind.STORE, store=desk.store)
    batch, _ = parcel_of(db_session, desk, make_piece)

    assert kinds_for(desk.tech) == ["parcel_dispatched"]
    for user in (desk.clerk, desk.other_clerk, desk.manager, desk.admin):
        assert kinds_for(user) == []
    [post] = receiver.to("/wecom/workshop")
    assert post["body"]["msgtype"] == "markdown"
    content = post["body"]["markdown"]["content"]
    assert batch.code in content and "上海南京东路店" in content
    assert f"({BASE_URL}/batches/{batch.id})" in content
    assert receiver.to("/wecom/store") == []


def test_a_check_closed_with_a_piece_missing_tells_its_store_and_region_in_each_ones_language(
    db_session, alerting, receiver, inbox, desk, make_piece, make_user
):
    chinese_clerk = make_user("store", store=desk.store, locale="zh_Hans")
    by_email(desk.clerk, "clerk@store.test")
    by_email(chinese_clerk, "dianyuan@store.test")
    by_email(desk.other_clerk, "other@store.test")
    by_email(desk.manager, "manager@region.test")
    robot(
        receiver,
        "/dingtalk/store",
        AudienceKind.STORE,
        kind=RobotKind.DINGTALK,
        store=desk.store,
        secret=receiver.secret,
    )
    robot(
        receiver,
        "/dingtalk/other",
        AudienceKind.STORE,
        kind=RobotKind.DINGTALK,
        store=desk.other_store,
        secret=receiver.secret,
    )
    robot(receiver, "/wecom/region", AudienceKind.REGION, region=desk.region, locale="en")
    batch, pieces = parcel_of(db_session, desk, make_piece)
    scanning.start_check(desk.tech, batch)
    scanning.receive_scan(desk.tech, batch, pieces[0].code)
    scanning.close_check(desk.tech, batch)
    db_session.commit()

    for user in (desk.clerk, chinese_clerk, desk.manager):
        assert kinds_for(user) == ["check_closed"]
    assert kinds_for(desk.other_clerk) == [] and kinds_for(desk.tech) == ["parcel_dispatched"]

    [english] = inbox.to("clerk@store.test")
    assert english["Subject"] == (
        f"The workshop checked parcel {batch.code} of 上海南京东路店 — missing: 1, unexpected: 0."
    )
    body = english.get_content()
    assert f"Missing: {pieces[1].code} 男士加绒连帽羽绒服" in body
    assert f"{BASE_URL}/pieces/{pieces[1].id}" in body  # one piece concerned: the link leads to it
    [chinese] = inbox.to("dianyuan@store.test")
    assert chinese["Subject"].startswith(f"售后服务部已核对 上海南京东路店 的包裹 {batch.code}")
    assert f"缺少：{pieces[1].code}" in chinese.get_content()
    assert len(inbox.to("manager@region.test")) == 1
    assert inbox.to("other@store.test") == []

    [signed] = receiver.to("/dingtalk/store")  # the receiver answers errcode 0 only to a good signature
    assert signed["body"]["msgtype"] == "markdown" and batch.code in signed["body"]["markdown"]["title"]
    assert db.session.scalar(select(func.count()).where(OutboxMessage.status == DeliveryStatus.SENT)) == 5
    assert receiver.to("/dingtalk/other") == []
    [region_post] = receiver.to("/wecom/region")
    assert "missing: 1," in region_post["body"]["markdown"]["content"]


def test_a_check_closed_with_nothing_missing_tells_nobody(db_session, alerting, desk, make_piece):
    batch, pieces = parcel_of(db_session, desk, make_piece)
    scanning.start_check(desk.tech, batch)
    for piece in pieces:
        scanning.receive_scan(desk.tech, batch, piece.code)
    scanning.close_check(desk.tech, batch)
    db_session.commit()
    assert kinds_for(desk.clerk) == [] and kinds_for(desk.manager) == []


def test_a_return_parcel_tells_its_store_and_reminds_it_once_if_not_scanned_in_within_three_days(
    db_session, alerting, receiver, desk, make_piece
):
    robot(receiver, "/wecom/store", AudienceKind.STORE, store=desk.store)
    pieces = [make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality)]
    sent_on = datetime.now(UTC) - timedelta(days=5)
    back = returning(db_session, desk, pieces, at=sent_on)
    assert kinds_for(desk.clerk) == ["return_dispatched"]
    assert kinds_for(desk.other_clerk) == []

    settings = alerts.alert_settings(db.session)
    rules = current_rules()
    assert settings.return_reminder_days == 3
    now = back.dispatched_at + timedelta(days=2, hours=23)
    assert reminders.returns_not_received(db.session, now, settings.return_reminder_days, rules) == 0
    now = back.dispatched_at + timedelta(days=3, minutes=1)
    assert reminders.returns_not_received(db.session, now, settings.return_reminder_days, rules) == 1
    db_session.commit()
    assert reminders.returns_not_received(db.session, now + timedelta(days=1), 3, rules) == 0  # once
    db_session.commit()
    assert kinds_for(desk.clerk) == ["return_dispatched", "return_not_received"]
    posts = receiver.to("/wecom/store")
    assert len(posts) == 2 and "1 件" in posts[1]["body"]["markdown"]["content"]


# --- Once, and only after the commit -------------------------------------------------


def test_the_same_event_told_twice_is_written_and_sent_once(db_session, alerting, receiver, desk, make_piece):
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    batch, _ = parcel_of(db_session, desk, make_piece)
    assert reminders.parcel_dispatched(db.session, batch) is None
    db_session.commit()
    assert db.session.scalar(select(func.count()).select_from(Alert)) == 1
    assert kinds_for(desk.tech) == ["parcel_dispatched"]
    assert len(receiver.to("/wecom/workshop")) == 1


def test_a_change_that_rolls_back_sends_nothing(db_session, alerting, receiver, inbox, desk, make_piece):
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    by_email(desk.tech, "tech@workshop.test")
    pieces = [make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality)]
    batch = batches.open_or_create_batch(desk.clerk, desk.store, Direction.OUTBOUND)
    batches.add_piece(desk.clerk, batch, pieces[0])
    db_session.commit()

    batches.dispatch_batch(desk.clerk, batch, current_rules(), carrier="顺丰速运", tracking_no="SF1")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2  # written, not yet sent
    db_session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Alert)) == 0
    assert receiver.requests == [] and inbox.messages == []

    batches.dispatch_batch(desk.clerk, batch, current_rules(), carrier="顺丰速运", tracking_no="SF1")
    db_session.commit()
    assert len(receiver.to("/wecom/workshop")) == 1 and len(inbox.to("tech@workshop.test")) == 1


# --- Retries --------------------------------------------------------------------------


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def test_a_failing_webhook_is_retried_with_back_off_then_marked_failed_with_its_error(
    app, monkeypatch, db_session, alerting, receiver, desk, make_piece
):
    clock = Clock(datetime.now(UTC))
    monkeypatch.setitem(app.config, "NOW", clock)
    monkeypatch.setitem(app.config, "ALERT_MAX_ATTEMPTS", 3)
    robot(receiver, "/fail/workshop", AudienceKind.WORKSHOP)
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    parcel_of(db_session, desk, make_piece)
    assert len(receiver.to("/fail/workshop")) == 1 and len(receiver.to("/wecom/workshop")) == 1
    failing = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient.like("robot:%"))).all()
    row = next(r for r in failing if r.status != DeliveryStatus.SENT)
    assert row.status == DeliveryStatus.PENDING and row.attempts == 1 and "HTTP 500" in row.last_error
    assert row.next_attempt_at == clock.moment + timedelta(seconds=60)

    clock.moment += timedelta(seconds=59)
    assert outbox.send_due() == 0 and len(receiver.to("/fail/workshop")) == 1  # not yet
    clock.moment += timedelta(seconds=2)
    outbox.send_due()
    assert len(receiver.to("/fail/workshop")) == 2
    db.session.refresh(row)
    assert row.attempts == 2 and row.next_attempt_at == clock.moment + timedelta(seconds=240)  # four times longer
    clock.moment += timedelta(seconds=241)
    outbox.send_due()
    db.session.refresh(row)
    assert row.status == DeliveryStatus.FAILED and row.attempts == 3
    clock.moment += timedelta(days=1)
    outbox.send_due()
    assert len(receiver.to("/fail/workshop")) == 3 and len(receiver.to("/wecom/workshop")) == 1

    [failure] = outbox.failures("en")
    assert failure.id == row.id and failure.attempts == 3 and "HTTP 500" in failure.last_error
    assert failure.text.startswith("Parcel ") and failure.recipient == "/fail/workshop"
    assert outbox.failure_count() == 1

    # The admin fixes the robot and sends it again.
    row.robot.url = receiver.base_url + "/wecom/fixed"
    assert outbox.retry(row.id)
    db_session.commit()
    assert len(receiver.to("/wecom/fixed")) == 1 and outbox.failure_count() == 0


def test_a_dingtalk_robot_with_the_wrong_secret_is_refused_and_the_refusal_kept(
    db_session, alerting, receiver, desk, make_piece
):
    robot(receiver, "/dingtalk/workshop", AudienceKind.WORKSHOP, kind=RobotKind.DINGTALK, secret="SECwrong-secret")
    parcel_of(db_session, desk, make_piece)
    [post] = receiver.to("/dingtalk/workshop")
    assert set(post["query"]) == {"timestamp", "sign"}
    row = db.session.scalars(select(OutboxMessage)).one()
    assert row.status == DeliveryStatus.PENDING and "310000" in row.last_error


def test_a_sender_that_died_mid_send_leaves_its_row_to_the_sweep(
    app, monkeypatch, db_session, alerting, receiver, desk, make_piece
):
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    monkeypatch.setitem(app.config, "BACKGROUND", "thread")
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    # No commit hook ran a sender for this row: it is pending, as after a crash before sending.
    batch, _ = parcel_of(db_session, desk, make_piece)
    from app import background

    background.wait_idle(app)
    assert len(receiver.to("/wecom/workshop")) == 1  # the background thread sent it
    row = db.session.scalars(select(OutboxMessage)).one()
    row.status, row.claimed_at = DeliveryStatus.SENDING, datetime.now(UTC) - timedelta(minutes=20)
    db_session.commit()
    assert outbox.send_due() == 1 and len(receiver.to("/wecom/workshop")) == 2


# --- The daily run --------------------------------------------------------------------


def overdue_parcel(db_session, desk, make_piece, store=None, clerk=None, days_ago=20):
    return parcel_of(db_session, desk, make_piece, 1, store, clerk, at=NOW - timedelta(days=days_ago))


def test_the_daily_digest_tells_each_store_and_region_its_own_and_the_workshop_the_whole_list(
    db_session, alerting, receiver, desk, make_piece
):
    overdue_parcel(db_session, desk, make_piece)  # the desk's store: 1 overdue
    overdue_parcel(db_session, desk, make_piece, desk.other_store, desk.other_clerk, days_ago=13)  # 1 at risk
    robot(receiver, "/wecom/other", AudienceKind.STORE, store=desk.other_store)
    robot(receiver, "/wecom/neighbour", AudienceKind.STORE, store=desk.neighbour)

    result = reminders.run_daily(NOW)
    assert result.ran and result.day.isoformat() == "2026-11-30"

    def digest(user):
        [shown] = [n for n in alerts.notifications(db.session, user, "en") if n.text.startswith("Deadlines")]
        return shown

    assert digest(desk.clerk).text.startswith("Deadlines on 2026-11-30 — overdue: 1, at risk: 0")
    assert digest(desk.other_clerk).text.startswith("Deadlines on 2026-11-30 — overdue: 0, at risk: 1")
    assert digest(desk.manager).text.startswith("Deadlines on 2026-11-30 — overdue: 1, at risk: 0")
    assert digest(desk.tech).text.startswith("Deadlines on 2026-11-30 — overdue: 1, at risk: 1")
    assert digest(desk.tech).link == "/bench/deadlines"
    [post] = receiver.to("/wecom/other")
    assert "0 件超期，1 件即将到期" in post["body"]["markdown"]["content"]
    assert receiver.to("/wecom/neighbour") == []  # nothing at risk there: no message


def test_the_daily_run_waits_for_the_digest_hour_and_runs_once_a_day(db_session, alerting, desk, make_piece):
    overdue_parcel(db_session, desk, make_piece)
    early = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # 07:30 in Shanghai
    assert not reminders.run_daily(early).ran
    assert reminders.run_daily(NOW).ran
    assert not reminders.run_daily(NOW + timedelta(hours=3)).ran
    assert reminders.run_daily(NOW + timedelta(days=1)).ran
    assert kinds_for(desk.clerk) == ["deadline_digest", "deadline_digest"]
    alerts.set_alert_setting(db.session, "digest_hour", 7)
    db_session.commit()
    assert reminders.run_daily(early + timedelta(days=2)).ran


def test_two_daily_runs_at_once_send_each_digest_once(app, db_session, alerting, receiver, desk, make_piece):
    overdue_parcel(db_session, desk, make_piece)
    robot(receiver, "/wecom/store", AudienceKind.STORE, store=desk.store)
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    db_session.commit()
    start = threading.Barrier(2)
    results, errors = [], []

    def scheduler():
        try:
            with app.app_context():
                start.wait()
                results.append(reminders.run_daily(NOW))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(r.ran for r in results) == [False, True]
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == 1
    assert len(receiver.to("/wecom/store")) == 1
    assert [p for p in receiver.to("/wecom/workshop") if "Deadlines" in str(p) or "超期" in str(p)].__len__() == 1
    assert kinds_for(desk.clerk).count("deadline_digest") == 1


def test_finance_hears_once_that_last_month_can_be_closed_and_weekly_of_claims_unpaid_past_30_days(
    db_session, alerting, desk, make_user, make_product
):
    finance = make_user("finance")
    supplier = make_product().supplier
    db_session.add(
        Claim(
            supplier=supplier,
            month=202609,
            number="SC-202609-0001",
            status=ClaimStatus.SENT,
            amount=Decimal("720.00"),
            sent_on=MID_MONTH.date() - timedelta(days=31),
        )
    )
    db_session.add(
        Claim(
            supplier=supplier,
            month=202610,
            number="SC-202610-0001",
            status=ClaimStatus.SENT,
            amount=Decimal("99.00"),
            sent_on=MID_MONTH.date() - timedelta(days=10),
        )
    )
    db_session.commit()
    reminders.run_daily(MID_MONTH)  # Monday 16 November
    reminders.run_daily(MID_MONTH + timedelta(days=1))
    assert kinds_for(finance) == ["month_closable", "claims_outstanding"]
    shown = {n.text for n in alerts.notifications(db.session, finance, "en")}
    assert "2026-10 has ended: check its figures and close it." in shown
    assert "Supplier claims sent more than 30 days ago and still unpaid: 1, ¥720.00 in all." in shown
    assert kinds_for(desk.clerk) == [] and kinds_for(desk.tech) == []
    reminders.run_daily(MID_MONTH + timedelta(days=7))  # a new week: the unpaid claim again; the month not again
    assert kinds_for(finance) == ["month_closable", "claims_outstanding", "claims_outstanding"]
    reminders.run_daily(MID_MONTH + timedelta(days=15))  # December: November can be closed now
    assert kinds_for(finance)[3:] == ["month_closable", "claims_outstanding"]


# --- The bell, channels and robots ----------------------------------------------------


def test_the_bell_counts_unread_notifications_and_marking_read_touches_only_ones_own(
    db_session, alerting, desk, make_piece, make_user
):
    second_tech = make_user("technician", locale="zh_Hans")
    parcel_of(db_session, desk, make_piece)
    parcel_of(db_session, desk, make_piece, store=desk.other_store, clerk=desk.other_clerk)
    assert alerts.unread_count(db.session, desk.tech) == 2
    [newest, oldest] = alerts.notifications(db.session, desk.tech, "en")
    assert "广州天河城店" in newest.text and newest.text.startswith("Parcel ")
    assert alerts.notifications(db.session, second_tech, "zh_Hans")[0].text.startswith("包裹 ")
    assert (
        alerts.mark_read(db.session, desk.tech, [oldest.id, alerts.notifications(db.session, second_tech, "en")[0].id])
        == 1
    )
    db_session.commit()
    assert alerts.unread_count(db.session, desk.tech) == 1 and alerts.unread_count(db.session, second_tech) == 2
    assert [n.read for n in alerts.notifications(db.session, desk.tech, "en")] == [False, True]
    assert alerts.mark_read(db.session, second_tech) == 2
    assert alerts.unread_count(db.session, second_tech) == 0


def test_a_user_who_turns_email_off_gets_no_mail_and_a_group_whose_members_all_mute_its_robot_stays_quiet(
    db_session, alerting, receiver, inbox, desk, make_piece
):
    by_email(desk.tech, "tech@workshop.test")
    alerts.set_preferences(db.session, desk.tech, email="tech@workshop.test", email_enabled=False, robot_enabled=False)
    db_session.commit()
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    parcel_of(db_session, desk, make_piece)
    assert kinds_for(desk.tech) == ["parcel_dispatched"]  # in the app, always
    assert inbox.messages == [] and receiver.requests == []


def test_preferences_refuse_e_mail_without_a_valid_address(db_session, desk):
    with pytest.raises(RuleViolation):
        alerts.set_preferences(db.session, desk.clerk, email="", email_enabled=True, robot_enabled=True)
    with pytest.raises(RuleViolation):
        alerts.set_preferences(db.session, desk.clerk, email="not an address", email_enabled=False, robot_enabled=True)
    assert alerts.preferences(db.session, desk.clerk).robot_enabled is True


def test_a_robots_secret_and_token_are_never_shown_back_in_full(db_session, receiver, desk):
    made = robot(
        receiver,
        "/dingtalk/store?access_token=9f8e7d6c5b4a39281716",
        AudienceKind.STORE,
        kind=RobotKind.DINGTALK,
        store=desk.store,
        secret="SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c9",
    )
    assert alerts.masked_secret(made.secret) == "SEC••••••09c9"
    assert "9f8e7d6c5b4a39281716" not in alerts.masked_url(made.url) and "access_token=9f8" in alerts.masked_url(
        made.url
    )
    alerts.update_robot(db.session, made, secret="", name="南京东路店群")
    assert made.secret.endswith("09c9")  # an empty secret on the form keeps the stored one
    with pytest.raises(RuleViolation):
        alerts.add_robot(db.session, RobotTarget(RobotKind.WECOM, AudienceKind.STORE, "https://qyapi.test/x"))
    with pytest.raises(RuleViolation):
        alerts.add_robot(db.session, RobotTarget(RobotKind.WECOM, AudienceKind.WORKSHOP, "ftp://x"))


def test_the_admin_can_send_a_robot_a_test_message_and_reads_why_it_failed(db_session, alerting, receiver, desk):
    good = robot(
        receiver,
        "/dingtalk/store",
        AudienceKind.STORE,
        kind=RobotKind.DINGTALK,
        store=desk.store,
        secret=receiver.secret,
    )
    assert outbox.test_robot(good) == ""
    [post] = receiver.to("/dingtalk/store")
    assert post["body"]["markdown"]["title"].startswith("来自售后系统的测试消息")
    wrong = robot(
        receiver,
        "/dingtalk/other",
        AudienceKind.STORE,
        kind=RobotKind.DINGTALK,
        store=desk.store,
        locale="en",
        secret="SECnot-it",
    )
    assert "310000" in outbox.test_robot(wrong)


def test_a_parcel_with_many_pieces_missing_names_ten_and_counts_the_rest(db_session, alerting, desk, make_piece):
    batch, pieces = parcel_of(db_session, desk, make_piece, count=12)
    scanning.start_check(desk.tech, batch)
    scanning.close_check(desk.tech, batch)
    db_session.commit()
    [note] = alerts.notifications(db.session, desk.clerk, "en")
    assert note.text.endswith("missing: 12, unexpected: 0.") and note.link == f"/batches/{batch.id}"
    assert note.details[:2] == (
        f"Missing: {pieces[0].code} 男士加绒连帽羽绒服",
        f"Missing: {pieces[1].code} 男士加绒连帽羽绒服",
    )
    assert len(note.details) == 11 and note.details[-1] == "… and 2 more"
    assert alerts.notifications(db.session, desk.manager, "zh_Hans")[0].details[-1] == "……另有 2 件"
