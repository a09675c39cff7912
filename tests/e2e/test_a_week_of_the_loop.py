"""A whole week of the loop in a real browser, through the visible page: a store registers
and dispatches, the workshop receives, grades, repairs and returns, the store receives back,
finance closes the month. The journeys run in order and share what they made."""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from PIL import Image

from tests.conftest import require_tool
from tests.e2e.conftest import PHONE, axe_violations, log_in, screenshot
from tests.e2e.journey import Journey, decode_pdf, pdf_text
from tests.live import wait_for_js

pytestmark = pytest.mark.e2e

# What each journey may cost a person; a change that makes one longer fails here first.
# The same figures are in README.md ("Journeys").
BUDGETS = {
    "store registers and dispatches": (27, 67, 5),
    "workshop receives, grades and returns": (10, 40, 14),
    "store receives the return": (4, 14, 3),
    "finance closes the month": (12, 20, 0),
}
WEEK: dict = {}  # what the journeys made, for the next ones
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module", autouse=True)
def _a_fixed_week(live_server):
    """The week happens today at ten in Shanghai; finance comes on the 2nd of next month."""
    today = datetime.now(SHANGHAI).date()
    live_server.clock.moment = datetime(today.year, today.month, today.day, 10, 0, tzinfo=SHANGHAI)
    WEEK["month"] = f"{today.year}-{today.month:02d}"
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    WEEK["finance_day"] = datetime(first_of_next.year, first_of_next.month, 2, 10, 0, tzinfo=SHANGHAI)
    yield
    live_server.clock.moment = None


@pytest.fixture(scope="module", autouse=True)
def _tools():
    require_tool("zbarimg", "zbar-tools")
    require_tool("pdftoppm", "poppler-utils")


def _photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def _check_budget(journey: Journey) -> None:
    print(journey.report())
    clicks, keys, scans = BUDGETS[journey.name]
    assert journey.clicks <= clicks and journey.keys <= keys and journey.scans <= scans, journey.report()


def _register(
    j: Journey, page, style: str, size: str, colour: str, defect: str, another: bool, photo: bytes | None = None
):
    product = page.locator("#product")
    if product.input_value() != style:
        # The cursor is in the style code, and a refilled one is selected: typing replaces it.
        wait_for_js(page, "document.activeElement && document.activeElement.id === 'product'")
        page.keyboard.type(style)
        j.keys += len(style)
        assert product.input_value() == style
    j.type(page.locator("#size"), size)
    j.type(page.locator("#colour"), colour)
    j.choose(page.locator("#defect"), label=defect)
    if photo is not None:
        page.locator("#photos").set_input_files({"name": "fault.jpg", "mimeType": "image/jpeg", "buffer": photo})
        j.clicks += 2  # open the file chooser, pick the photo
    j.go(page.get_by_role("button", name="保存并继续登记" if another else "保存", exact=True))


