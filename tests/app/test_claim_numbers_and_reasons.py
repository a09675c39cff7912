"""A claim's number and due date, and the reasons behind a blame read in each reader's language:
kept as the rule's sentence and its parameters, never as text in the language of who graded."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Claim, Event, Piece, Product, Supplier
from app.services import batches, finance, grading, scanning, settings
from app.services.reasons import blame_reason, blame_reason_on_paper
from app.services.settings import rules as current_rules
from tests.app.finance_support import SEPTEMBER, finance_world, scrap  # noqa: F401 (fixtures)
from workshop.money import Month
from workshop.statuses import Blame, Direction, Grade, Source

SEP = Month(2026, 9)
RULE3_ZH = "到货 12 天后才登记（超过 7 天）：损坏由门店承担。"
RULE3_EN = "Registered 12 days after the delivery (more than 7): damage is charged to the store."


def second_supplier(db_session, world) -> Product:
    supplier = Supplier(code="SUP-B", name="东莞鞋业有限公司")
    product = Product(
        style_code="S20002",
        name="女士短靴",
        category="鞋",
        supplier=supplier,
        unit_cost=world.product.unit_cost,
        retail_price=world.product.retail_price,
    )
    db_session.add_all([supplier, product])
    db_session.commit()
    return product


def close_september(world) -> None:
    finance.close_month(world.finance, SEP, current_rules())
    db.session.commit()


def terms(days: int, counted_from: str) -> None:
    workshop = settings.workshop()
    settings.save_workshop({"workshop_name": workshop.name, "claim_due_days": days, "claim_due_from": counted_from})
    db.session.commit()


@pytest.fixture()
def late_delivery_scrap(db_session, make_piece, finance_world):
    """Rule 3: found on receiving a delivery, registered 12 days after it, damage by people, scrapped."""

    def make() -> Piece:
        w = finance_world
        registered = SEPTEMBER - timedelta(days=3)
        piece = make_piece(
            store=w.store,
            user=w.clerk,
            product=w.product,
            defect=w.people,
            source=Source.DELIVERY,
            delivery_received_on=(registered - timedelta(days=12)).date(),
            at=registered,
        )
        rules = current_rules()
        batch = batches.open_or_create_batch(w.clerk, w.store, Direction.OUTBOUND, at=registered)
        batches.add_piece(w.clerk, batch, piece, at=registered)
        batches.dispatch_batch(w.clerk, batch, rules, carrier="顺丰速运", tracking_no="SF1", at=registered)
        scanning.start_check(w.tech, batch, at=SEPTEMBER)
        scanning.receive_scan(w.tech, batch, piece.code, at=SEPTEMBER)
        choice = grading.BlameChoice(grading.suggestion_for(piece, rules).blame)
        grading.grade_piece(w.tech, piece, Grade.SCRAP, rules, blame=choice, at=SEPTEMBER)
        db_session.commit()
        return piece

    return make


def test_claims_are_numbered_within_their_month_in_the_order_they_are_opened(scrap, finance_world, db_session):
    w = finance_world
    other = second_supplier(db_session, w)
    scrap()
    scrap(product=other)
    close_september(w)
    first, second = finance.open_claims(w.finance, SEP)
    db.session.commit()
    assert {first.number, second.number} == {"SC-202609-0001", "SC-202609-0002"}
    assert db.session.scalar(select(Claim.number).where(Claim.supplier_id == other.supplier_id)).startswith("SC-2026")


def test_a_claim_due_after_sending_gets_its_due_date_when_it_is_sent(scrap, finance_world):
    w = finance_world
    terms(30, "sent")
    scrap()
    close_september(w)
    (claim,) = finance.open_claims(w.finance, SEP)
    assert claim.due_on is None
    finance.mark_claim_sent(w.finance, claim, date(2026, 10, 5))
    db.session.commit()
    assert claim.due_on == date(2026, 11, 4)


def test_a_claim_due_after_opening_is_due_from_the_day_it_was_opened(scrap, finance_world):
    w = finance_world
    terms(45, "opened")
    scrap()
    close_september(w)
    opened = SEPTEMBER + timedelta(days=20)
    (claim,) = finance.open_claims(w.finance, SEP, at=opened)
    finance.mark_claim_sent(w.finance, claim, date(2026, 10, 30))
    db.session.commit()
    assert claim.due_on == date(2026, 10, 5) + timedelta(days=45)


def test_the_claims_page_shows_each_claims_number_and_due_date(client, login, scrap, finance_world):
    w = finance_world
    terms(10, "opened")
    scrap()
    close_september(w)
    (claim,) = finance.open_claims(w.finance, SEP)
    db.session.commit()
    login(w.finance)
    page = client.get("/finance/claims").get_data(as_text=True)
    assert claim.number in page and f"due {claim.due_on.isoformat()}" in page


def test_a_rule_reason_is_kept_as_its_sentence_and_read_in_each_readers_language(
    client, login, late_delivery_scrap, make_user
):
    piece = late_delivery_scrap()
    assert (piece.blame, piece.blame_reason, piece.blame_reason_params) == (Blame.STORE, "", {"days": 12, "window": 7})
    assert blame_reason_on_paper(piece) == RULE3_ZH
    login(make_user("technician", locale="en"))
    assert RULE3_EN in client.get(f"/pieces/{piece.id}").get_data(as_text=True)
    client.post("/logout")
    login(make_user("technician", locale="zh_Hans"))
    page = client.get(f"/pieces/{piece.id}").get_data(as_text=True)
    assert RULE3_ZH in page and RULE3_EN not in page
    event = db.session.scalars(select(Event).where(Event.piece_id == piece.id, Event.action == "grade")).one()
    assert event.data["reason_id"] == piece.blame_reason_id and event.data["reason_params"] == {"days": 12, "window": 7}


def test_a_technicians_own_reason_and_an_older_text_reason_are_read_as_they_were_written(
    scrap, finance_world, db_session
):
    w = finance_world
    overridden = scrap(blame=Blame.HQ, reason="面料批次问题，总部承担")
    assert (overridden.blame_reason, overridden.blame_reason_id) == ("面料批次问题，总部承担", None)
    assert blame_reason(overridden) == blame_reason_on_paper(overridden) == "面料批次问题，总部承担"
    older = scrap()
    db_session.execute(
        Piece.__table__.update()
        .where(Piece.id == older.id)
        .values(blame_reason="A quality defect (old row).", blame_reason_id=None, blame_reason_params=None)
    )
    db_session.commit()
    db_session.refresh(older)
    assert blame_reason_on_paper(older) == "A quality defect (old row)."
    grading.change_blame(w.tech, older, Blame.STORE, "门店洗涤不当")
    assert (older.blame_reason, older.blame_reason_id, older.blame_reason_params) == ("门店洗涤不当", None, None)
