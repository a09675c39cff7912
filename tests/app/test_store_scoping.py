"""A store user cannot see, label, pack, dispatch or receive another store's pieces or batches
by any URL: every attempt is a 404 (no hint that the thing exists) and changes nothing."""

import html
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.models import Batch, Event, Piece
from app.services import batches
from tests.app.store_support import desk, dispatched, returning  # noqa: F401 (fixtures)
from workshop.statuses import Direction


@pytest.fixture()
def theirs(db_session, desk, make_piece):
    """The other store's things: a registered piece, an open batch with a piece, a dispatched
    batch, and a return parcel on its way to them."""

    class Theirs:
        piece = make_piece(store=desk.other_store, user=desk.other_clerk)
        packed = make_piece(store=desk.other_store, user=desk.other_clerk)
        returned = make_piece(store=desk.other_store, user=desk.other_clerk)
        sent = make_piece(store=desk.other_store, user=desk.other_clerk)

    Theirs.return_batch = returning(db_session, desk, [Theirs.returned], clerk=desk.other_clerk, store=desk.other_store)
    Theirs.dispatched = dispatched(
        db_session, desk.other_clerk, desk.other_store, [Theirs.sent], datetime(2026, 11, 2, 4, 0, tzinfo=UTC)
    )
    Theirs.open_batch = batches.open_or_create_batch(desk.other_clerk, desk.other_store, Direction.OUTBOUND)
    batches.add_piece(desk.other_clerk, Theirs.open_batch, Theirs.packed)
    db_session.commit()
    return Theirs


def snapshot(db_session) -> tuple:
    db_session.expire_all()
    return (
        db_session.scalar(select(func.count(Event.id))),
        tuple(
            db_session.execute(
                select(Piece.id, Piece.status, Piece.batch_id, Piece.labelled_at).order_by(Piece.id)
            ).all()
        ),
        tuple(db_session.execute(select(Batch.id, Batch.status).order_by(Batch.id)).all()),
    )


ATTEMPTS = [
    ("get", "/pieces/{piece}", None),
    ("get", "/pieces/{piece}/photos/1", None),
    ("post", "/store/pieces/{piece}/label", {"format": "sheet"}),
    ("get", "/store/pieces/{piece}/photos", None),
    ("post", "/store/pieces/{piece}/photos", {}),
    ("post", "/store/labels", {"which": "selected", "piece_ids": "{piece}", "format": "sheet"}),
    ("post", "/store/batch/add", {"piece_ids": "{piece}"}),
    ("post", "/store/batch/scan", {"code": "{piece_code}"}),
    ("get", "/store/batches/{open_batch}", None),
    ("get", "/store/batches/{dispatched}", None),
    ("get", "/store/batches/{dispatched}/slip.pdf", None),
    ("post", "/store/batches/{open_batch}/remove/{packed}", {}),
    (
        "post",
        "/store/batches/{open_batch}/dispatch",
        {"carrier": "顺丰速运", "tracking_no": "SF1234567890", "confirm": "y"},
    ),
    ("post", "/store/receive", {"code": "{return_code}"}),
    ("get", "/store/receive/{return_batch}", None),
    ("post", "/store/receive/{return_batch}/scan", {"code": "{returned_code}"}),
    ("post", "/store/receive/{return_batch}/close", {"confirm": "y"}),
]


@pytest.mark.parametrize(("method", "url", "data"), ATTEMPTS, ids=[f"{m} {u}" for m, u, _ in ATTEMPTS])
def test_another_stores_ids_are_not_found_and_nothing_changes(
    client, login, desk, theirs, db_session, method, url, data
):
    values = {
        "piece": theirs.piece.id,
        "piece_code": theirs.piece.code,
        "packed": theirs.packed.id,
        "open_batch": theirs.open_batch.id,
        "dispatched": theirs.dispatched.id,
        "return_batch": theirs.return_batch.id,
        "return_code": theirs.return_batch.code,
        "returned_code": theirs.returned.code,
    }
    before = snapshot(db_session)
    login(desk.clerk)
    url = url.format(**values)
    if data is not None:
        data = {k: v.format(**values) for k, v in data.items()}
    response = getattr(client, method)(url, data=data) if method == "post" else client.get(url)
    assert response.status_code == 404
    assert snapshot(db_session) == before


def test_another_stores_piece_scanned_into_my_return_parcel_is_refused(
    client, login, desk, theirs, make_piece, db_session
):
    mine = returning(db_session, desk, [make_piece(store=desk.store, user=desk.clerk)])
    login(desk.clerk)
    client.post("/store/receive", data={"code": mine.code})
    before = snapshot(db_session)
    response = client.post(f"/store/receive/{mine.id}/scan", data={"code": theirs.returned.code}, follow_redirects=True)
    assert f"{theirs.returned.code} is not one of your store's pieces." in html.unescape(
        response.get_data(as_text=True)
    )
    assert snapshot(db_session) == before


def test_printing_every_unlabelled_piece_never_prints_another_stores(client, login, desk, theirs, db_session):
    login(desk.clerk)
    response = client.post("/store/labels", data={"which": "unlabelled", "format": "sheet"}, follow_redirects=True)
    assert "No piece to print a label for." in response.get_data(as_text=True)
    db_session.expire_all()
    assert theirs.piece.labelled_at is None


def test_a_region_manager_cannot_see_another_regions_pieces_or_act_as_a_store(client, login, desk, theirs):
    login(desk.manager)
    assert client.get(f"/pieces/{theirs.piece.id}").status_code == 404
    assert client.get(f"/store/batches/{theirs.dispatched.id}/slip.pdf").status_code == 404
    assert client.post(f"/store/pieces/{theirs.piece.id}/label", data={"format": "sheet"}).status_code == 403
    assert client.post("/store/batch/scan", data={"code": theirs.piece.code}).status_code == 403