def test_1_a_store_registers_five_pieces_prints_labels_and_dispatches_the_weekly_batch(new_page, tmp_path):
    j = Journey("store registers and dispatches")
    page = new_page(locale="zh-CN")
    page.goto("/login")
    j.type(page.locator("input[name=username]"), "jingan")
    j.type(page.locator("input[name=password]"), "demo1234")
    j.go(page.get_by_role("button", name="登录"))
    j.go(page.get_by_role("link", name="登记问题件"))

    _register(
        j,
        page,
        "G24001",
        "L",
        "黑色",
        "Q01 · 脱线、开边、破口（非磨损） · Open seam, split or hole not caused by wear",
        another=True,
        photo=_photo_bytes(),
    )
    assert page.locator("#product").input_value() == "G24001"  # kept for the next one
    _register(j, page, "G24001", "XL", "黑色", "Q07 · 拉链损坏 · Broken zip", another=True)
    _register(
        j, page, "G24001", "M", "藏青", "N08 · 人为损坏（撕破、污损） · Damage by people (torn, dirty)", another=True
    )
    # Another product: its style code typed (or scanned) over the refilled, selected one.
    _register(j, page, "S24101", "42", "米白", "Q11 · 鞋底开胶 · Sole coming unglued", another=True)
    _register(j, page, "G24005", "170/88A", "米白", "N09 · 原因无法判定 · Cause cannot be told", another=False)

    j.go(page.get_by_role("link", name="问题件", exact=True))
    codes = page.locator("table a.code").all_inner_texts()
    assert len(codes) == 5
    WEEK["codes"] = sorted(codes)

    with page.expect_download() as download:
        j.click(page.get_by_role("button", name="打印所有未打印标签的问题件"))
    sheet = download.value.path().read_bytes()
    assert decode_pdf(sheet, 300) == set(codes)
    assert decode_pdf(sheet, 203) == set(codes)
    assert "上海静安寺店" in pdf_text(sheet)

    j.go(page.get_by_role("link", name="本周批次"))
    for n, code in enumerate(WEEK["codes"], start=1):
        j.scan(page, code)  # answered without a reload: the piece on top, a tone, the count
        wait_for_js(page, f"document.querySelector('[data-scan-rows] tr a.code')?.textContent === '{code}'")
        wait_for_js(page, f"document.querySelector('[data-count=batch]').textContent === '{n}'")
    assert page.locator("#scan-log li.ok").count() == 5
    assert sorted(page.locator("[data-scan-rows] a.code").all_inner_texts()) == WEEK["codes"]
    screenshot(page, "store-batch-zh-desktop")

    j.choose(page.locator("#carrier"), label="顺丰速运")
    j.type(page.locator("#tracking_no"), "SF1234567890")
    j.click(page.locator("#confirm"))
    j.go(page.get_by_role("button", name="发出批次"))
    assert page.get_by_text("已锁定", exact=False).count() + page.get_by_text("运输中", exact=False).count() > 0

    with page.expect_download() as download:
        j.click(page.get_by_role("link", name="下载发货单（PDF）"))
    slip = download.value.path().read_bytes()
    text = pdf_text(slip)
    assert all(code in text for code in WEEK["codes"]) and "上海静安寺店" in text
    batch_codes = decode_pdf(slip, 300)
    assert len(batch_codes) == 1 and next(iter(batch_codes)).startswith("B")
    WEEK["batch"] = next(iter(batch_codes))
    _check_budget(j)


def test_5_another_store_is_refused_the_first_stores_piece_and_batch(new_page):
    if "codes" not in WEEK:
        pytest.skip("journey 1 did not run")
    page = new_page(locale="zh-CN")
    log_in(page, "store2")
    piece_id = int(WEEK["codes"][0][1:-1])
    batch_id = int(WEEK["batch"][1:-1])
    for path in (
        f"/pieces/{piece_id}",
        f"/batches/{batch_id}",
        f"/store/batches/{batch_id}/slip.pdf",
        f"/store/receive/{batch_id}",
    ):
        response = page.goto(path)
        assert response.status == 404, path
        assert "上海静安寺店" not in page.content()


def _needs(*keys):
    missing = [k for k in keys if k not in WEEK]
    if missing:
        pytest.skip(f"an earlier journey did not run: {missing}")


def _station_answer(page) -> str:
    return page.locator("#scan-answer").inner_text()


