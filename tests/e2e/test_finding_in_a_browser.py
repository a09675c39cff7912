"""Finding a piece from the header of any page, on a phone and a desktop, in both languages,
and a region manager's figures leading to the deadline board (issue 12, part A)."""

import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, log_in, screenshot
from tests.e2e.journey import Journey

pytestmark = pytest.mark.e2e

# Finding a piece by the last digits of its label from any page: "/", four digits, Enter, one tap.
BUDGET = (1, 6)  # clicks, keystrokes


def right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"]


def test_a_piece_is_found_from_the_header_on_a_phone_and_a_desktop_and_figures_lead_to_their_lists(new_page):
    # A clerk on a phone, in Chinese: the menu is folded, the list is cards with nothing off-screen.
    page = new_page(locale="zh-CN", viewport=PHONE)
    log_in(page, "store")
    assert not page.get_by_role("navigation", name="主菜单").is_visible()
    assert page.locator("details.menu > summary").is_visible()
    page.goto("/store/?status=in_workshop")
    card = page.locator("table.cards tbody tr").first
    code = card.locator("a.code").inner_text()
    for cell in (card.locator("a.code"), card.locator(".badge"), card.locator("td.num")):
        assert cell.is_visible() and right_edge(cell) <= PHONE["width"]
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")

    page.goto("/home")
    journey = Journey("find a piece by the last digits of its label")
    journey.key(page, "/")
    assert page.evaluate("document.activeElement.id") == "header-search"
    page.keyboard.type(code[-5:-1])
    journey.keys += 4
    with page.expect_navigation():
        journey.key(page, "Enter")
    assert f">{code}</a>" in page.content()
    screenshot(page, "search-store-zh-phone")
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    journey.go(page.locator("a.code", has_text=code))
    assert re.search(r"/pieces/\d+$", page.url)
    print(journey.report())
    assert (journey.clicks, journey.keys) <= BUDGET, journey.report()

    # A technician at a desktop, in English: a whole code (as a scanner types it) opens the piece.
    bench = new_page(locale="en", viewport=DESKTOP)
    log_in(bench, "tech")
    bench.goto("/bench/deadlines")
    bench.keyboard.press("/")
    bench.keyboard.type(code)
    with bench.expect_navigation():
        bench.keyboard.press("Enter")
    assert re.search(r"/pieces/\d+$", bench.url) and code in bench.content()

    # A region manager on a phone: 已超期 leads to the overdue pieces of the region's stores,
    # with the on-time rate of each store.
    region = new_page(locale="zh-CN", viewport=PHONE)
    log_in(region, "region")
    with region.expect_navigation():
        region.locator("li.figure", has_text="已超期").locator("a").click()
    assert "clock=overdue" in region.url
    assert region.get_by_role("heading", name="各门店按时率（最近 30 天）").is_visible()
    first = region.locator("table.cards tbody tr").first.locator("td.num")
    assert right_edge(first) <= PHONE["width"]
    screenshot(region, "deadlines-region-zh-phone")
