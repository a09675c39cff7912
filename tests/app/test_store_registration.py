"""Registering a piece through the page: the form, photos, rule 3 at the counter, the list."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from app.models import Event, Photo, Piece
from tests.app.store_support import desk, form_for, image_bytes, photo, set_now  # noqa: F401 (fixtures)


def pieces_count(db_session) -> int:
    return db_session.scalar(select(func.count(Piece.id)))


def test_a_clerk_registers_a_piece_with_a_photo_and_lands_on_its_page(client, login, desk, db_session, app):
    login(desk.clerk)
    response = client.post("/store/register", data=form_for(desk), content_type="multipart/form-data")
    assert response.status_code == 302
    piece = db_session.scalars(select(Piece)).one()
    assert response.headers["Location"].endswith(f"/pieces/{piece.id}")
    assert piece.store_id == desk.store.id and piece.size == "L" and piece.colour == "藏青"
    assert len(piece.photos) == 1
    stored = Path(app.config["UPLOAD_FOLDER"]) / piece.photos[0].stored_name
    thumb = Path(app.config["UPLOAD_FOLDER"]) / piece.photos[0].thumb_name
    assert stored.read_bytes()[:2] == b"\xff\xd8"  # kept as a JPEG, whatever was sent (a PNG here)
    assert thumb.read_bytes()[:2] == b"\xff\xd8"  # a JPEG thumbnail
    actions = [e.action for e in db_session.scalars(select(Event).where(Event.piece_id == piece.id).order_by(Event.id))]
    assert actions == ["register", "add_photo"]
    page = client.get(f"/pieces/{piece.id}").get_data(as_text=True)
    assert f"/pieces/{piece.id}/photos/{piece.photos[0].id}/thumb" in page
    with client.get(f"/pieces/{piece.id}/photos/{piece.photos[0].id}/thumb") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"


def test_the_style_code_is_found_whatever_its_case(client, login, desk, db_session):
    login(desk.clerk)
    response = client.post("/store/register", data=form_for(desk, product="g10001"), content_type="multipart/form-data")
    assert response.status_code == 302
    assert pieces_count(db_session) == 1


def test_an_unknown_style_code_is_refused_on_its_field_and_nothing_is_saved(client, login, desk, db_session, app):
    login(desk.clerk)
    response = client.post("/store/register", data=form_for(desk, product="NOPE-1"), content_type="multipart/form-data")
    assert response.status_code == 422
    assert "No product has the style code NOPE-1." in response.get_data(as_text=True)
    assert pieces_count(db_session) == 0


def test_a_piece_from_a_delivery_needs_the_delivery_date(client, login, desk, db_session):
    login(desk.clerk)
    response = client.post(
        "/store/register", data=form_for(desk, source="delivery"), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Give the date the store received the delivery" in response.get_data(as_text=True)
    assert pieces_count(db_session) == 0


def test_a_piece_can_be_registered_without_a_photo_and_photos_added_later(client, login, desk, db_session):
    login(desk.clerk)
    response = client.post("/store/register", data=form_for(desk, photos=[]), content_type="multipart/form-data")
    assert response.status_code == 302
    assert pieces_count(db_session) == 1
    piece_id = db_session.scalar(select(Piece.id))
    response = client.post(f"/store/pieces/{piece_id}/photos", data={"photos": []}, content_type="multipart/form-data")
    assert "Add at least one photo" in response.get_data(as_text=True)


def test_save_and_register_another_prefills_product_source_and_delivery_date(
    client, login, desk, db_session, app, monkeypatch
):
    set_now(app, monkeypatch, datetime(2026, 11, 20, 4, 0, tzinfo=UTC))
    login(desk.clerk)
    data = form_for(desk, source="delivery", delivery_received_on="2026-11-18", another="1")
    del data["save"]
    response = client.post("/store/register", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "product=G10001" in location and "source=delivery" in location and "delivery=2026-11-18" in location
    page = client.get(location).get_data(as_text=True)
    assert 'value="G10001"' in page
    assert 'value="2026-11-18"' in page
    radio = re.search(r'<input[^>]*value="delivery"[^>]*>', page)[0]
    assert "checked" in radio


# --- Rule 3 at the counter, in the chain's time zone ------------------------------------

DELIVERY = "2026-03-01"


def register_late(client, desk, app, monkeypatch, moment: datetime, defect=None):
    set_now(app, monkeypatch, moment)
    data = form_for(desk, source="delivery", delivery_received_on=DELIVERY, defect=str((defect or desk.people).id))
    response = client.post("/store/register", data=data, content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_eight_days_after_delivery_in_shanghai_the_counter_warns_though_utc_says_seven(
    client, login, desk, app, monkeypatch
):
    login(desk.clerk)
    # 8 March 16:30 UTC is 9 March 00:30 in Shanghai: eight days after the delivery there.
    page = register_late(client, desk, app, monkeypatch, datetime(2026, 3, 8, 16, 30, tzinfo=UTC))
    assert "Registered 8 days after the delivery" in page
    assert "will be charged to the store" in page


def test_seven_days_after_delivery_in_shanghai_there_is_no_warning_though_utc_is_nearly_the_same(
    client, login, desk, app, monkeypatch
):
    login(desk.clerk)
    # 8 March 15:30 UTC is 23:30 in Shanghai, still the seventh day: inside the window.
    page = register_late(client, desk, app, monkeypatch, datetime(2026, 3, 8, 15, 30, tzinfo=UTC))
    assert "Registered" in page and "registered." in page  # the piece was saved
    assert "days after the delivery" not in page


def test_a_delivery_date_in_the_future_of_shanghai_is_refused(client, login, desk, app, monkeypatch, db_session):
    login(desk.clerk)
    set_now(app, monkeypatch, datetime(2026, 3, 1, 15, 0, tzinfo=UTC))  # 23:00 on 1 March in Shanghai
    data = form_for(desk, source="delivery", delivery_received_on="2026-03-02")
    response = client.post("/store/register", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert pieces_count(db_session) == 0


def test_the_form_carries_rule_3s_sentence_for_the_live_hint(client, login, desk):
    login(desk.clerk)
    page = client.get("/store/register").get_data(as_text=True)
    assert 'id="rule3-hint"' in page and 'data-window="7"' in page
    assert "%(days)d days after the delivery" in page


# --- Product suggestions ----------------------------------------------------------------


def test_product_suggestions_match_the_start_of_the_style_code_or_the_name(client, login, desk, make_product):
    make_product(name="女士真丝衬衫", style="G20002")
    login(desk.clerk)
    assert [p["code"] for p in client.get("/store/products.json?q=G1").get_json()] == ["G10001"]
    assert [p["code"] for p in client.get("/store/products.json?q=真丝").get_json()] == ["G20002"]
    assert client.get("/store/products.json?q=%25").get_json() == []


# --- The list ---------------------------------------------------------------------------


def listed(page: str, piece) -> bool:
    return f">{piece.code}</a>" in page


def test_the_list_shows_only_the_clerks_store_and_finds_a_piece_by_its_digits(client, login, desk, make_piece):
    mine = make_piece(store=desk.store, user=desk.clerk)
    theirs = make_piece(store=desk.other_store, user=desk.other_clerk)
    login(desk.clerk)
    page = client.get("/store/").get_data(as_text=True)
    assert listed(page, mine) and not listed(page, theirs)
    assert listed(client.get(f"/store/?q={mine.id}").get_data(as_text=True), mine)
    assert listed(client.get(f"/store/?q={mine.code.lower()}").get_data(as_text=True), mine)
    assert not listed(client.get(f"/store/?q={theirs.code}").get_data(as_text=True), theirs)
    assert not listed(client.get(f"/store/?q={theirs.id}").get_data(as_text=True), theirs)


def test_a_mistyped_code_in_the_search_says_so(client, login, desk, make_piece):
    mine = make_piece(store=desk.store, user=desk.clerk)
    wrong = mine.code[:-1] + ("A" if mine.code[-1] != "A" else "B")
    login(desk.clerk)
    page = client.get(f"/store/?q={wrong}").get_data(as_text=True)
    assert "wrong check character" in page and not listed(page, mine)


def test_the_list_filters_by_status_and_defect(client, login, desk, make_piece):
    quality = make_piece(store=desk.store, user=desk.clerk, defect=desk.quality)
    people = make_piece(store=desk.store, user=desk.clerk, defect=desk.people)
    login(desk.clerk)
    page = client.get(f"/store/?defect={desk.people.id}").get_data(as_text=True)
    assert listed(page, people) and not listed(page, quality)
    page = client.get("/store/?status=in_transit").get_data(as_text=True)
    assert not listed(page, people) and not listed(page, quality)
    page = client.get("/store/?status=registered").get_data(as_text=True)
    assert listed(page, people) and listed(page, quality)


def test_the_list_pages_by_fifty_newest_first_through_an_older_link(client, login, desk, make_piece):
    import re

    made = [make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality) for _ in range(51)]
    login(desk.clerk)
    page = client.get("/store/").get_data(as_text=True)
    assert page.count('name="piece_ids"') == 50
    assert listed(page, made[-1]) and not listed(page, made[0])
    older = re.search(r'href="([^"]*after=\d+[^"]*)" rel="next"', page)
    assert older, "an Older link"
    second = client.get(older[1].replace("&amp;", "&")).get_data(as_text=True)
    assert second.count('name="piece_ids"') == 1 and listed(second, made[0])
    assert 'rel="next"' not in second and 'rel="first"' in second


def test_a_region_manager_sees_the_regions_pieces_read_only_with_a_store_filter(client, login, desk, make_piece):
    here = make_piece(store=desk.store, user=desk.clerk)
    neighbour_clerk_piece = make_piece(store=desk.neighbour)
    elsewhere = make_piece(store=desk.other_store, user=desk.other_clerk)
    login(desk.manager)
    page = client.get("/store/").get_data(as_text=True)
    assert listed(page, here) and listed(page, neighbour_clerk_piece) and not listed(page, elsewhere)
    assert 'name="piece_ids"' not in page  # no label printing
    page = client.get(f"/store/?store={desk.neighbour.id}").get_data(as_text=True)
    assert listed(page, neighbour_clerk_piece) and not listed(page, here)
    assert client.get("/store/register").status_code == 403


def test_the_list_shows_days_left_and_overdue_in_red(client, login, desk, make_piece, db_session, app, monkeypatch):
    from tests.app.store_support import dispatched

    piece = make_piece(store=desk.store, user=desk.clerk, at=datetime(2026, 10, 1, 2, 0, tzinfo=UTC))
    dispatched(db_session, desk.clerk, desk.store, [piece], datetime(2026, 10, 1, 4, 0, tzinfo=UTC))
    login(desk.clerk)
    set_now(app, monkeypatch, datetime(2026, 10, 10, 4, 0, tzinfo=UTC))
    assert "6 days left" in client.get("/store/").get_data(as_text=True)
    set_now(app, monkeypatch, datetime(2026, 10, 18, 4, 0, tzinfo=UTC))
    page = client.get("/store/").get_data(as_text=True)
    assert '<span class="clock-overdue">2 days late</span>' in page


def test_an_admin_is_refused_politely_on_pages_that_act_for_one_store(client, login, desk):
    login(desk.admin)
    response = client.get("/store/register")
    assert response.status_code == 403
    assert "log in as a member of its staff" in response.get_data(as_text=True)
    assert client.get("/store/").status_code == 200


def test_registering_today_uses_the_real_clock_when_no_clock_is_set(client, login, desk, db_session):
    login(desk.clerk)
    client.post("/store/register", data=form_for(desk), content_type="multipart/form-data")
    piece = db_session.scalars(select(Piece)).one()
    assert abs((piece.registered_at - datetime.now(UTC)).total_seconds()) < 60
    assert piece.registered_at.date() <= date.today()
    assert db_session.scalar(select(func.count(Photo.id))) == 1
