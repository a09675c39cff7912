"""A whole week of the loop in a real browser, through the visible page: a store registers
and dispatches, the workshop receives, grades, repairs and returns, the store receives back,
finance closes the month. The journeys run in order and share what they made."""

import io
import re

import pytest
from PIL import Image

from tests.conftest import require_tool
from tests.e2e.conftest import PHONE, axe_violations, log_in, screenshot
from tests.e2e.journey import Journey, decode_pdf, pdf_text

pytestmark = pytest.mark.e2e

# What each journey may cost a person; a change that makes one longer fails here first.
# The same figures are in README.md ("Journeys").
BUDGETS = {
    "store registers and dispatches": (32, 80, 5),
}
WEEK: dict = {}  # what the journeys made, for the next ones


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


def _register(j: Journey, page, style: str, size: str, colour: str, defect: str, another: bool, photo: bytes | None = None):
    if not page.locator("#product").input_value():
        j.type(page.locator("#product"), style)
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

    _register(j, page, "G24001", "L", "黑色", "Q01 · 脱线、开边、破口（非磨损） · Open seam, split or hole not caused by wear", another=True, photo=_photo_bytes())
    assert page.locator("#product").input_value() == "G24001"  # kept for the next one
    _register(j, page, "G24001", "XL", "黑色", "Q07 · 拉链损坏 · Broken zip", another=True)
    _register(j, page, "G24001", "M", "藏青", "N08 · 人为损坏（撕破、污损） · Damage by people (torn, dirty)", another=False)
    for style, size, defect in (("S24101", "42", "Q11 · 鞋底开胶 · Sole coming unglued"), ("G24005", "170/88A", "N09 · 原因无法判定 · Cause cannot be told")):
        j.go(page.get_by_role("link", name="登记问题件"))
        _register(j, page, style, size, "米白", defect, another=False)

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
    for code in WEEK["codes"]:
        j.scan(page, code, navigates=True)
    assert sorted(page.locator("table a.code").all_inner_texts()[:5]) == WEEK["codes"]
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
    for path in (f"/pieces/{piece_id}", f"/batches/{batch_id}", f"/store/batches/{batch_id}/slip.pdf", f"/store/receive/{batch_id}"):
        response = page.goto(path)
        assert response.status == 404, path
        assert "上海静安寺店" not in page.content()
