"""A piece repaired twice comes back a third time: the store sends it in again by its old
label, the workshop's card recommends an exchange, the technician chooses it, finance sees
the scrap cost, and the piece's page shows its three trips (issue 11, rule 6)."""

from datetime import timedelta

import pytest

from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e


def _repaired_twice(server):
    """Through the real services, in a store of its own: a piece repaired twice for the same
    defect and back at its store, and the ids the journey needs."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import DefectCode, Product, Region, Store, User
    from app.services import batches, grading, registration, returns, scanning, trips
    from app.services.settings import rules
    from workshop.statuses import Direction, Grade, Source

    with server.app.app_context():
        region = db.session.scalars(select(Region).where(Region.code == "EAST")).one()
        store = Store(code="SH011", name="上海陆家嘴店", region=region, weekly_quota=20)
        clerk = User(username="lujiazui", display_name="陈晨（陆家嘴店）", role="store", store=store)
        clerk.set_password("demo1234")
        db.session.add_all([store, clerk])
        tech = db.session.scalars(select(User).where(User.username == "tech")).one()
        product = db.session.scalars(select(Product).order_by(Product.id)).first()
        defect = db.session.scalars(
            select(DefectCode).where(DefectCode.active.is_(True), DefectCode.suggested_blame == "supplier")
        ).first()
        at = server.clock() - timedelta(days=40)
        piece = registration.register_piece(
            clerk,
            store,
            registration.NewPiece(product=product, defect=defect, source=Source.CUSTOMER_RETURN),
            rules(),
            at=at,
        )
        for trip in range(2):
            if trip:
                trips.send_again(clerk, piece, trips.NewTrip(defect=defect, description="又开线"), at=at)
            batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND, at=at)
            batches.add_piece(clerk, batch, piece, at=at)
            batches.dispatch_batch(clerk, batch, rules(), carrier="顺丰速运", tracking_no="SF11000001", at=at)
            scanning.start_check(tech, batch, at=at + timedelta(days=1))
            scanning.receive_scan(tech, batch, piece.code, at=at + timedelta(days=1))
            scanning.close_check(tech, batch, at=at + timedelta(days=1))
            grading.grade_piece(tech, piece, Grade.REPAIRABLE, rules(), at=at + timedelta(days=2))
            grading.record_repair(
                tech,
                piece,
                grading.RepairRecord(operations=(), minutes=15, note=f"第{trip + 1}次补缝"),
                at=at + timedelta(days=2),
            )
            back = batches.open_or_create_batch(tech, store, Direction.RETURN, at=at + timedelta(days=2))
            returns.pack_return(tech, back, piece, at=at + timedelta(days=2))
            returns.dispatch_return(tech, back, carrier="顺丰速运", tracking_no="SF11000002", at=at + timedelta(days=3))
            scanning.start_check(clerk, back, at=at + timedelta(days=4))
            returns.receive_back_scan(clerk, back, piece.code, rules(), at=at + timedelta(days=4))
            scanning.close_check(clerk, back, at=at + timedelta(days=4))
            at += timedelta(days=12)
        db.session.commit()
        return piece.id, piece.code, product.supplier_id, defect.id


def _received(server, piece_id):
    """The store's parcel with the piece (dispatched in the browser) received at the workshop."""
    from app.extensions import db
    from app.models import Piece, User
    from app.services import scanning

    with server.app.app_context():
        piece = db.session.get(Piece, piece_id)
        tech = db.session.query(User).filter_by(username="tech").one()
        scanning.start_check(tech, piece.batch)
        scanning.receive_scan(tech, piece.batch, piece.code)
        scanning.close_check(tech, piece.batch)
        db.session.commit()
        return piece.scrap_month


def test_a_piece_repaired_twice_comes_back_and_is_exchanged(new_page, live_server):
    piece_id, code, supplier_id, defect_id = _repaired_twice(live_server)

    # The store: the customer brought it back a third time; its old label finds it.
    page = new_page(locale="en-US")
    log_in(page, "lujiazui")
    page.goto("/store/send-again")
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(f"**/store/pieces/{piece_id}/send-again")
    assert page.get_by_text("the workshop will recommend an exchange").is_visible()
    page.locator("select[name=defect]").select_option(str(defect_id))
    page.locator("textarea[name=description]").fill("第三次开线")
    page.get_by_role("button", name="Send it in again").click()
    page.wait_for_url(f"**/pieces/{piece_id}")
    assert page.get_by_text("is sent in again (trip 3)").is_visible()
    # Into this week's batch by its old label, and dispatched.
    page.goto("/store/batch")
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=code]").press("Enter")
    page.wait_for_load_state()
    page.locator("input[name=tracking_no]").fill("SF11000003")
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="Dispatch the batch").click()
    page.wait_for_load_state()
    _received(live_server, piece_id)

    # The workshop: the card recommends the exchange and has it chosen; confirm with the supplier's blame.
    tech = new_page(locale="en-US")
    log_in(tech, "tech")
    tech.goto(f"/bench/pieces/{piece_id}")
    assert tech.get_by_text("Recommended: exchange").is_visible()
    assert tech.locator("input[name=grade][value=exchange]").is_checked()
    screenshot(tech, "card-exchange-en-desktop")
    tech.get_by_role("button", name="Confirm the grade").click()
    tech.wait_for_url("**/bench/scan**")

    # Finance: the scrap cost under the supplier, the piece named.
    month = None
    from app.extensions import db
    from app.models import Piece
    from workshop.money import Month

    with live_server.app.app_context():
        scrapped = db.session.get(Piece, piece_id)
        assert scrapped.grade.value == "exchange" and scrapped.scrap_cost is not None
        month, cost = str(Month.from_key(scrapped.scrap_month)), scrapped.scrap_cost
    books = new_page(locale="en-US")
    log_in(books, "finance")
    books.goto(f"/finance/{month}/supplier?party={supplier_id}")
    row = books.locator("tr", has_text=code)
    assert row.count() == 1 and f"{cost:,.2f}" in row.inner_text()

    # The piece's page: all three trips.
    page.goto(f"/pieces/{piece_id}")
    assert page.get_by_role("heading", name="Earlier trips").is_visible()
    assert page.locator("section", has_text="Earlier trips").locator("tbody tr").count() == 2
    assert page.get_by_text("trip 3", exact=True).first.is_visible()
    screenshot(page, "piece-three-trips-en-desktop")
