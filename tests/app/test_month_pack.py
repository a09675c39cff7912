"""The month-end pack as a background job: every supplier's claim and every store's statement
of the month in one ZIP, with the job's progress for the page."""

import zipfile

import pytest

from app.extensions import db
from app.services import jobs, month_pack
from tests.app.alert_support import alerting, inbox  # noqa: F401  (fixtures)
from tests.app.finance_support import finance_world, scrap  # noqa: F401  (fixtures)
from workshop.money import Month

pytestmark = pytest.mark.slow


def test_the_month_pack_holds_each_suppliers_claim_and_each_stores_statement(
    app, db_session, monkeypatch, tmp_path, alerting, scrap, finance_world, make_store, make_user
):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    w = finance_world
    other = make_store(name="广州天河城店", quota=50)
    other_clerk = make_user("store", store=other)
    scrap(n=2)  # the supplier's
    scrap(defect=w.people)  # the store's
    scrap(defect=w.people, store=other, clerk=other_clerk)

    job_id = month_pack.start(db.session, w.finance, Month(2026, 9))
    db_session.commit()  # runs after the commit (inline in the tests)

    shown = jobs.progress(db.session, job_id, w.finance)
    assert shown.ready, shown.error
    path, name = jobs.result(db.session, job_id, w.finance)
    assert name == "month-pack-2026-09.zip"
    with zipfile.ZipFile(path) as pack:
        names = sorted(pack.namelist())
        assert names == sorted(
            [
                f"suppliers/claim-{w.product.supplier.code}-2026-09.pdf",
                f"stores/store-{w.store.code}-2026-09.pdf",
                f"stores/store-{other.code}-2026-09.pdf",
            ]
        )
        assert all(pack.read(n).startswith(b"%PDF") for n in names)
    assert jobs.result(db.session, job_id, w.clerk) is None  # finance's pack is not the store's to take
