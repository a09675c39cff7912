"""Long work as people see it: finance starts the month-end pack from its page, a page shows
the job's progress (a reload shows where it is) and offers the ZIP; nobody else sees the job."""

import io
import re
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import background
from app.extensions import db
from app.models import Job
from app.services import jobs
from tests.app.alert_support import alerting, inbox  # noqa: F401  (fixtures)
from tests.app.finance_support import finance_world, scrap  # noqa: F401  (fixtures)
from tests.app.store_support import desk  # noqa: F401  (fixtures)
from tests.conftest import require_tool

pytestmark = pytest.mark.slow


@pytest.fixture()
def september(app, monkeypatch, tmp_path, alerting, scrap, finance_world):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    scrap(n=2)  # the supplier's
    scrap(defect=finance_world.people)  # the store's
    return finance_world


def test_finance_starts_the_month_pack_follows_its_progress_and_downloads_the_zip(db_session, client, login, september):
    w = september
    login(w.finance)
    assert 'action="/jobs/month-pack"' in client.get("/finance/?month=2026-09").get_data(as_text=True)
    started = client.post("/jobs/month-pack", data={"month": "2026-09"})
    assert started.status_code == 303
    page_url = started.headers["Location"]
    job_id = re.fullmatch(r"/jobs/([0-9a-f]{32})", page_url).group(1)

    page = client.get(page_url).get_data(as_text=True)  # done at the commit (inline in the tests)
    assert "Month-end pack of 2026-09" in page and 'value="100"' in page
    assert f'href="/jobs/{job_id}/download"' in page and "month-pack-2026-09.zip" in page
    shown = client.get(f"/jobs/{job_id}.json").get_json()
    assert shown["ready"] and shown["progress"] == 100 and shown["download"] == f"/jobs/{job_id}/download"
    assert shown["state_label"] == "ready"
    file = client.get(f"/jobs/{job_id}/download")
    data = file.data
    file.close()  # the file is sent from disk, not held in memory
    assert file.status_code == 200 and "month-pack-2026-09.zip" in file.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        assert sorted(pack.namelist()) == [
            f"stores/store-{w.store.code}-2026-09.pdf",
            f"suppliers/claim-{w.product.supplier.code}-2026-09.pdf",
        ]
    assert "Month-end pack of 2026-09" in client.get("/jobs/").get_data(as_text=True)

    client.post("/logout")
    login(w.clerk)  # finance's pack is nobody else's: as good as absent
    for path in (page_url, f"/jobs/{job_id}.json", f"/jobs/{job_id}/download"):
        assert client.get(path).status_code == 404
    assert "Month-end pack" not in client.get("/jobs/").get_data(as_text=True)
    assert client.post("/jobs/month-pack", data={"month": "2026-09"}).status_code == 403


def test_a_queued_job_shows_its_progress_after_a_reload_and_bad_input_starts_nothing(
    app, monkeypatch, db_session, client, login, september
):
    w = september
    monkeypatch.setitem(app.config, "BACKGROUND", "thread")
    monkeypatch.setattr(background, "submit", lambda *a, **k: None)  # no worker yet
    login(w.finance)
    for month in ("2026-13", "x", ""):
        assert client.post("/jobs/month-pack", data={"month": month}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    page_url = client.post("/jobs/month-pack", data={"month": "2026-09"}).headers["Location"]
    job_id = page_url.rsplit("/", 1)[1]
    for _reload in range(2):
        page = client.get(page_url).get_data(as_text=True)
        assert "waiting for a worker" in page and 'value="0"' in page and "data-job-ready hidden" in page
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    background.run_in_app(app, background.path_of(jobs.run), job_id)  # a worker comes
    assert client.get(f"/jobs/{job_id}.json").get_json()["ready"]
    assert client.get("/jobs/" + "0" * 32).status_code == 404 and client.get("/jobs/nope").status_code == 404


def test_a_label_sheet_over_the_threshold_is_made_in_the_background_and_marks_the_pieces_when_ready(
    app, monkeypatch, tmp_path, db_session, client, login, alerting, desk, make_piece
):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    monkeypatch.setitem(app.config, "LABEL_JOB_THRESHOLD", 2)
    ours = [make_piece(store=desk.store, user=desk.clerk) for _ in range(3)]
    theirs = make_piece(store=desk.other_store, user=desk.other_clerk)
    login(desk.clerk)
    few = client.post(f"/store/pieces/{ours[0].id}/label", data={"format": "sheet"})
    assert few.status_code == 200 and few.mimetype == "application/pdf"  # one label: at once, as before

    started = client.post(
        "/store/labels", data={"which": "selected", "piece_ids": [p.id for p in ours], "format": "sheet", "start": "4"}
    )
    assert started.status_code == 303 and started.headers["Location"].startswith("/jobs/")
    job_id = started.headers["Location"].rsplit("/", 1)[1]
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Labels of 3 pieces" in page and 'value="100"' in page
    file = client.get(f"/jobs/{job_id}/download")
    pdf = file.data
    file.close()
    assert pdf.startswith(b"%PDF") and "labels-" in file.headers["Content-Disposition"]
    require_tool("pdftotext", "poppler-utils")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert all(p.code in text for p in ours) and theirs.code not in text
    db_session.expire_all()
    assert all(p.labelled_at is not None for p in ours) and theirs.labelled_at is None

    client.post("/logout")
    login(desk.other_clerk)
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def test_a_month_of_scrapped_pieces_beyond_the_threshold_exports_in_the_background_in_the_askers_language(
    app, monkeypatch, db_session, client, login, september
):
    w = september
    monkeypatch.setitem(app.config, "EXPORT_JOB_ROWS", 1)
    login(w.finance)
    supplier = w.product.supplier.id
    small = client.get(f"/finance/export/pieces.csv?month=2026-09&kind=store&party={w.store.id}")
    assert small.status_code == 200 and small.mimetype == "text/csv"  # one piece: at once, as before

    client.post("/language", data={"locale": "zh_Hans"})
    started = client.get(f"/finance/export/pieces.xlsx?month=2026-09&kind=supplier&party={supplier}")
    assert started.status_code == 303
    job_id = started.headers["Location"].rsplit("/", 1)[1]
    assert "2026-09 的报废件导出文件（xlsx）" in client.get(started.headers["Location"]).get_data(as_text=True)
    file = client.get(f"/jobs/{job_id}/download")
    data = file.data
    file.close()
    assert f"pieces-2026-09-supplier-{supplier}.xlsx" in file.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]][:2] == ["问题件", "门店"]  # the asker's language
    assert sheet.max_row == 3  # the header and the supplier's two pieces
