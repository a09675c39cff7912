"""Fixtures for the spare-parts tests: parts in the catalogue, stock received, a piece on the bench."""

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import SparePart
from app.services import scanning, stock
from tests.app.conftest import fresh


@pytest.fixture()
def make_part(db_session):
    def make(code="ZIP-5", name_zh="5号拉链", name_en="Zip no. 5", unit="条"):
        fresh(db_session)
        part = SparePart(code=code, name_zh=name_zh, name_en=name_en, unit=unit)
        db_session.add(part)
        db_session.commit()
        return part

    return make


@pytest.fixture()
def receive_parts(db_session, make_user):
    """Receive parts into the workshop's store room through the service: {part: (quantity, unit price)}."""

    def receive(lines: dict, location=None, user=None):
        fresh(db_session)
        receipt = stock.receive(
            user or make_user("technician"),
            location or stock.workshop_location(),
            [stock.ReceiptLineIn(part.id, quantity, Decimal(price)) for part, (quantity, price) in lines.items()],
        )
        db_session.commit()
        return receipt

    return receive


@pytest.fixture()
def repairable_piece(db_session, make_parcel, make_user):
    """A piece received at the workshop and graded repairable."""

    def make():
        from app.services import grading
        from app.services.settings import rules
        from workshop.statuses import Grade

        batch, pieces = make_parcel(1)
        tech = make_user("technician")
        scanning.start_check(tech, batch)
        scanning.receive_scan(tech, batch, pieces[0].code)
        grading.grade_piece(tech, pieces[0], Grade.REPAIRABLE, rules())
        db_session.commit()
        return db.session.get(type(pieces[0]), pieces[0].id)

    return make