def test_2_the_workshop_receives_grades_repairs_and_sends_back_in_english(new_page):
    _needs("codes", "batch")
    c = WEEK["codes"]  # registration order: Q01, Q07, N08, Q11, N09
    j = Journey("workshop receives, grades and returns")
    page = new_page(locale="en-US")
    page.on("dialog", lambda dialog: (dialog.accept(), setattr(j, "clicks", j.clicks + 1)))
    page.goto("/login")
    j.type(page.locator("input[name=username]"), "tech")
    j.type(page.locator("input[name=password]"), "demo1234")
    j.go(page.get_by_role("button", name="Log in"))
    j.go(page.get_by_role("link", name="Scan station"))

    # Receiving: the slip, then four of the five pieces, all without a click.
    clicks_before = j.clicks
    j.scan(page, WEEK["batch"])
    wait_for_js(page, "document.getElementById('count-expected').textContent === '5'")
    for code in c[:4]:
        j.scan(page, code)
    wait_for_js(page, "document.getElementById('count-received').textContent === '4'")
    assert page.locator("#count-missing").inner_text() == "1"
    screenshot(page, "bench-receiving-en-desktop")
    j.key(page, "Control+Enter")  # the station's shortcut (or Tab, Tab, Enter on the button)
    # The confirmation is accepted: one click, counted by the dialog handler.
    wait_for_js(page, "document.getElementById('batch-status').textContent === 'checked and closed'")
    assert page.locator("#count-missing").inner_text() == "1"
    assert j.clicks == clicks_before + 1  # only the confirmation dialog
    # The fifth turns up later and is still received.
    j.scan(page, c[4])
    wait_for_js(page, "document.getElementById('count-received').textContent === '5'")
    assert "received" in _station_answer(page)

    # Grading: one scan, a key, Enter. The Q07 broken zip is scrapped with the suggested blame.
    j.click(page.locator("[data-mode=grade]"))
    for code, key in ((c[0], "1"), (c[2], "1"), (c[3], "1"), (c[4], "2"), (c[1], "3")):
        j.scan(page, code, navigates=True)
        page.wait_for_url("**/bench/pieces/*")
        if code == c[1]:
            j.key(page, key)
            assert page.locator("#blame-fields").is_visible()
            assert page.locator("input[name=blame][value=supplier]").is_checked()  # the suggestion, preselected
            screenshot(page, "bench-card-scrap-en-desktop")
        else:
            j.key(page, key)
        with page.expect_navigation():
            j.key(page, "Enter")
    assert f"Piece {c[1]} graded: scrap." in page.content()

    # A repair on the first piece, by keyboard: the focus is on the first operation already.
    j.scan(page, c[0], navigates=True)
    wait_for_js(page, "document.activeElement && document.activeElement.name === 'operations'")
    j.key(page, "1")  # ticks operation 1
    j.key(page, "Tab")
    page.keyboard.type("20")
    j.keys += 2
    with page.expect_navigation():
        j.key(page, "Enter")
    assert f"Piece {c[0]} repaired" in page.content()

    # The return parcel: pack the repaired and the no-fault piece by scanning, dispatch it.
    j.go(page.get_by_role("link", name="Return parcels"))
    j.go(page.get_by_role("link", name="Pack by scanning"))
    for code in (c[0], c[4]):
        j.scan(page, code)
        wait_for_js(page, f"document.getElementById('scan-answer').textContent.includes('{code}')")
    j.go(page.get_by_role("link", name="Return parcels"))
    row = page.locator("tr", has_text="上海静安寺店")
    WEEK["return_batch"] = row.locator("a.code").inner_text()
    j.go(row.locator("a.code"))
    j.type(page.locator("#tracking_no"), "SF9876543210")
    j.go(page.get_by_role("button", name="Dispatch the parcel"))
    assert "dispatched" in page.content()
    WEEK["returned"] = [c[0], c[4]]
    WEEK["scrapped"] = c[1]
    _check_budget(j)


