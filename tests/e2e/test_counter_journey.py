"""三包 at the counter on a phone: a clerk registers a customer's coat bought 40 days ago with
a broken zip, reads "free repair, send to the workshop", records it, prints the customer's
receipt (decoded by zbarimg, its Chinese read by pdftotext), and the piece joins the batch."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import require_tool
from tests.e2e.conftest import PHONE, axe_violations, log_in, screenshot
from tests.e2e.journey import Journey, decode_pdf, pdf_text
from tests.live import wait_for_js

pytestmark = pytest.mark.e2e
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _fits_the_phone(page) -> None:
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"), page.url


def test_a_customers_coat_at_the_counter_on_a_phone(new_page, live_server):
    require_tool("zbarimg", "zbar-tools")
    require_tool("pdftotext", "poppler-utils")
    sold = (live_server.clock().astimezone(SHANGHAI) - timedelta(days=40)).date()
    page = new_page(locale="zh-CN", viewport=PHONE)
    j = Journey("counter")
    log_in(page, "store")

    page.goto("/store/register")
    j.type(page.locator("#product"), "G24001")  # 男士羊毛大衣, a coat: six months
    j.choose(page.locator("#defect"), label="Q07 · 拉链损坏 · Broken zip")
    assert page.locator("#purchase-fields").is_visible()
    page.locator("#sold_on").fill(sold.isoformat())
    j.keys += 8
    j.type(page.locator("#price_paid"), "1299.00")
    j.type(page.locator("#receipt_no"), "XP20260001")
    j.click(page.locator("#worn"))
    _fits_the_phone(page)
    j.go(page.get_by_role("button", name="保存", exact=True))

    # The counter's answer: the suggestion first, already chosen.
    assert "/counter/pieces/" in page.url
    first = page.locator("ul.options li").first
    assert "包修（送售后服务部）" in first.inner_text() and "建议" in first.inner_text()
    assert first.locator("input[type=radio]").is_checked()
    assert axe_violations(page) == []
    _fits_the_phone(page)
    screenshot(page, "counter-decide-zh-phone")
    j.go(page.get_by_role("button", name="记录处理决定"))

    card = page.locator("#customer-return")
    assert "包修（送售后服务部）" in card.inner_text()
    code = page.locator("h1 .code").inner_text()
    _fits_the_phone(page)
    screenshot(page, "counter-piece-zh-phone")

    for name, size in (("顾客回执（A5）", "a5"), ("顾客回执（80 毫米）", "80mm")):
        with page.expect_download() as download:
            j.click(page.get_by_role("link", name=name))
        receipt = download.value.path().read_bytes()
        assert decode_pdf(receipt, 203) == {code}, size
        text = pdf_text(receipt)
        assert "三包服务回执" in text and "包修（送售后服务部）" in text and "预计返回日期" in text

    # The piece joins the store's weekly batch.
    page.goto("/store/batch")
    j.scan(page, code)  # answered without a reload: the piece on top
    wait_for_js(page, f"document.querySelector('[data-scan-rows] tr a.code')?.textContent === '{code}'")
    assert page.locator("#scan-log li.ok").count() == 1
    _fits_the_phone(page)
    print(j.report())
