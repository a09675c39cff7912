"""Rule 5 in the service layer: the month's allocation, closing it, and nothing after."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import AccountingMonth, Adjustment, Event, Piece
from app.services import batches, finance, grading, registration, scanning
from app.services.settings import rules as current_rules
from tests.app.finance_support import SEPTEMBER, finance_world, scrap  # noqa: F401 (fixtures)
from workshop.errors import MonthClosed, NotPermitted, RuleViolation
from workshop.money import Month
from workshop.statuses import Blame, ClaimStatus, Direction, Grade, Source

SEP, OCT = Month(2026, 9), Month(2026, 10)


def close(world, month=SEP):
    finance.close_month(world.finance, month, current_rules())
    db.session.commit()


def test_head_office_bears_the_cost_when_the_cause_cannot_be_told(scrap, finance_world):
    piece = scrap(defect=finance_world.unknown)
    assert piece.blame == Blame.HQ
    figures = finance.allocation(SEP)
    assert figures.hq.pieces == 1 and figures.hq.scrap == Decimal("360.00")
    assert figures.suppliers == () and figures.stores == ()
    assert figures.total == Decimal("360.00")


def test_each_party_bears_its_own_pieces_and_the_total_is_the_sum_of_the_lines(scrap, finance_world, make_product):
    w = finance_world
    cheap = make_product(cost="10.005")  # rounds half-up to 10.01 when it is copied onto the piece
    scrap(n=2)
    scrap(product=cheap)
    scrap(defect=w.people)
    scrap(defect=w.unknown, n=3)
    figures = finance.allocation(SEP)
    by_supplier = {line.party_id: line for line in figures.suppliers}
    assert by_supplier[w.product.supplier_id].scrap == Decimal("720.00")
    assert by_supplier[cheap.supplier_id].scrap == Decimal("10.01")
    assert [(s.party_id, s.pieces, s.scrap) for s in figures.stores] == [(w.store.id, 1, Decimal("360.00"))]
    assert figures.hq.pieces == 3
    assert figures.pieces == 7
    assert figures.total == sum(line.total for line in figures.lines) == Decimal("2170.01")


def test_a_later_change_of_the_products_unit_cost_leaves_scrapped_pieces_costs_as_they_were(scrap, finance_world):
    piece = scrap()
    finance_world.product.unit_cost = Decimal("999.00")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Piece, piece.id).scrap_cost == Decimal("360.00")
    assert finance.allocation(SEP).total == Decimal("360.00")


def test_extra_shipments_are_charged_to_the_store_in_the_month_of_dispatch(
    db_session, finance_world, make_store, make_user, make_piece
):
    store = make_store(quota=1)
    clerk = make_user("store", store=store)
    rules = current_rules()
    for n, fee in enumerate(("25.00", "18.50")):
        piece = make_piece(
            store=store,
            user=clerk,
            product=finance_world.product,
            defect=finance_world.quality,
            at=SEPTEMBER + timedelta(hours=n),
        )
        batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND, at=SEPTEMBER + timedelta(hours=n))
        batches.add_piece(clerk, batch, piece, at=SEPTEMBER + timedelta(hours=n))
        batches.dispatch_batch(
            clerk,
            batch,
            rules,
            carrier="顺丰",
            tracking_no="1",
            shipping_fee=Decimal(fee),
            at=SEPTEMBER + timedelta(hours=n, minutes=30),
        )
        db_session.commit()
    (line,) = finance.allocation(SEP).stores
    # The first batch of the week is within the quota; only the second is charged.
    assert (line.party_id, line.extra_batches, line.extra_fees, line.total) == (
        store.id,
        1,
        Decimal("18.50"),
        Decimal("18.50"),
    )


def test_closing_a_month_records_who_and_when_and_an_event(scrap, finance_world):
    scrap()
    close(finance_world)
    record = db.session.get(AccountingMonth, SEP.key)
    assert record.closed and record.closed_by_id == finance_world.finance.id and record.closed_at is not None
    (event,) = db.session.scalars(select(Event).where(Event.month == SEP.key, Event.action == "month_close"))
    assert event.data["total"] == "360.00"
    assert finance.allocation(SEP).closed


def test_a_month_that_has_not_ended_cannot_be_closed(db_session, finance_world):
    with pytest.raises(RuleViolation):
        finance.close_month(finance_world.finance, finance.current_month(current_rules()), current_rules())


# --- nothing changes a closed month, whatever the path -----------------------------------


@pytest.fixture()
def closed_september(scrap, finance_world):
    piece = scrap()
    close(finance_world)
    return piece


def test_grading_a_piece_as_scrap_dated_in_a_closed_month_is_refused(closed_september, finance_world):
    w = finance_world
    piece = received_piece(w, SEPTEMBER)
    with pytest.raises(MonthClosed):
        grading.grade_piece(
            w.tech,
            piece,
            Grade.SCRAP,
            current_rules(),
            blame=grading.BlameChoice(Blame.SUPPLIER),
            at=SEPTEMBER + timedelta(hours=3),
        )
    db.session.rollback()
    assert finance.allocation(SEP).total == Decimal("360.00")


def test_scrapping_a_repairable_piece_after_all_in_a_closed_month_is_refused(closed_september, finance_world):
    w = finance_world
    rules = current_rules()
    piece = received_piece(w, SEPTEMBER)
    grading.grade_piece(w.tech, piece, Grade.REPAIRABLE, rules, at=SEPTEMBER + timedelta(hours=3))
    db.session.commit()
    with pytest.raises(MonthClosed):
        grading.scrap_after_all(
            w.tech, piece, rules, grading.BlameChoice(Blame.SUPPLIER), at=SEPTEMBER + timedelta(days=1)
        )
    db.session.rollback()
    assert db.session.get(Piece, piece.id).scrap_month is None
    assert finance.allocation(SEP).total == Decimal("360.00")


def test_changing_the_blame_of_a_piece_scrapped_in_a_closed_month_says_how_to_correct(closed_september, finance_world):
    with pytest.raises(MonthClosed) as refused:
        grading.change_blame(finance_world.tech, closed_september, Blame.STORE, "门店人为损坏")
    assert "adjustment in the open month" in str(refused.value)
    db.session.rollback()
    assert db.session.get(Piece, closed_september.id).blame == Blame.SUPPLIER


def test_a_direct_orm_write_of_a_scrap_cost_in_a_closed_month_is_refused_by_the_guard(closed_september):
    closed_september.scrap_cost = Decimal("1.00")
    with pytest.raises(MonthClosed):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Piece, closed_september.id).scrap_cost == Decimal("360.00")


def test_a_direct_orm_write_of_the_blame_after_an_expired_load_is_refused(closed_september):
    db.session.expire_all()  # the guard must not depend on what the session happens to know
    piece = db.session.get(Piece, closed_september.id)
    db.session.expire(piece)
    piece.blame = Blame.HQ
    piece.blamed_supplier_id = None
    with pytest.raises(MonthClosed):
        db.session.flush()
    db.session.rollback()


def test_moving_a_piece_of_a_closed_month_to_another_store_is_refused(closed_september, make_store):
    closed_september.store = make_store("另一家店")  # a relationship: store_id is set only during the flush
    with pytest.raises(MonthClosed):
        db.session.flush()
    db.session.rollback()


def test_moving_a_piece_out_of_a_closed_month_is_refused(closed_september):
    db.session.expire(closed_september)  # the old month is then known only to the database
    closed_september.scrap_month = OCT.key
    with pytest.raises(MonthClosed):
        db.session.flush()
    db.session.rollback()


def test_a_bulk_orm_update_or_delete_of_pieces_in_a_closed_month_is_refused(closed_september):
    with pytest.raises(MonthClosed):
        db.session.execute(update(Piece).where(Piece.id == closed_september.id).values(scrap_cost=Decimal("1.00")))
    db.session.rollback()
    with pytest.raises(MonthClosed):
        db.session.execute(update(Piece), [{"id": closed_september.id, "blame": Blame.HQ}])
    db.session.rollback()
    # A bulk write that touches no closed month goes through.
    db.session.execute(update(Piece).where(Piece.scrap_month == OCT.key).values(scrap_cost=Decimal("1.00")))
    db.session.rollback()
    assert db.session.get(Piece, closed_september.id).scrap_cost == Decimal("360.00")


def test_an_adjustment_dated_in_a_closed_month_is_refused(closed_september, finance_world):
    w = finance_world
    with pytest.raises(MonthClosed):
        finance.book_adjustment(
            w.finance,
            finance.AdjustmentEntry(Blame.HQ, Decimal("5.00"), "补记"),
            current_rules(),
            at=SEPTEMBER + timedelta(days=2),
        )
    db.session.rollback()
    db.session.add(Adjustment(month=SEP.key, blame=Blame.HQ, amount=Decimal("5.00"), reason="直接写入"))
    with pytest.raises(MonthClosed):
        db.session.commit()
    db.session.rollback()
    assert finance.allocation(SEP).total == Decimal("360.00")


def test_batch_fee_edits_in_a_closed_month_are_refused(db_session, finance_world, make_store, make_user, make_piece):
    store = make_store(quota=1)
    clerk = make_user("store", store=store)
    rules = current_rules()
    for n in range(2):
        piece = make_piece(
            store=store,
            user=clerk,
            product=finance_world.product,
            defect=finance_world.quality,
            at=SEPTEMBER + timedelta(hours=n),
        )
        batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND, at=SEPTEMBER + timedelta(hours=n))
        batches.add_piece(clerk, batch, piece, at=SEPTEMBER + timedelta(hours=n))
        batches.dispatch_batch(
            clerk,
            batch,
            rules,
            carrier="顺丰",
            tracking_no="1",
            shipping_fee=Decimal("30.00"),
            at=SEPTEMBER + timedelta(hours=n, minutes=30),
        )
        db_session.commit()
    close(finance_world)
    assert batch.extra and batch.charge_month == SEP.key
    batch.shipping_fee = Decimal("0.00")
    with pytest.raises(MonthClosed):
        db_session.commit()
    db_session.rollback()
    batch.extra = False
    with pytest.raises(MonthClosed):
        db_session.commit()
    db_session.rollback()
    assert finance.allocation(SEP).stores[0].extra_fees == Decimal("30.00")


def test_reopening_needs_an_administrator_and_a_reason_and_is_recorded(closed_september, finance_world):
    w = finance_world
    with pytest.raises(NotPermitted):
        finance.reopen_month(w.finance, SEP, "改错")
    with pytest.raises(RuleViolation):
        finance.reopen_month(w.admin, SEP, "  ")
    finance.reopen_month(w.admin, SEP, "供应商对账有误")
    db.session.commit()
    assert not finance.allocation(SEP).closed
    (event,) = db.session.scalars(select(Event).where(Event.action == "month_reopen"))
    assert (event.actor_id, event.reason, event.month) == (w.admin.id, "供应商对账有误", SEP.key)


def test_a_month_cannot_be_reopened_by_flipping_the_flag(closed_september):
    db.session.get(AccountingMonth, SEP.key).closed = False
    with pytest.raises(MonthClosed):
        db.session.commit()
    db.session.rollback()


# --- corrections land in the open month -------------------------------------------------


def test_an_adjustment_lands_in_the_open_month_and_in_the_pieces_history(closed_september, finance_world):
    w = finance_world
    now = datetime.now(UTC)
    entry = finance.AdjustmentEntry(Blame.SUPPLIER, Decimal("-360.00"), "供应商已换货，冲回", piece=closed_september)
    adjustment = finance.book_adjustment(w.finance, entry, current_rules(), at=now)
    db.session.commit()
    this_month = finance.current_month(current_rules(), now)
    assert adjustment.month == this_month.key and adjustment.supplier_id == w.product.supplier_id
    assert finance.allocation(SEP).total == Decimal("360.00")
    (line,) = finance.allocation(this_month).suppliers
    assert (line.pieces, line.adjustments, line.total) == (0, Decimal("-360.00"), Decimal("-360.00"))
    events = db.session.scalars(
        select(Event).where(Event.piece_id == closed_september.id, Event.action == "adjustment")
    ).all()
    assert [e.data["amount"] for e in events] == ["-360.00"]


def test_an_adjustment_needs_a_reason_and_an_amount(db_session, finance_world):
    for amount, reason in ((Decimal("0"), "x"), (Decimal("5"), " ")):
        with pytest.raises(RuleViolation):
            finance.book_adjustment(
                finance_world.finance, finance.AdjustmentEntry(Blame.HQ, amount, reason), current_rules()
            )


# --- claims -------------------------------------------------------------------------------


def test_a_claim_is_opened_for_a_closed_month_with_the_suppliers_total_and_moves_open_sent_settled(
    scrap, finance_world
):
    w = finance_world
    scrap(n=2)
    with pytest.raises(RuleViolation):
        finance.open_claim(w.finance, w.product.supplier_id, SEP)
    close(w)
    (claim,) = finance.open_claims(w.finance, SEP)
    db.session.commit()
    assert (claim.amount, claim.status) == (Decimal("720.00"), ClaimStatus.OPEN)
    with pytest.raises(RuleViolation):
        finance.settle_claim(w.finance, claim, date(2026, 10, 20), Decimal("720.00"))
    finance.mark_claim_sent(w.finance, claim, date(2026, 10, 5))
    (owed,) = finance.outstanding_by_supplier()
    assert (owed.sent_count, owed.outstanding, owed.oldest_month) == (1, Decimal("720.00"), SEP)
    finance.settle_claim(w.finance, claim, date(2026, 10, 20), Decimal("700.00"))
    db.session.commit()
    (owed,) = finance.outstanding_by_supplier()
    assert (owed.outstanding, owed.settled_short) == (Decimal("0.00"), Decimal("20.00"))
    actions = db.session.scalars(select(Event.action).where(Event.month == SEP.key).order_by(Event.id)).all()
    assert actions == ["month_close", "claim_open", "claim_sent", "claim_settled"]


def received_piece(world, at):
    """A piece received at the workshop at ``at`` (its month already closed or not)."""
    rules = current_rules()
    data = registration.NewPiece(product=world.product, defect=world.quality, source=Source.CUSTOMER_RETURN, size="M")
    piece = registration.register_piece(world.clerk, world.store, data, rules, at=at - timedelta(days=1))
    batch = batches.open_or_create_batch(world.clerk, world.store, Direction.OUTBOUND, at=at)
    batches.add_piece(world.clerk, batch, piece, at=at)
    batches.dispatch_batch(world.clerk, batch, rules, carrier="x", tracking_no="1", shipping_fee=Decimal("1"), at=at)
    scanning.start_check(world.tech, batch, at=at)
    scanning.receive_scan(world.tech, batch, piece.code, at=at)
    db.session.commit()
    return piece


def test_a_reopened_month_shows_its_changes_although_closed_figures_are_kept(closed_september, finance_world):
    w = finance_world
    assert finance.allocation(SEP).closed and finance.allocation(SEP).suppliers[0].total == Decimal("360.00")
    finance.reopen_month(w.admin, SEP, "责任判错")
    grading.change_blame(w.tech, closed_september, Blame.HQ, "无法判定")
    db.session.commit()
    figures = finance.allocation(SEP)
    assert not figures.closed and figures.suppliers == () and figures.hq.total == Decimal("360.00")
    finance.close_month(w.finance, SEP, current_rules())
    db.session.commit()
    assert finance.allocation(SEP).hq.total == Decimal("360.00")
    assert [s[1][Blame.HQ] for s in finance.scrap_by_month(SEP)][-1] == Decimal("360.00")
