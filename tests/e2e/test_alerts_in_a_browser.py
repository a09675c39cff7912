"""The issue's journey for alerts, in a browser: the workshop closes a parcel's check with a
piece missing; the store's user sees the bell's count and the message, and follows its link
to the piece. Another store's user hears nothing of it."""

import pytest
from sqlalchemy import select

from tests.e2e.conftest import axe_violations, log_in, screenshot
from tests.live import wait_for_js

pytestmark = pytest.mark.e2e


def _a_dispatched_parcel(app) -> dict:
    """A store of its own (so the week's journeys are untouched) whose parcel of two pieces
    is on its way to the workshop."""
    from app.extensions import db
    from app.models import DefectCode, Product, Region, Store, User
    from app.services import batches, registration
    from app.services.settings import rules
    from workshop.statuses import Direction, Source

    with app.app_context():
        store = Store(code="SH010", name="上海新天地店", region=db.session.scalars(select(Region)).first())
        clerk = User(username="xintiandi", display_name="王芳（新天地店）", role="store", store=store)
        clerk.set_password("demo1234")
        db.session.add_all([store, clerk])
        db.session.flush()
        product = db.session.scalars(select(Product).order_by(Product.id)).first()
        defect = db.session.scalars(select(DefectCode).order_by(DefectCode.id)).first()
        pieces = [
            registration.register_piece(
                clerk, store, registration.NewPiece(product=product, defect=defect, source=Source.SHELF), rules()
            )
            for _ in range(2)
        ]
        batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND)
        for piece in pieces:
            batches.add_piece(clerk, batch, piece)
        batches.dispatch_batch(clerk, batch, rules(), carrier="顺丰速运", tracking_no="SF5550001")
        db.session.commit()
        return {"batch": batch.code, "pieces": [(p.id, p.code) for p in pieces]}


def test_a_store_hears_of_its_missing_piece_by_the_bell_and_follows_it_to_the_piece(new_page, live_server):
    made = _a_dispatched_parcel(live_server.app)
    (_got_id, got), (missing_id, missing) = made["pieces"]

    tech = new_page(locale="en-US")
    tech.on("dialog", lambda dialog: dialog.accept())
    log_in(tech, "tech")
    tech.goto("/bench/scan")
    for code in (made["batch"], got):
        wait_for_js(tech, "document.activeElement && document.activeElement.tagName === 'INPUT'")
        tech.keyboard.type(code)
        tech.keyboard.press("Enter")
        if code == made["batch"]:
            wait_for_js(tech, "document.getElementById('count-expected').textContent === '2'")
    wait_for_js(tech, "document.getElementById('count-received').textContent === '1'")
    tech.locator("#close-check").click()
    wait_for_js(tech, "document.getElementById('batch-status').textContent === 'checked and closed'")

    other = new_page(locale="zh-CN")
    log_in(other, "store2")  # another store: no word of this parcel
    other.goto("/notifications")
    assert made["batch"] not in other.content() and missing not in other.content()

    page = new_page(locale="zh-CN")
    log_in(page, "xintiandi")
    bell = page.locator("a.bell")
    assert bell.locator(".bell-count").inner_text() == "1"
    with page.expect_navigation():
        bell.click()
    note = page.locator(".note.unread").first
    assert f"售后服务部已核对 上海新天地店 的包裹 {made['batch']}" in note.inner_text()
    assert f"缺少：{missing}" in note.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "notifications-store-zh-desktop")
    with page.expect_navigation():
        note.get_by_role("link").first.click()
    assert page.url.endswith(f"/pieces/{missing_id}")
    assert missing in page.content()
    assert page.locator("a.bell .bell-count").count() == 0  # opened, so read
