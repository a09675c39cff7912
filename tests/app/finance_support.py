"""Scrapped pieces for the finance tests, made through the real services (register → pack →
dispatch → receive → grade scrap), placed in a month by ``at``."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.services import batches, grading, scanning
from app.services.settings import rules as current_rules
from workshop.statuses import Blame, DefectKind, Direction, Grade

# Noon in Shanghai on the 15th: safely inside the month in the chain's time zone.
SEPTEMBER = datetime(2026, 9, 15, 4, 0, tzinfo=UTC)
OCTOBER = datetime(2026, 10, 15, 4, 0, tzinfo=UTC)


@pytest.fixture()
def finance_world(db_session, make_store, make_user, make_product, make_defect):
    """A store with a clerk, a technician, a finance user, a product and the three kinds of defect."""

    class World:
        store = make_store(quota=50)
        clerk = make_user("store", store=store)
        tech = make_user("technician")
        finance = make_user("finance")
        admin = make_user("admin")
        product = make_product(cost="360.00")
        quality = make_defect(DefectKind.QUALITY, Blame.SUPPLIER, name_zh="脱线", name_en="Open seam")
        people = make_defect(DefectKind.NON_QUALITY, Blame.STORE, name_zh="人为损坏", name_en="Damage by people")
        unknown = make_defect(DefectKind.NON_QUALITY, None, name_zh="原因不明", name_en="Cause unknown")

    return World


@pytest.fixture()
def scrap(db_session, make_piece, finance_world):
    """Scrap ``n`` new pieces at ``at`` with the suggested blame (or ``blame`` with a reason)."""

    def make(at=SEPTEMBER, *, defect=None, store=None, clerk=None, product=None, n=1, blame=None, reason=""):
        w = finance_world
        store, clerk = store or w.store, clerk or w.clerk
        rules = current_rules()
        pieces = [
            make_piece(
                store=store,
                user=clerk,
                product=product or w.product,
                defect=defect or w.quality,
                at=at - timedelta(days=3),
            )
            for _ in range(n)
        ]
        batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND, at=at - timedelta(days=3))
        for piece in pieces:
            batches.add_piece(clerk, batch, piece, at=at - timedelta(days=3))
        batches.dispatch_batch(
            clerk,
            batch,
            rules,
            carrier="顺丰速运",
            tracking_no="SF1",
            shipping_fee=Decimal("20.00"),
            at=at - timedelta(days=2),
        )
        scanning.start_check(w.tech, batch, at=at - timedelta(hours=2))
        for piece in pieces:
            scanning.receive_scan(w.tech, batch, piece.code, at=at - timedelta(hours=1))
        for piece in pieces:
            choice = grading.BlameChoice(blame or grading.suggestion_for(piece, rules).blame, reason)
            grading.grade_piece(w.tech, piece, Grade.SCRAP, rules, blame=choice, at=at)
        db_session.commit()
        return pieces if n > 1 else pieces[0]

    return make
