"""Every store page renders for a clerk working in Chinese, and the menu leads to them."""

from datetime import UTC, datetime

import pytest

from tests.app.store_support import desk, dispatched, returning  # noqa: F401 (fixtures)


@pytest.fixture()
def chinese_clerk(desk, make_user):
    return make_user("store", store=desk.store, locale="zh_Hans")


def test_every_store_page_renders_in_chinese(client, login, desk, chinese_clerk, make_piece, db_session):
    piece = make_piece(store=desk.store, user=desk.clerk)
    batch = dispatched(db_session, desk.clerk, desk.store, [piece], datetime(2026, 11, 2, 4, 0, tzinfo=UTC))
    back = returning(db_session, desk, [make_piece(store=desk.store, user=desk.clerk)])
    make_piece(store=desk.store, user=desk.clerk)
    login(chinese_clerk)
    for url in (
        "/store/",
        "/store/register",
        "/store/batch",
        f"/store/batches/{batch.id}",
        "/store/receive",
        f"/store/receive/{back.id}",
        "/store/import",
        "/store/?week=2026-W45",
        "/store/?q=bad",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'lang="zh-CN"' in response.get_data(as_text=True), url


def test_the_menu_offers_a_clerk_the_store_desk(client, login, desk):
    login(desk.clerk)
    page = client.get("/home").get_data(as_text=True)
    for url in ("/store/", "/store/register", "/store/batch", "/store/receive"):
        assert f'href="{url}"' in page


def test_the_week_filter_finds_pieces_by_their_dispatch_week(client, login, desk, make_piece, db_session):
    sent = make_piece(store=desk.store, user=desk.clerk)
    dispatched(db_session, desk.clerk, desk.store, [sent], datetime(2026, 11, 2, 4, 0, tzinfo=UTC))  # 2026-W45
    waiting = make_piece(store=desk.store, user=desk.clerk)
    login(desk.clerk)
    page = client.get("/store/?week=2026-W45").get_data(as_text=True)
    assert f">{sent.code}</a>" in page and f">{waiting.code}</a>" not in page
    page = client.get("/store/?week=2026-W46").get_data(as_text=True)
    assert f">{sent.code}</a>" not in page


def test_every_post_form_of_the_store_pages_carries_a_csrf_token(
    client, login, desk, make_piece, db_session, app, monkeypatch
):
    import re

    pieces = [make_piece(store=desk.store, user=desk.clerk) for _ in range(2)]
    back = returning(db_session, desk, [make_piece(store=desk.store, user=desk.clerk)])
    login(desk.clerk)
    client.post("/store/batch/add", data={"piece_ids": [pieces[0].id]})
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for url in (
        "/store/",
        "/store/register",
        "/store/batch",
        "/store/receive",
        f"/store/receive/{back.id}",
        "/store/import",
    ):
        page = client.get(url).get_data(as_text=True)
        forms = re.findall(r'<form[^>]*method="post".*?</form>', page, re.S)
        assert forms, url
        for form in forms:
            assert 'name="csrf_token"' in form, (url, form[:200])
    response = client.post("/store/batch/scan", data={"code": pieces[1].code})
    assert response.status_code == 400
