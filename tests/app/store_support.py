"""A store desk for the store tests: two stores of one chain, their clerks, a product, defects,
photos made in memory, and pieces taken through the real services."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from app.services import batches, grading, returns, scanning
from app.services.settings import rules as current_rules
from workshop.statuses import Blame, DefectKind, Direction, Grade


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def photo(fmt: str = "PNG", name: str | None = None, data: bytes | None = None):
    """A file for a multipart form field: (stream, file name)."""
    ext = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}.get(fmt, "bin")
    return (io.BytesIO(data if data is not None else image_bytes(fmt)), name or f"photo.{ext}")


def set_now(app, monkeypatch, moment: datetime) -> None:
    """The pages' clock (app.clock.now) for this test only."""
    monkeypatch.setitem(app.config, "NOW", lambda: moment)


@pytest.fixture()
def desk(db_session, make_region, make_store, make_user, make_product, make_defect):
    class Desk:
        region = make_region()
        store = make_store(name="上海南京东路店", region=region)
        other_store = make_store(name="广州天河城店")
        neighbour = make_store(name="上海徐家汇店", region=region)
        clerk = make_user("store", store=store)
        other_clerk = make_user("store", store=other_store)
        tech = make_user("technician")
        manager = make_user("region", region=region)
        admin = make_user("admin")
        product = make_product(name="男士加绒连帽羽绒服", style="G10001")
        quality = make_defect(DefectKind.QUALITY, Blame.SUPPLIER, code="Q01", name_zh="脱线", name_en="Open seam")
        people = make_defect(
            DefectKind.NON_QUALITY, Blame.STORE, code="N08", name_zh="人为损坏", name_en="Damage by people"
        )

    return Desk


def form_for(desk, **overrides) -> dict:
    data = {
        "product": desk.product.style_code,
        "size": "L",
        "colour": "藏青",
        "defect": str(desk.quality.id),
        "description": "左袖脱线 3 厘米",
        "source": "customer_return",
        "photos": [photo()],
        "save": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def dispatched(db_session, clerk, store, pieces, at: datetime, fee=None):
    rules = current_rules()
    batch = batches.open_or_create_batch(clerk, store, Direction.OUTBOUND, at=at - timedelta(hours=1))
    for piece in pieces:
        batches.add_piece(clerk, batch, piece, at=at - timedelta(hours=1))
    batches.dispatch_batch(clerk, batch, rules, carrier="顺丰速运", tracking_no="SF1234567890", shipping_fee=fee, at=at)
    db_session.commit()
    return batch


def returning(db_session, desk, pieces, clerk=None, store=None, at: datetime | None = None):
    """Pieces taken to the workshop and sent back: a dispatched return batch for their store."""
    clerk, store = clerk or desk.clerk, store or desk.store
    at = at or datetime.now(UTC) - timedelta(days=5)
    rules = current_rules()
    batch = dispatched(db_session, clerk, store, pieces, at)
    scanning.start_check(desk.tech, batch, at=at + timedelta(days=1))
    for piece in pieces:
        scanning.receive_scan(desk.tech, batch, piece.code, at=at + timedelta(days=1))
        grading.grade_piece(desk.tech, piece, Grade.NO_FAULT, rules, at=at + timedelta(days=2))
    back = batches.open_or_create_batch(desk.tech, store, Direction.RETURN, at=at + timedelta(days=2))
    for piece in pieces:
        returns.pack_return(desk.tech, back, piece, at=at + timedelta(days=2))
    returns.dispatch_return(desk.tech, back, carrier="顺丰速运", tracking_no="SF9876543210", at=at + timedelta(days=3))
    db_session.commit()
    return back
