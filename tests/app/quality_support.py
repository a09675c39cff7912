"""Graded pieces for the quality tests, made through the real services (register → pack →
dispatch → receive → grade, and for some a repair and the return parcel), in two regions,
for two suppliers, placed in a month by ``at``."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from PIL import Image

from app.services import batches, grading, photos, returns, scanning
from app.services.settings import rules as current_rules
from workshop.statuses import Blame, DefectKind, Direction, Grade

# Noon in Shanghai on the 15th: safely inside the month in the chain's time zone.
AUG_2025 = datetime(2025, 8, 15, 4, 0, tzinfo=UTC)
JULY = datetime(2026, 7, 15, 4, 0, tzinfo=UTC)
AUGUST = datetime(2026, 8, 15, 4, 0, tzinfo=UTC)
SEPTEMBER = datetime(2026, 9, 15, 4, 0, tzinfo=UTC)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture()
def quality_world(db_session, make_region, make_store, make_user, make_product, make_defect):
    """Two regions with a store each; two suppliers; three defects."""
    from app.models import Supplier

    class World:
        east = make_region("华东区", code="EAST")
        south = make_region("华南区", code="SOUTH")
        shanghai = make_store("上海南京东路店", region=east, quota=50, code="SH01")
        guangzhou = make_store("广州天河城店", region=south, quota=50, code="GZ01")
        sh_clerk = make_user("store", store=shanghai)
        gz_clerk = make_user("store", store=guangzhou)
        tech = make_user("technician")
        finance = make_user("finance")
        admin = make_user("admin")
        east_manager = make_user("region", region=east)
        ningbo = Supplier(code="SUPNB", name="宁波雅戈服饰有限公司")
        qingdao = Supplier(code="SUPQD", name="青岛红领服饰有限公司")
        db_session.add_all([ningbo, qingdao])
        db_session.commit()
        coat = make_product("男士羊绒大衣", cost="500.00", supplier=ningbo, style="G10001")
        down = make_product("女士羽绒服", cost="300.00", supplier=ningbo, style="G10002")
        shirt = make_product("男士衬衫", cost="80.00", supplier=qingdao, style="G20001")
        seam = make_defect(DefectKind.QUALITY, Blame.SUPPLIER, code="Q01", name_zh="脱线", name_en="Open seam")
        zip = make_defect(DefectKind.QUALITY, Blame.SUPPLIER, code="Q02", name_zh="拉链损坏", name_en="Broken zip")
        stain = make_defect(
            DefectKind.NON_QUALITY, Blame.STORE, code="N01", name_zh="人为损坏", name_en="Damage by people"
        )

    return World


@pytest.fixture()
def graded(db_session, make_piece, quality_world):
    """Grade ``n`` new pieces at ``at``; a repairable piece may be repaired and sent back."""

    def make(
        grade=Grade.SCRAP,
        *,
        at=SEPTEMBER,
        product=None,
        defect=None,
        store=None,
        n=1,
        blame=None,
        repaired_and_returned_after_days=None,
        with_photo=False,
    ):
        w = quality_world
        store = store or w.shanghai
        clerk = w.sh_clerk if store is w.shanghai else w.gz_clerk
        rules = current_rules()
        pieces = [
            make_piece(
                store=store, user=clerk, product=product or w.coat, defect=defect or w.seam, at=at - timedelta(days=5)
            )
            for _ in range(n)
        ]
        if with_photo:
            for piece in pieces:
                photos.add_photos(clerk, piece, [photos.Upload("defect.jpg", jpeg())])
        batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND, at=at - timedelta(days=5))
        for piece in pieces:
            batches.add_piece(clerk, batch, piece, at=at - timedelta(days=5))
        batches.dispatch_batch(
            clerk,
            batch,
            rules,
            carrier="顺丰速运",
            tracking_no="SF1",
            shipping_fee=Decimal("20.00"),
            at=at - timedelta(days=4),
        )
        scanning.start_check(w.tech, batch, at=at - timedelta(days=2))
        for piece in pieces:
            scanning.receive_scan(w.tech, batch, piece.code, at=at - timedelta(days=2))
        for piece in pieces:
            choice = None
            if grade == Grade.SCRAP:
                suggested = grading.suggestion_for(piece, rules).blame
                choice = grading.BlameChoice(blame or suggested, "" if (blame or suggested) == suggested else "看得出")
            grading.grade_piece(w.tech, piece, grade, rules, blame=choice, at=at)
        db_session.commit()
        if repaired_and_returned_after_days is not None:
            back = at + timedelta(days=repaired_and_returned_after_days)
            returning = batches.open_or_create_batch(w.tech, store, Direction.RETURN, at=back)
            for piece in pieces:
                if grade == Grade.REPAIRABLE:
                    grading.record_repair(w.tech, piece, grading.RepairRecord(("sew",), 20, "缝合"), at=back)
                returns.pack_return(w.tech, returning, piece, at=back)
            returns.dispatch_return(w.tech, returning, carrier="顺丰速运", tracking_no="SF2", at=back)
            db_session.commit()
        return pieces if n > 1 else pieces[0]

    return make