def test_3_the_store_receives_its_pieces_back_and_their_clocks_stop(new_page):
    _needs("return_batch", "returned")
    j = Journey("store receives the return")
    page = new_page(locale="zh-CN")
    page.goto("/login")
    j.type(page.locator("input[name=username]"), "jingan")
    j.type(page.locator("input[name=password]"), "demo1234")
    j.go(page.get_by_role("button", name="登录"))
    j.go(page.get_by_role("link", name="收货"))
    j.scan(page, WEEK["return_batch"], navigates=True)  # the slip opens its parcel's check
    for n, code in enumerate(WEEK["returned"], start=1):
        j.scan(page, code)  # answered without a reload
        wait_for_js(page, f"document.querySelector('[data-count=received]').textContent === '{n}'")
    assert page.locator("#scan-log li.ok").count() == 2
    j.click(page.locator("#confirm"))
    j.go(page.get_by_role("button", name="结束核对"))

    piece_id = int(WEEK["returned"][0][1:-1])
    page.goto(f"/pieces/{piece_id}")
    assert "按时返回" in page.content()  # the clock stopped, in time
    timeline = page.locator("ol.timeline li").all_inner_texts()
    for step in ("已登记", "装入批次", "发往售后服务部", "售后服务部签收", "已维修", "发回门店", "门店签收返还件"):
        assert any(step in line for line in timeline), (step, timeline)
    screenshot(page, "piece-timeline-zh-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "piece-timeline-zh-phone")
    assert axe_violations(page) == []
    _check_budget(j)


def test_4_finance_sees_the_scrap_closes_the_month_and_the_closed_month_refuses_a_change(new_page, live_server):
    _needs("scrapped")
    j = Journey("finance closes the month")
    live_server.clock.moment = WEEK["finance_day"]
    month, code = WEEK["month"], WEEK["scrapped"]
    page = new_page(locale="en-US")
    page.goto("/login")
    j.type(page.locator("input[name=username]"), "finance")
    j.type(page.locator("input[name=password]"), "demo1234")
    j.go(page.get_by_role("button", name="Log in"))
    j.go(page.get_by_role("link", name="Finance", exact=True))
    j.go(page.get_by_role("link", name=f"‹ {month}"))
    supplier_row = page.locator("tr", has_text="宁波雅戈服饰有限公司")
    assert supplier_row.count() == 1  # a manufacturing fault: under the supplier
    screenshot(page, "finance-month-en-desktop")

    j.go(supplier_row.get_by_role("link", name="宁波雅戈服饰有限公司"))
    piece_row = page.locator("tr", has_text=code)
    assert "¥420.00" in piece_row.inner_text()  # G24001's unit cost at the moment of scrapping
    j.go(page.get_by_role("link", name=f"‹ {month}").or_(page.get_by_role("link", name=re.compile(month))).first)

    with page.expect_download() as download:
        j.click(page.get_by_role("link", name="this month (Excel)"))
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = [str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value is not None]
    assert "宁波雅戈服饰有限公司" in cells

    j.go(page.get_by_role("link", name=f"Close {month}…"))
    j.click(page.locator("#confirm"))
    j.go(page.get_by_role("button", name="Close the month"))
    assert "closed" in page.content()

    # The claim opens in the browser's PDF viewer: read what the link serves.
    link = page.locator("tr", has_text="宁波雅戈服饰有限公司").get_by_role("link", name="Claim PDF")
    response = page.request.get(link.get_attribute("href"))
    j.clicks += 1
    assert response.headers["content-type"] == "application/pdf"
    claim = pdf_text(response.body())
    assert code in claim and "宁波雅戈服饰有限公司" in claim and "420.00" in claim
    _check_budget(j)

    # Later, the workshop tries to change who pays for that piece: the closed month refuses.
    tech = new_page(locale="en-US")
    log_in(tech, "tech")
    tech.goto(f"/bench/pieces/{int(code[1:-1])}")
    tech.locator("input[name=blame][value=store]").check()
    tech.locator("#reason").fill("The store damaged it")
    with tech.expect_navigation():
        tech.get_by_role("button", name="Change who pays").click()
    assert f"{month} is closed" in tech.content() and "adjustment" in tech.content()


def _y4m_of_label(code: str, path) -> None:
    """A few seconds of 'camera' showing the piece's printed thermal label (YUV4MPEG2, 4:2:0)."""
    import subprocess
    import tempfile
    from datetime import date
    from pathlib import Path

    from labels import PieceLabel, thermal_labels

    pdf = thermal_labels(
        [
            PieceLabel(
                code=code,
                store="上海静安寺店",
                product="男士羊毛大衣",
                size_colour="M / 藏青",
                defect="N08 人为损坏",
                registered_on=date.today(),
            )
        ]
    )
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "label.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", "-singlefile", str(Path(tmp) / "label.pdf"), str(Path(tmp) / "label")],
            check=True,
        )
        label = Image.open(Path(tmp) / "label.png").convert("RGB")
    width, height = 640, 480
    label.thumbnail((width - 40, height - 40))
    frame = Image.new("RGB", (width, height), (255, 255, 255))
    frame.paste(label, ((width - label.width) // 2, (height - label.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(20):
            f.write(b"FRAME\n" + planes)


def test_6_on_a_phone_the_camera_buttons_scan_a_label(playwright, chromium_path, live_server, tmp_path):
    _needs("codes")
    from playwright.sync_api import expect

    from tests.e2e.conftest import CHROMIUM_FLAGS

    code = WEEK["codes"][2]  # repairable, waiting for its repair: scanning it opens its card
    video = tmp_path / "label.y4m"
    _y4m_of_label(code, video)
    browser = playwright.chromium.launch(
        executable_path=chromium_path,
        headless=True,
        args=[
            *CHROMIUM_FLAGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(
            locale="en-US",
            viewport=PHONE,
            base_url=live_server.base_url,
            has_touch=True,
            is_mobile=True,
            permissions=["camera"],
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        log_in(page, "tech")
        page.goto("/bench/scan?mode=grade")
        screenshot(page, "bench-scan-en-phone")
        page.get_by_role("button", name="Camera").click()
        page.wait_for_url(f"**/bench/pieces/{int(code[1:-1])}", timeout=30_000)
        assert code in page.content()
        # The registration page's Camera button fills the field beside it with what it reads.
        desk = browser.new_context(
            locale="en-US", viewport=PHONE, base_url=live_server.base_url, is_mobile=True, permissions=["camera"]
        )
        desk.set_default_timeout(20_000)
        clerk = desk.new_page()
        log_in(clerk, "store")
        clerk.goto("/store/register")
        clerk.locator("button[data-camera-for=product]").click()
        expect(clerk.locator("#product")).to_have_value(code, timeout=30_000)
    finally:
        browser.close()
