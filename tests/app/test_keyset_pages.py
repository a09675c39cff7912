"""Long lists page through their index (keyset): every row once, in order, whatever arrives
meanwhile; the total comes from the kept counters; a cursor from another store shows nothing
of it."""

import re
from datetime import timedelta

from app import clock
from app.extensions import db
from app.models import Piece
from app.services import history
from workshop.statuses import PieceStatus
from workshop.transitions import PieceAction

from .store_support import desk  # noqa: F401  (fixture)


def _codes(page: str) -> list[str]:
    return re.findall(r'name="piece_ids" value="(\d+)"', page)


def _next(page: str) -> str | None:
    found = re.search(r'href="([^"]+)" rel="next"', page)
    return found[1].replace("&amp;", "&") if found else None


def test_a_list_pages_through_every_piece_once_newest_first_even_when_pieces_arrive(
    client,
    login,
    desk,
    make_piece,  # noqa: F811
):
    start = clock.now() - timedelta(days=10)
    made = [
        make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality,
                   at=start + timedelta(minutes=i // 2))  # two pieces share each minute: the id breaks the tie
        for i in range(23)
    ]  # fmt: skip
    client.application.config["PAGE_SIZE"] = 10
    try:
        login(desk.clerk)
        seen: list[str] = []
        url: str | None = "/store/"
        pages = 0
        while url:
            page = client.get(url).get_data(as_text=True)
            assert ("23 in all" if pages == 0 else "24 in all") in page
            seen += _codes(page)
            pages += 1
            if pages == 1:  # a piece registered while someone reads the list does not shift its pages
                make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality)
                login(desk.clerk)
            url = _next(page)
            assert pages < 5
    finally:
        client.application.config["PAGE_SIZE"] = 50
    expected = [str(p.id) for p in sorted(made, key=lambda p: (p.registered_at, p.id), reverse=True)]
    assert pages == 3 and seen == expected


def test_a_cursor_naming_another_store_s_piece_starts_from_the_first_page(client, login, desk, make_piece):  # noqa: F811
    mine = make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality)
    theirs = make_piece(store=desk.other_store, user=desk.other_clerk, product=desk.product, defect=desk.quality)
    login(desk.clerk)
    page = client.get(f"/store/?after={theirs.id}").get_data(as_text=True)
    assert _codes(page) == [str(mine.id)] and "First page" not in page
    assert client.get("/store/?after=junk").status_code == 200


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
