"""Finding a piece from any page, lists that lead somewhere, and the parcels' lists (issue 12, part A)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.services import piece_lists
from tests.app.store_support import desk, dispatched, returning, set_now  # noqa: F401 (fixtures)
from tests.app.test_bench_scan_station import make_parcel  # noqa: F401 (fixtures)


def listed(page: str, piece) -> bool:
    return f">{piece.code}</a>" in page


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture()
def login(client, login):
    """Logging in as someone else (the log-in page keeps whoever is logged in)."""

    def switch(user):
        client.post("/logout")
        return login(user)

    return switch


# --- The header's search box ---------------------------------------------------------------


def test_every_page_has_the_search_box_with_its_shortcut(client, login, desk):
    for user, url in ((desk.clerk, "/store/register"), (desk.tech, "/bench/scan"), (desk.manager, "/home")):
        login(user)
        page = text(client.get(url))
        assert 'action="/search"' in page and 'aria-keyshortcuts="/"' in page, url
        assert "/static/js/finder.js" in page


def test_a_code_typed_in_the_header_opens_the_piece_within_the_users_scope_and_never_another_stores(
    client, login, desk, make_piece
):
    mine = make_piece(store=desk.store, user=desk.clerk)
    theirs = make_piece(store=desk.other_store, user=desk.other_clerk)
    login(desk.clerk)
    response = client.get(f"/search?q={mine.code.lower()}")
    assert response.status_code == 302 and response.headers["Location"] == f"/pieces/{mine.id}"
    response = client.get(f"/search?q={theirs.code}", follow_redirects=True)
    assert response.status_code == 200 and not listed(text(response), theirs)
    assert f"/pieces/{theirs.id}" not in text(response) and "No pieces match." in text(response)
    for user in (desk.tech, desk.admin, desk.manager):
        login(user)
        response = client.get(f"/search?q={mine.code}")
        assert response.headers["Location"] == f"/pieces/{mine.id}", user.role
    login(desk.manager)  # the other store is not in the manager's region
    assert not listed(text(client.get(f"/search?q={theirs.code}", follow_redirects=True)), theirs)


def test_finance_finds_a_piece_by_its_code_from_the_header(client, login, desk, make_piece, make_user):
    piece = make_piece(store=desk.store, user=desk.clerk)
    login(make_user("finance"))
    assert client.get(f"/search?q={piece.code}").headers["Location"] == f"/pieces/{piece.id}"
    assert client.get(f"/pieces/{piece.id}").status_code == 200


def test_a_batch_code_or_a_tracking_number_opens_the_batch(client, login, desk, make_piece, db_session):
    piece = make_piece(store=desk.store, user=desk.clerk)
    batch = dispatched(db_session, desk.clerk, desk.store, [piece], datetime(2026, 11, 2, 4, 0, tzinfo=UTC))
    login(desk.clerk)
    assert client.get(f"/search?q={batch.code}").headers["Location"] == f"/batches/{batch.id}"
    assert client.get("/search?q=sf1234567890").headers["Location"] == f"/batches/{batch.id}"
    login(desk.other_clerk)
    response = client.get(f"/search?q={batch.code}")
    assert response.headers["Location"].startswith("/store/?q=")
    assert not listed(text(client.get("/search?q=SF1234567890", follow_redirects=True)), piece)


# --- Lists of pieces for every role ---------------------------------------------------------


def test_technicians_finance_and_admins_get_the_list_of_pieces_with_filters(client, login, desk, make_piece, make_user):
    piece = make_piece(store=desk.store, user=desk.clerk)
    other = make_piece(store=desk.other_store, user=desk.other_clerk)
    for user in (desk.tech, make_user("finance"), desk.admin):
        login(user)
        page = text(client.get("/store/"))
        assert listed(page, piece) and listed(page, other), user.role
        assert 'href="/store/"' in page, "the menu leads to it"
        page = text(client.get(f"/store/?store={desk.other_store.code.lower()}"))
        assert listed(page, other) and not listed(page, piece)


def test_part_of_a_code_a_style_code_or_part_of_a_name_finds_pieces_in_scope(
    client, login, desk, make_piece, make_product
):
    coat = make_product(name="女士羊绒大衣", style="G24005")
    mine = make_piece(store=desk.store, user=desk.clerk, product=coat)
    jacket = make_piece(store=desk.store, user=desk.clerk)
    theirs = make_piece(store=desk.other_store, user=desk.other_clerk, product=coat)
    login(desk.clerk)
    for q in (mine.code[-5:], mine.code[-4:-1], "g240", "羊绒", mine.code[:-2]):
        page = text(client.get("/store/", query_string={"q": q}))
        assert listed(page, mine), q
        assert not listed(page, theirs), q
    page = text(client.get("/store/", query_string={"q": "羊绒"}))
    assert not listed(page, jacket)
    login(desk.tech)
    page = text(client.get("/store/", query_string={"q": "G24005"}))
    assert listed(page, mine) and listed(page, theirs) and not listed(page, jacket)


def test_the_last_digits_are_looked_up_in_bounded_chunks_and_the_older_link_goes_on(
    client, login, desk, make_piece, monkeypatch
):
    pieces = [make_piece(store=desk.store, user=desk.clerk, product=desk.product) for _ in range(13)]
    first = next(p for p in pieces[:3] if p.id % 10)
    later = next(p for p in pieces if p.id == first.id + 10)
    monkeypatch.setattr(piece_lists, "CHUNK", 1)
    monkeypatch.setattr(piece_lists, "MAX_CHUNKS", 1)
    login(desk.clerk)
    page = text(client.get("/store/", query_string={"q": str(first.id % 10)}))
    assert listed(page, later) and not listed(page, first)
    older = re.search(r'href="([^"]*)" rel="next"', page)
    assert older, "the search goes on on the next page"
    page = text(client.get(older[1].replace("&amp;", "&")))
    assert listed(page, first) and not listed(page, later)


def test_a_technicians_list_of_the_bench_is_a_group_of_statuses(client, login, desk, make_piece, db_session):
    sent = make_piece(store=desk.store, user=desk.clerk)
    at_home = make_piece(store=desk.store, user=desk.clerk)
    dispatched(db_session, desk.clerk, desk.store, [sent], datetime(2026, 11, 2, 4, 0, tzinfo=UTC))
    login(desk.tech)
    page = text(client.get("/store/?status=on_the_way"))
    assert listed(page, sent) and not listed(page, at_home)
    page = text(client.get("/store/?status=at_store"))
    assert listed(page, at_home) and not listed(page, sent)


def test_bad_filters_never_break_the_list(client, login, desk):
    login(desk.manager)
    for query in ("store=%E2%80%8B", "store=NOPE", "clock=never", "status=nope", "after=-1", "q=" + "x" * 500):
        assert client.get("/store/?" + query).status_code == 200, query
    assert "No store of yours has the code NOPE." in text(client.get("/store/?store=NOPE"))


def test_the_store_picker_suggests_only_the_users_stores(client, login, desk):
    login(desk.manager)
    found = client.get("/stores.json?q=上海").get_json()
    assert {s["id"] for s in found} == {desk.store.id, desk.neighbour.id}
    assert client.get(f"/stores.json?q={desk.other_store.code}").get_json() == []
    login(desk.clerk)
    assert [s["id"] for s in client.get("/stores.json").get_json()] == [desk.store.id]


# --- Figures that lead to their list --------------------------------------------------------


def test_every_figure_on_a_stores_home_is_a_link_and_overdue_leads_to_the_overdue_pieces(
    client, login, desk, make_piece, db_session, app, monkeypatch
):
    late = make_piece(store=desk.store, user=desk.clerk, at=datetime(2026, 10, 1, 2, 0, tzinfo=UTC))
    dispatched(db_session, desk.clerk, desk.store, [late], datetime(2026, 10, 1, 4, 0, tzinfo=UTC))
    waiting = make_piece(store=desk.store, user=desk.clerk)
    set_now(app, monkeypatch, datetime(2026, 10, 20, 4, 0, tzinfo=UTC))
    login(desk.clerk)
    home = text(client.get("/home"))
    figures = re.findall(r'<li class="figure[^"]*">(.*?)</li>', home, re.S)
    assert figures and all("<a href=" in f for f in figures)
    assert 'href="/store/?clock=overdue"' in home
    page = text(client.get("/store/?clock=overdue"))
    assert listed(page, late) and not listed(page, waiting)


def test_a_region_managers_figures_and_store_rows_lead_to_lists(client, login, desk, make_piece, db_session):
    make_piece(store=desk.store, user=desk.clerk)
    login(desk.manager)
    home = text(client.get("/home"))
    figures = re.findall(r'<li class="figure[^"]*">(.*?)</li>', home, re.S)
    assert figures and all("<a href=" in f for f in figures)
    assert f'href="/store/?store={desk.store.code}&amp;status=in_workshop"' in home
    assert f'href="/bench/deadlines?store={desk.store.code}&amp;clock=overdue"' in home


# --- The region's deadline board ------------------------------------------------------------


def test_a_region_manager_has_the_deadline_board_of_the_regions_stores_with_on_time_rates(
    client, login, desk, make_piece, make_user, db_session
):
    from app.services import returns
    from app.services.settings import rules as current_rules

    now = datetime.now(UTC)
    late = make_piece(store=desk.store, user=desk.clerk)
    dispatched(db_session, desk.clerk, desk.store, [late], now - timedelta(days=20))
    elsewhere = make_piece(store=desk.other_store, user=desk.other_clerk)
    dispatched(db_session, desk.other_clerk, desk.other_store, [elsewhere], now - timedelta(days=20))
    neighbour_clerk = make_user("store", store=desk.neighbour)
    back = make_piece(store=desk.neighbour, user=neighbour_clerk)
    parcel = returning(
        db_session, desk, [back], store=desk.neighbour, clerk=neighbour_clerk, at=now - timedelta(days=8)
    )
    returns.receive_back_scan(neighbour_clerk, parcel, back.code, current_rules(), at=now - timedelta(days=1))
    db_session.commit()  # back on time: the neighbour's rate is 100 %
    login(desk.manager)
    assert 'href="/bench/deadlines"' in text(client.get("/home"))
    page = text(client.get("/bench/deadlines?clock=overdue"))
    assert f">{late.code}</a>" in page and f">{elsewhere.code}</a>" not in page
    assert f'href="/pieces/{late.id}"' in page, "a manager opens the piece, not the bench card"
    assert "On-time rate per store, last 30 days" in page and desk.neighbour.name in page
    assert desk.other_store.name not in page
    assert "Your queues" not in page
    page = text(client.get(f"/bench/deadlines?store={desk.neighbour.code}"))
    assert f">{late.code}</a>" not in page


def test_the_technicians_board_picks_a_store_by_code_without_a_select_of_every_store(
    client, login, desk, make_piece, db_session
):
    piece = make_piece(store=desk.store, user=desk.clerk)
    dispatched(db_session, desk.clerk, desk.store, [piece], datetime.now(UTC) - timedelta(days=2))
    login(desk.tech)
    page = text(client.get(f"/bench/deadlines?store={desk.store.code}"))
    assert f">{piece.code}</a>" in page and 'data-store-picker="/stores.json"' in page
    assert f'<option value="{desk.other_store.id}"' not in page
    assert f">{piece.code}</a>" not in text(client.get(f"/bench/deadlines?store={desk.other_store.code}"))


# --- Parcels ---------------------------------------------------------------------------------


def test_the_workshop_sees_the_parcels_on_their_way_with_days_and_expected_pieces(
    client, login, desk, make_parcel, db_session
):
    batch, pieces = make_parcel(n=3, store=desk.store)
    login(desk.tech)
    home = text(client.get("/home"))
    assert 'href="/bench/incoming"' in home
    page = text(client.get("/bench/incoming"))
    row = re.search(rf"<tr><td><a class=\"code\" href=\"/batches/{batch.id}\">{batch.code}</a>.*?</tr>", page, re.S)
    assert row and desk.store.name in row[0] and "SF1234567890" in row[0]
    assert re.search(r'data-label="Expected pieces">3<', row[0])
    login(desk.clerk)
    assert client.get("/bench/incoming").status_code == 403


def test_a_dispatched_return_parcel_stays_listed_with_its_slip(client, login, desk, make_piece, db_session):
    back = returning(db_session, desk, [make_piece(store=desk.store, user=desk.clerk)])
    login(desk.tech)
    page = text(client.get("/bench/returns"))
    assert f">{back.code}</a>" in page and f'href="/bench/returns/{back.id}/slip.pdf"' in page
    assert client.get(f"/bench/returns/{back.id}/slip.pdf").data.startswith(b"%PDF")


# --- Labels ------------------------------------------------------------------------------------


def test_print_every_piece_not_yet_labelled_leaves_out_pieces_that_left_the_store(
    client, login, desk, make_piece, db_session
):
    from app.services import registration

    at_home = make_piece(store=desk.store, user=desk.clerk)
    gone = make_piece(store=desk.store, user=desk.clerk)
    dispatched(db_session, desk.clerk, desk.store, [gone], datetime(2026, 11, 2, 4, 0, tzinfo=UTC))
    assert registration.unlabelled(desk.clerk) == [at_home]


def test_lists_carry_their_column_names_for_the_phones_cards(client, login, desk, make_piece):
    make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    page = text(client.get("/store/"))
    assert '<table class="cards">' in page and 'data-label="Status"' in page and 'data-label="Days left"' in page


def test_the_list_exports_as_filtered_within_the_users_scope(client, login, desk, make_piece, make_product):
    import csv
    import io

    import openpyxl

    coat = make_product(name="女士羊绒大衣", style="G24005")
    mine = make_piece(store=desk.store, user=desk.clerk, product=coat)
    other = make_piece(store=desk.store, user=desk.clerk)
    theirs = make_piece(store=desk.other_store, user=desk.other_clerk, product=coat)
    login(desk.clerk)
    assert 'href="/store/pieces.csv?q=G24005"' in text(client.get("/store/?q=G24005"))
    response = client.get("/store/pieces.csv?q=G24005")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Store code", "Store"] and [r[0] for r in rows[1:]] == [mine.code]
    assert other.code not in response.data.decode() and theirs.code not in response.data.decode()
    login(desk.tech)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/store/pieces.xlsx?q=G24005").data), read_only=True)
    codes = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert codes == [theirs.code, mine.code]


def test_an_export_goes_through_the_keyset_pages_and_stops_at_its_limit(client, login, desk, make_piece, monkeypatch):
    made = [make_piece(store=desk.store, user=desk.clerk, product=desk.product) for _ in range(5)]
    monkeypatch.setattr(piece_lists, "EXPORT_PAGE", 2)
    login(desk.clerk)
    rows = client.get("/store/pieces.csv").data.decode("utf-8-sig").splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == [p.code for p in reversed(made)]
    monkeypatch.setattr(piece_lists, "EXPORT_LIMIT", 3)
    rows = client.get("/store/pieces.csv").data.decode("utf-8-sig").splitlines()
    assert len(rows) == 4


def test_dispatched_return_parcels_page_newest_first_so_none_drops_off_the_list(
    client, login, desk, make_piece, make_user, db_session
):
    clerks = [desk.clerk, desk.other_clerk, make_user("store", store=desk.neighbour)]
    sent = [returning(db_session, desk, [make_piece(store=c.store, user=c)], clerk=c, store=c.store) for c in clerks]
    login(desk.tech)
    from app import clock
    from app.services import returns

    first = returns.dispatched_recently(desk.tech, clock.now(), size=2)
    assert [b.id for b in first.batches] == [sent[2].id, sent[1].id] and first.next_after == sent[1].id
    rest = returns.dispatched_recently(desk.tech, clock.now(), after=first.next_after, size=2)
    assert [b.id for b in rest.batches] == [sent[0].id] and rest.next_after is None
    assert f">{sent[0].code}</a>" in text(client.get(f"/bench/returns?after={sent[1].id}"))
