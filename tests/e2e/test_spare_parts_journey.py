"""The spare-parts journey in a browser: receive parts with a receipt slip, repair a piece
with one of them, count the shelf, and the lead approves the difference; then the part's
ledger and the repair's cost agree to the cent."""

import re

import pytest

from tests.e2e.conftest import axe_violations, log_in, screenshot

pytestmark = pytest.mark.e2e


def test_receive_repair_count_and_approve_and_the_ledger_agrees_with_the_repairs_cost(new_page):
    tech = new_page(locale="en-US")
    log_in(tech, "tech")

    # Receive 10 zips of 60 cm at ¥7.20 (the shelf holds 20 at ¥6.80).
    tech.goto("/spares/")
    assert axe_violations(tech) == []
    tech.get_by_role("link", name="Receive parts").click()
    tech.locator("#supplier").fill("SUP01")
    tech.locator("#lines-0-part").fill("ZIP-60")  # a scanner types the shelf label's code
    tech.locator("#lines-0-quantity").fill("10")
    tech.locator("#lines-0-unit_price").fill("7.20")
    tech.get_by_role("button", name="Receive into stock").click()
    tech.wait_for_url(re.compile(r"/spares/receipts/\d+$"))
    assert "宁波雅戈服饰有限公司" in tech.content()
    slip = tech.request.get(tech.get_by_role("link", name="Receipt slip (PDF, two copies)").get_attribute("href"))
    assert slip.ok and slip.body().startswith(b"%PDF")

    # Repair the piece waiting on the lead's requisition with one zip (below the limits: no requisition needed).
    tech.goto("/spares/requisitions?status=requested")
    piece_code = tech.locator("table a.code").nth(1).inner_text()
    tech.locator("table a.code").nth(1).click()
    piece_id = re.search(r"/pieces/(\d+)", tech.url)[1]
    tech.goto(f"/bench/pieces/{piece_id}")
    tech.locator("#note").fill("换拉链")
    # A part's option reads "Zip 60 cm · 拉链 60 厘米 · <code> (条)": both names and the code.
    zip_part = tech.locator("#parts-0-part option", has_text="Zip 60 cm").first.get_attribute("value")
    tech.locator("#parts-0-part").select_option(value=zip_part)
    tech.locator("#parts-0-quantity").fill("1")
    tech.locator("#minutes").fill("30")
    tech.get_by_role("button", name="Repaired").click()
    tech.wait_for_url("**/bench/scan**")

    # Count the shelf in the stocktake under way: 28 zips where the books say 29.
    tech.goto("/spares/")
    tech.get_by_role("link", name="Stocktakes").first.click()
    tech.locator("table a.code").first.click()
    tech.locator("#part").fill("ZIP-60")
    tech.locator("#quantity").fill("28")
    tech.locator("#reason").fill("一条拉链头损坏")
    tech.get_by_role("button", name="Record the count").click()
    assert "-1" in tech.locator("#variance").inner_text()
    tech.get_by_role("button", name="Submit for approval").click()
    stocktake_url = tech.url

    # The lead approves: the differences go into the ledger.
    lead = new_page(locale="en-US")
    log_in(lead, "admin")
    lead.goto(stocktake_url)
    lead.get_by_role("button", name="Approve and post the differences").click()
    assert "approved and posted" in lead.content()

    # The ledger: +10 at 7.20, −1 to the repair, −1 at the stocktake; 28 on hand.
    tech.goto("/spares/")
    tech.get_by_role("link", name="ZIP-60").click()
    ledger = tech.locator("#ledger").inner_text()
    assert tech.locator("#on-hand").inner_text().startswith("28")
    assert "stocktake difference" in ledger and "issued to a repair" in ledger and "received" in ledger
    # 20 at ¥6.80 + 10 at ¥7.20 = 30 at ¥6.9333: the zip went to the repair at ¥6.93.
    issued = tech.locator("#ledger tr", has_text="issued to a repair").inner_text()
    assert "-¥6.93" in issued and piece_code in issued
    assert axe_violations(tech) == []
    screenshot(tech, "spares-ledger-en-desktop")

    # The repair's cost on its piece: that zip plus 30 minutes at ¥60.00 an hour.
    tech.goto(f"/pieces/{piece_id}")
    assert "cost ¥36.93 (parts ¥6.93, labour ¥30.00)" in tech.content()
