"""The month-end pack as a background job: every supplier's claim and every store's statement
of the month in one ZIP, with the job's progress for the page."""

import zipfile

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Job, JobState
from app.services import jobs, month_pack
from tests.app.alert_support import alerting, inbox  # noqa: F401  (fixtures)
from tests.app.finance_support import finance_world, scrap  # noqa: F401  (fixtures)
from workshop.money import Month

pytestmark = pytest.mark.slow


@pytest.fixture()
def month_with_statements(
    app, db_session, monkeypatch, tmp_path, alerting, scrap, finance_world, make_store, make_user
):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    w = finance_world
    w.other = make_store(name="广州天河城店", quota=50)
    other_clerk = make_user("store", store=w.other)
    scrap(n=2)  # the supplier's
    scrap(defect=w.people)  # the store's
    scrap(defect=w.people, store=w.other, clerk=other_clerk)
    return w


@pytest.mark.parametrize("parts", [1, 2])
def test_the_month_pack_holds_each_suppliers_claim_and_each_stores_statement(
    db_session, tmp_path, month_with_statements, parts
):
    w = month_with_statements
    job_id = month_pack.start(db.session, w.finance, Month(2026, 9), parts=parts)
    db_session.commit()  # runs after the commit (inline in the tests), part after part

    shown = jobs.progress(db.session, job_id, w.finance)
    assert shown.ready and shown.progress == 100, shown.error
    path, name = jobs.result(db.session, job_id, w.finance)
    assert name == "month-pack-2026-09.zip"
    with zipfile.ZipFile(path) as pack:
        names = sorted(pack.namelist())
        assert names == sorted(
            [
                f"suppliers/claim-{w.product.supplier.code}-2026-09.pdf",
                f"stores/store-{w.store.code}-2026-09.pdf",
                f"stores/store-{w.other.code}-2026-09.pdf",
            ]
        )
        assert all(pack.read(n).startswith(b"%PDF") for n in names)
    assert jobs.result(db.session, job_id, w.clerk) is None  # finance's pack is not the store's to take
    assert sorted(p.name for p in tmp_path.iterdir()) == [job_id]  # the parts' files are gone


def test_a_split_job_shows_its_parts_progress_until_merged_and_fails_with_a_failed_part(
    app, db_session, monkeypatch, month_with_statements
):
    w = month_with_statements
    monkeypatch.setitem(app.config, "BACKGROUND", "thread")
    from app import background

    monkeypatch.setattr(background, "submit", lambda *a, **k: None)  # nobody works yet
    job_id = month_pack.start(db.session, w.finance, Month(2026, 9), parts=2)
    db_session.commit()
    assert jobs.progress(db.session, job_id, w.finance).state == JobState.QUEUED
    first, second = db.session.scalars(select(Job.id).where(Job.parent_id == job_id).order_by(Job.created_at, Job.id))
    background.run_in_app(app, background.path_of(jobs.run), first)  # one worker does the first part
    db_session.commit()
    halfway = jobs.progress(db.session, job_id, w.finance)
    assert halfway.state == JobState.RUNNING and halfway.progress == 50 and not halfway.ready
    db.session.get(Job, second).params = {"month": "2026-13", "prepared_by": "x", "part": 1, "parts": 2}
    db_session.commit()
    background.run_in_app(app, background.path_of(jobs.run), second)
    db_session.commit()
    failed = jobs.progress(db.session, job_id, w.finance)
    assert failed.state == JobState.FAILED and "ValueError" in failed.error
