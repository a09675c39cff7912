"""The scan station in a real browser: a 30-piece parcel in 31 scans and no click, then a
grade with one key and Enter. Skipped where Playwright or Chromium is missing."""

import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Event, Piece
from tests.app.conftest import PASSWORD
from tests.app.test_bench_scan_station import make_parcel  # noqa: F401  (fixture)
from tests.live import wait_for_js
from workshop.statuses import PieceStatus


@pytest.fixture()
def live_server(app, db_session):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture()
def page(live_server, playwright, chromium_path):
    browser = playwright.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    yield page
    browser.close()
    assert not errors, errors


def test_a_thirty_piece_parcel_is_received_with_thirty_one_scans_and_no_click(
    live_server, page, make_parcel, make_user
):
    batch, pieces = make_parcel(30)
    tech = make_user("technician")
    codes, slip = [p.code for p in pieces], batch.code
    page.goto(f"{live_server}/login")
    page.fill("#username", tech.username)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/home")
    page.goto(f"{live_server}/bench/scan")
    assert page.evaluate("document.activeElement.id") == "scan-input"
    for text in [slip, *codes]:
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    wait_for_js(page, "document.getElementById('count-received').textContent === '30'", timeout=20_000)
    assert page.inner_text("#count-missing") == "0"
    assert "answer ok" in page.get_attribute("#scan-answer", "class")
    assert page.evaluate("document.activeElement.id") == "scan-input"
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "receive")) == 30

    # Grading: one scan opens the card, "1" chooses repairable, Enter confirms.
    page.click("[data-mode=grade]")
    page.keyboard.type(codes[0])
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/bench/pieces/{pieces[0].id}")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/bench/scan?mode=grade")
    db.session.commit()
    assert db.session.get(Piece, pieces[0].id).status == PieceStatus.REPAIRABLE


def test_the_camera_polyfill_and_its_wasm_are_served_by_us(client):
    with client.get("/static/vendor/barcode-detector/ponyfill.js") as polyfill:
        assert polyfill.status_code == 200
    with client.get("/static/vendor/barcode-detector/zxing_reader.wasm") as wasm:
        assert wasm.status_code == 200 and wasm.data[:4] == b"\0asm"
    with client.get("/static/js/scanning.js") as response:  # the camera of every scan page
        script = response.get_data(as_text=True)
    assert "prepareZXingModule" in script and "locateFile" in script


def test_the_check_is_closed_from_the_keyboard_and_the_missing_piece_is_counted(
    live_server, page, make_parcel, make_user
):
    batch, pieces = make_parcel(3)
    tech = make_user("technician")
    slip, codes = batch.code, [p.code for p in pieces]
    page.goto(f"{live_server}/login")
    page.fill("#username", tech.username)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/home")
    page.goto(f"{live_server}/bench/scan")
    for text in [slip, *codes[:2]]:
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    wait_for_js(page, "document.getElementById('count-received').textContent === '2'", timeout=10_000)
    page.keyboard.press("Tab")  # the camera button
    page.keyboard.press("Tab")  # "Close the check"
    assert page.evaluate("document.activeElement.id") == "close-check"
    page.keyboard.press("Enter")  # the confirmation is accepted by the fixture
    wait_for_js(page, "document.getElementById('batch-status').textContent === 'checked and closed'", timeout=10_000)
    assert page.inner_text("#scan-answer") == f"Check of batch {slip} closed: 2 received, 1 missing, 0 unexpected."
    assert page.evaluate("document.activeElement.id") == "scan-input"
    db.session.commit()
    assert db.session.get(Piece, pieces[2].id).status == PieceStatus.MISSING
