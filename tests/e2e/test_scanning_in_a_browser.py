"""The scanning pages in a real browser, beyond the week's journeys.

No lost scan (issue 18): the workshop's network drops in the middle of a parcel; the scans
made meanwhile wait in the browser, shown as waiting, and are sent in order when it comes
back — and a scan that reached the server although its answer was lost is applied once.
The repair card by keyboard (issue 12): one operation, the minutes and one part in at most
8 keystrokes."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import log_in
from tests.live import wait_for_js

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def _an_open_month(live_server):
    """Early next month (the week's journeys close this month when they run first)."""
    today = datetime.now(SHANGHAI).date()
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    live_server.clock.moment = datetime(first_of_next.year, first_of_next.month, 3, 10, 0, tzinfo=SHANGHAI)
    yield
    live_server.clock.moment = None


def _parcel(app, n: int) -> tuple[str, list[str], list[int]]:
    """A dispatched parcel of ``n`` pieces from a demo store, made through the services."""
    from app.extensions import db
    from app.models import DefectCode, Product, User
    from app.services import batches, registration
    from app.services.settings import rules as current_rules
    from workshop.statuses import Direction, Source

    with app.app_context():
        clerk = db.session.scalars(select(User).where(User.username == "store2")).one()
        store = clerk.store
        product = db.session.scalars(select(Product).order_by(Product.id)).first()
        defect = db.session.scalars(select(DefectCode).order_by(DefectCode.id)).first()
        rules = current_rules()
        pieces = [
            registration.register_piece(
                clerk,
                store,
                registration.NewPiece(product=product, defect=defect, source=Source.CUSTOMER_RETURN),
                rules,
            )
            for _ in range(n)
        ]
        batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND)
        for piece in pieces:
            batches.add_piece(clerk, batch, piece)
        batches.dispatch_batch(
            clerk, batch, rules, carrier="顺丰速运", tracking_no="SF5550001234", shipping_fee=Decimal("18.00")
        )
        db.session.commit()
        return batch.code, [p.code for p in pieces], [p.id for p in pieces]


def _receipts(app, piece_ids: list[int]) -> dict[int, int]:
    from app.extensions import db
    from app.models import Event

    with app.app_context():
        rows = db.session.execute(
            select(Event.piece_id, func.count(Event.id))
            .where(Event.piece_id.in_(piece_ids), Event.action == "receive")
            .group_by(Event.piece_id)
        ).all()
        db.session.rollback()
    return {piece_id: 0 for piece_id in piece_ids} | dict(rows)


def test_scans_made_while_the_network_is_down_are_received_once_each_when_it_comes_back(new_page, live_server):
    slip, codes, ids = _parcel(live_server.app, 7)
    page = new_page(locale="en-US")
    log_in(page, "tech")
    page.goto("/bench/scan")

    def scan(code: str) -> None:
        page.locator("#scan-input").fill(code)
        page.locator("#scan-input").press("Enter")

    scan(slip)  # the parcel also holds the pieces the demo store had packed this week
    wait_for_js(page, "document.querySelectorAll('#expected-rows tr').length > 0")
    assert all(page.locator(f"#expected-rows tr:has-text('{code}')").count() == 1 for code in codes)
    scan(codes[0])
    wait_for_js(page, "document.getElementById('count-received').textContent === '1'")

    page.context.set_offline(True)
    for code in codes[1:6]:
        scan(code)
    wait_for_js(page, "document.querySelectorAll('#scan-log li.waiting').length === 5")
    assert page.locator("#scan-waiting").is_visible() and "5" in page.locator("#scan-waiting").inner_text()
    assert "cannot be reached" in page.locator("#scan-answer").inner_text()
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('scan-queue:'))")
    assert len(kept) == 1 and len(page.evaluate(f"JSON.parse(localStorage.getItem('{kept[0]}'))")) == 5
    assert _receipts(live_server.app, ids[1:6]) == {i: 0 for i in ids[1:6]}  # nothing reached the server

    # The first scan sent when the network is back reaches the server, but its answer is lost
    # on the way back: the page sends it again with the same key, and it is applied once.
    def lose_the_answer(route):
        route.fetch()
        route.abort("connectionreset")

    page.route("**/bench/scan.json", lose_the_answer, times=1)
    page.context.set_offline(False)
    wait_for_js(page, "document.getElementById('count-received').textContent === '6'")
    wait_for_js(page, "document.getElementById('scan-waiting').hidden")
    assert _receipts(live_server.app, ids) == {**{i: 1 for i in ids[:6]}, ids[6]: 0}
    log = page.locator("#scan-log li")
    assert log.count() == 7 and page.locator("#scan-log li.ok").count() == 7  # no "already received"
    # In the order they were made, newest first in the log.
    assert [t.split()[0] for t in log.all_inner_texts()[:5]] == list(reversed(codes[1:6]))
    assert page.evaluate(f"localStorage.getItem('{kept[0]}')") is None


def test_a_repair_with_one_operation_and_one_part_takes_at_most_eight_keystrokes(new_page, live_server):
    from app.extensions import db
    from app.models import Piece, User
    from app.services import grading, scanning
    from app.services.settings import rules as current_rules
    from workshop.statuses import Grade

    slip, codes, ids = _parcel(live_server.app, 1)
    with live_server.app.app_context():
        tech = db.session.scalars(select(User).where(User.username == "tech")).one()
        batch = db.session.get(Piece, ids[0]).batch
        scanning.start_check(tech, batch)
        scanning.receive_scan(tech, batch, codes[0])
        grading.grade_piece(tech, db.session.get(Piece, ids[0]), Grade.REPAIRABLE, current_rules())
        db.session.commit()
    page = new_page(locale="en-US")
    log_in(page, "tech")
    page.goto(f"/bench/pieces/{ids[0]}")
    wait_for_js(page, "document.activeElement && document.activeElement.name === 'operations'")
    keys = ["1", "Tab", "2", "0", "Tab", "b", "Enter"]  # operation 1, 20 minutes, the button part, save
    for key in keys[:-1]:
        page.keyboard.press(key)
    with page.expect_navigation():
        page.keyboard.press(keys[-1])
    assert len(keys) <= 8
    assert f"Piece {codes[0]} repaired" in page.content()
    with live_server.app.app_context():
        repair = db.session.get(Piece, ids[0]).repairs[0]
        assert repair.operations == ["RESTITCH"] and repair.minutes == 20
        assert [(p.spare_part.code, p.quantity) for p in repair.parts] == [("BTN", 1)]
        db.session.rollback()
