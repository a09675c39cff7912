"""A small chain for the API tests: two stores, their clerks, a technician, finance, and
tokens made through the real token service."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import RepairOperation
from app.services import batches, tokens
from app.services.settings import rules as current_rules
from workshop.statuses import Blame, DefectKind, Direction


def token_for(user) -> str:
    _token, clear = tokens.create_token(user, "test")
    db.session.commit()
    return clear


def bearer(token: str, language: str | None = "en") -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    if language:
        headers["Accept-Language"] = language
    return headers


def dispatched(user, store, pieces, at: datetime | None = None):
    at = at or datetime.now(UTC) - timedelta(days=2)
    batch = batches.open_or_create_batch(user, store, Direction.OUTBOUND, at=at - timedelta(hours=1))
    for piece in pieces:
        batches.add_piece(user, batch, piece, at=at - timedelta(hours=1))
    batches.dispatch_batch(user, batch, current_rules(), carrier="顺丰速运", tracking_no="SF1", at=at)
    db.session.commit()
    return batch


@pytest.fixture()
def chain(db_session, make_region, make_store, make_user, make_product, make_defect):
    class Chain:
        region = make_region()
        store = make_store(name="上海南京东路店", region=region)
        other_store = make_store(name="广州天河城店")
        clerk = make_user("store", store=store)
        other_clerk = make_user("store", store=other_store)
        tech = make_user("technician")
        finance = make_user("finance")
        manager = make_user("region", region=region)
        product = make_product(style="G10001")
        quality = make_defect(DefectKind.QUALITY, Blame.SUPPLIER, code="Q01")
        people = make_defect(
            DefectKind.NON_QUALITY, Blame.STORE, code="N08", name_zh="人为损坏", name_en="Damage by people"
        )

    db_session.add(RepairOperation(code="SEW", name_zh="缝补", name_en="Sew"))
    db_session.commit()
    return Chain


def new_piece(**overrides) -> dict:
    data = {
        "product": "G10001",
        "defect": "Q01",
        "source": "customer_return",
        "size": "L",
        "colour": "藏青",
        "description": "左袖脱线 3 厘米",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
