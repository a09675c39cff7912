"""The deadline board pages through its index (keyset): every running clock once, in due order;
the total comes from the kept counters; a cursor from another store shows nothing of it."""

import re
from datetime import timedelta

from app import clock
from app.extensions import db
from app.models import Piece
from app.services import history
from workshop.statuses import PieceStatus
from workshop.transitions import PieceAction

from .store_support import desk  # noqa: F401  (fixture)


def _next(page: str) -> str | None:
    found = re.search(r'href="([^"]+)" rel="next"', page)
    return found[1].replace("&amp;", "&") if found else None


def test_a_cursor_naming_a_piece_the_person_may_not_see_starts_from_the_first_page(client, login, desk, make_piece):  # noqa: F811
    mine = make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality)
    theirs = make_piece(store=desk.other_store, user=desk.other_clerk, product=desk.product, defect=desk.quality)
    for piece in (mine, theirs):
        piece = db.session.get(Piece, piece.id)
        history.move(piece, PieceAction.PACK, desk.clerk)
        history.move(piece, PieceAction.DISPATCH, desk.clerk)
        piece.dispatched_at = clock.now()
        piece.due_on = clock.today() + timedelta(days=15)
    db.session.commit()
    login(desk.manager)
    page = client.get(f"/bench/deadlines?after={theirs.id}").get_data(as_text=True)
    assert mine.code in page and theirs.code not in page and 'rel="first"' not in page
    assert client.get("/bench/deadlines?after=junk").status_code == 200


def test_the_deadline_board_pages_by_due_date_and_counts_from_the_counters(client, login, desk, make_piece):  # noqa: F811
    pieces = [
        make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality) for _ in range(7)
    ]
    for i, piece in enumerate(pieces):
        piece = db.session.get(Piece, piece.id)
        history.move(piece, PieceAction.PACK, desk.clerk)
        history.move(piece, PieceAction.DISPATCH, desk.clerk)
        piece.dispatched_at = clock.now()
        piece.due_on = clock.today() + timedelta(days=15 - i % 3)
    db.session.commit()
    seen: list[str] = []
    login(desk.tech)
    url: str | None = "/bench/deadlines?status=in_transit"
    import app.services.deadlines as deadlines_service

    size = 3
    original = deadlines_service.board_page.__kwdefaults__["size"]
    deadlines_service.board_page.__kwdefaults__["size"] = size
    try:
        while url:
            page = client.get(url).get_data(as_text=True)
            assert "7 in all" in page
            seen += re.findall(r"/bench/pieces/(\d+)", page.split("<tbody>")[-1])
            url = _next(page)
    finally:
        deadlines_service.board_page.__kwdefaults__["size"] = original
    expected = [str(p.id) for p in sorted(db.session.query(Piece).filter(Piece.status == PieceStatus.IN_TRANSIT),
                                          key=lambda p: (p.due_on, p.id))]  # fmt: skip
    assert seen == expected
