"""Background work: on RQ with a real Redis (database 5), in a thread of the app without it;
long jobs with progress and a file kept for a day; the commands cron and operators run."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import background
from app.extensions import db
from app.models import AudienceKind, DeliveryStatus, DigestRun, Job, JobState, OutboxMessage
from app.services import jobs
from tests.app.alert_support import alerting, inbox, receiver, redis_url  # noqa: F401  (fixtures)
from tests.app.store_support import desk  # noqa: F401  (fixtures)
from tests.app.test_alerts import NOW, overdue_parcel, parcel_of, robot
from workshop.errors import RuleViolation


@pytest.fixture()
def on_rq(app, monkeypatch, alerting, redis_url):
    monkeypatch.setitem(app.config, "BACKGROUND", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "RQ_QUEUE", "alerts-test")
    monkeypatch.delitem(app.extensions, "background_redis", raising=False)
    yield background.rq_queue(app)
    app.extensions.pop("background_redis", None)


def work_off(app) -> None:
    """A worker, as `flask worker --burst --simple` runs it, until the queue is empty."""
    from rq import SimpleWorker

    SimpleWorker([background.rq_queue(app)], connection=background.redis_connection(app)).work(burst=True)


def test_on_redis_a_commit_queues_the_delivery_and_a_worker_sends_it(
    app, db_session, on_rq, receiver, desk, make_piece
):
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    parcel_of(db_session, desk, make_piece)
    assert on_rq.count == 1 and receiver.requests == []  # queued, not sent by the app server
    work_off(app)
    assert len(receiver.to("/wecom/workshop")) == 1
    assert db.session.scalars(select(OutboxMessage.status)).one() == DeliveryStatus.SENT
    assert on_rq.count == 0


def test_on_redis_a_rolled_back_change_queues_nothing(app, db_session, on_rq, receiver, desk, make_piece):
    from app.services import batches
    from app.services.settings import rules as current_rules
    from workshop.statuses import Direction

    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    piece = make_piece(store=desk.store, user=desk.clerk)
    batch = batches.open_or_create_batch(desk.clerk, desk.store, Direction.OUTBOUND)
    batches.add_piece(desk.clerk, batch, piece)
    db_session.commit()
    batches.dispatch_batch(desk.clerk, batch, current_rules(), carrier="顺丰速运", tracking_no="SF1")
    db_session.rollback()
    assert on_rq.count == 0
    work_off(app)
    assert receiver.requests == []


def test_on_redis_two_schedulers_ticking_at_once_send_each_digest_once(
    app, db_session, monkeypatch, on_rq, receiver, desk, make_piece
):
    overdue_parcel(db_session, desk, make_piece)
    robot(receiver, "/wecom/store", AudienceKind.STORE, store=desk.store)
    monkeypatch.setitem(app.config, "NOW", lambda: NOW)
    background.tick(app)
    background.tick(app)  # a second scheduler (another machine) firing the same minute
    assert (
        on_rq.count == 8
    )  # each tick queued the daily run, the outbox sweep, the job cleaning, the log-in history pruning
    work_off(app)
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == 1
    assert len(receiver.to("/wecom/store")) == 1


def test_when_redis_is_down_the_work_runs_in_the_app_instead_of_being_lost(
    app, db_session, monkeypatch, alerting, receiver, desk, make_piece
):
    monkeypatch.setitem(app.config, "BACKGROUND", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/5")  # nothing listens there
    monkeypatch.delitem(app.extensions, "background_redis", raising=False)
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    parcel_of(db_session, desk, make_piece)
    background.wait_idle(app)
    app.extensions.pop("background_redis", None)
    assert len(receiver.to("/wecom/workshop")) == 1


def test_without_redis_the_work_runs_in_a_thread_of_the_app_after_the_commit(
    app, db_session, monkeypatch, alerting, receiver, desk, make_piece
):
    monkeypatch.setitem(app.config, "BACKGROUND", "")
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    assert background.mode(app) == "thread"
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    parcel_of(db_session, desk, make_piece)
    background.wait_idle(app)
    assert len(receiver.to("/wecom/workshop")) == 1


# --- Long jobs ------------------------------------------------------------------------

SEEN: list[int] = []


def count_to_three(job, *, name: str):
    """A job kind for the tests: three steps, a progress report after each, a small file."""
    for step in (1, 2, 3):
        job.progress(step * 100 / 3)
        with db.engine.connect() as conn:  # what a page polling from another connection sees
            SEEN.append(conn.scalar(select(Job.progress).where(Job.id == job.id)))
    path = job.folder / f"{name}.txt"
    path.write_text("一 二 三", encoding="utf-8")
    return path


def broken(job):
    job.progress(40)
    raise ValueError("the month has no statements")


@pytest.fixture()
def job_kinds(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path / "jobs"))
    monkeypatch.setitem(jobs.KINDS, "test_count", background.path_of(count_to_three))
    monkeypatch.setitem(jobs.KINDS, "test_broken", background.path_of(broken))
    SEEN.clear()


def test_a_job_reports_its_progress_and_offers_its_file_to_its_owner_for_a_day(
    app, db_session, monkeypatch, alerting, job_kinds, desk
):
    job_id = jobs.start(db.session, "test_count", {"name": "月结包"}, desk.clerk)
    assert jobs.progress(db.session, job_id, desk.clerk).state == JobState.QUEUED
    db_session.commit()  # the job runs after the commit (inline here)
    assert SEEN == [33, 66, 100]
    shown = jobs.progress(db.session, job_id, desk.clerk)
    assert shown.ready and shown.progress == 100 and shown.file_name == "月结包.txt"
    assert shown.as_dict()["state"] == "done"
    path, name = jobs.result(db.session, job_id, desk.clerk)
    assert path.read_text(encoding="utf-8") == "一 二 三" and name == "月结包.txt"
    assert jobs.progress(db.session, job_id, desk.other_clerk) is None  # another's job is not there
    assert jobs.result(db.session, job_id, desk.other_clerk) is None
    assert jobs.result(db.session, job_id, desk.admin) is not None

    assert jobs.clean_expired(datetime.now(UTC) + timedelta(hours=23)) == 0
    assert path.exists()
    assert jobs.clean_expired(datetime.now(UTC) + timedelta(hours=25)) == 1
    assert not path.exists() and jobs.result(db.session, job_id, desk.clerk) is None
    assert jobs.progress(db.session, job_id, desk.clerk).state == JobState.EXPIRED


def test_a_failed_job_says_why_and_keeps_no_file(app, db_session, alerting, job_kinds, desk):
    job_id = jobs.start(db.session, "test_broken", {}, desk.clerk)
    db_session.commit()
    shown = jobs.progress(db.session, job_id, desk.clerk)
    assert shown.state == JobState.FAILED and shown.error == "ValueError: the month has no statements"
    assert shown.finished and not shown.ready
    assert jobs.result(db.session, job_id, desk.clerk) is None


def test_a_job_started_in_a_rolled_back_transaction_never_runs_and_an_unknown_kind_is_refused(
    app, db_session, alerting, job_kinds, desk
):
    job_id = jobs.start(db.session, "test_count", {"name": "x"}, desk.clerk)
    db_session.rollback()
    assert db.session.get(Job, job_id) is None and SEEN == []
    with pytest.raises(RuleViolation):
        jobs.start(db.session, "no_such_kind", {}, desk.clerk)


def test_on_redis_a_job_runs_on_a_worker_and_its_progress_is_read_by_the_page(app, db_session, on_rq, job_kinds, desk):
    job_id = jobs.start(db.session, "test_count", {"name": "labels"}, desk.clerk)
    db_session.commit()
    assert jobs.progress(db.session, job_id, desk.clerk).state == JobState.QUEUED
    db_session.commit()  # a page polls in a request of its own
    work_off(app)
    assert jobs.progress(db.session, job_id, desk.clerk).ready and SEEN == [33, 66, 100]


def test_a_job_whose_worker_died_is_failed_by_the_cleaning(app, db_session, alerting, job_kinds, desk):
    job_id = "0" * 32
    started = datetime.now(UTC) - timedelta(hours=2)
    db.session.add(Job(id=job_id, kind="test_count", user_id=desk.clerk.id, state=JobState.RUNNING, started_at=started))
    db_session.commit()  # claimed two hours ago, then the worker was killed
    jobs.clean_expired()
    shown = jobs.progress(db.session, job_id, desk.clerk)
    assert shown.state == JobState.FAILED and shown.error.startswith("interrupted")


# --- Commands -------------------------------------------------------------------------


def test_flask_send_digests_runs_the_day_once_and_says_so(app, db_session, alerting, monkeypatch, desk, make_piece):
    overdue_parcel(db_session, desk, make_piece)
    monkeypatch.setitem(app.config, "NOW", lambda: NOW)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-digests"])
    assert first.exit_code == 0 and "2026-11-30: 4 alerts written and sent." in first.output
    second = runner.invoke(args=["send-digests"])
    assert second.exit_code == 0 and "nothing to do" in second.output


def test_flask_send_outbox_sends_what_is_due(app, db_session, alerting, monkeypatch, receiver, desk, make_piece):
    robot(receiver, "/wecom/workshop", AudienceKind.WORKSHOP)
    robot(receiver, "/fail/workshop", AudienceKind.WORKSHOP)
    monkeypatch.setattr(background, "submit", lambda *a, **k: None)  # as if the app died right after its commit
    parcel_of(db_session, desk, make_piece)
    assert receiver.requests == []
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert result.exit_code == 0 and result.output.strip() == "1 sent."
    assert len(receiver.to("/wecom/workshop")) == 1 and len(receiver.to("/fail/workshop")) == 1


def test_flask_worker_needs_redis_and_schedule_once_ticks(app, db_session, alerting, monkeypatch, desk, make_piece):
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output
    overdue_parcel(db_session, desk, make_piece)
    monkeypatch.setitem(app.config, "NOW", lambda: NOW)
    result = app.test_cli_runner().invoke(args=["schedule", "--once"])
    assert result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == 1
