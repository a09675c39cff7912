"""The administrator's pages: reference data, users and settings, with bad input refused."""

import pytest
from sqlalchemy import select

from app.models import DefectCode, Product, Setting, Store, User
from app.services.settings import rules


@pytest.fixture()
def admin(make_user, login):
    return login(make_user("admin"))


@pytest.mark.parametrize(
    "slug", ["stores", "regions", "suppliers", "products", "defects", "operations", "parts", "users"]
)
def test_every_catalogue_lists_and_offers_a_form(client, admin, slug):
    assert client.get(f"/admin/{slug}/").status_code == 200
    assert client.get(f"/admin/{slug}/new").status_code == 200


@pytest.mark.parametrize("role", ["store", "region", "technician", "finance"])
def test_only_an_administrator_may_open_the_administration(client, make_store, make_user, login, role):
    store = make_store()
    login(make_user(role, store=store if role == "store" else None, region=store.region if role == "region" else None))
    assert client.get("/admin/stores/").status_code == 403
    assert client.post("/admin/stores/new", data={"code": "X1", "name": "x"}).status_code == 403


def test_an_administrator_adds_a_store_and_a_duplicate_code_is_refused(client, admin, make_region, db_session):
    region = make_region()
    data = {"code": "BJ001", "name": "北京王府井店", "region_id": region.id, "weekly_quota": 1, "active": "y"}
    assert client.post("/admin/stores/new", data=data).status_code == 302
    response = client.post("/admin/stores/new", data={**data, "name": "另一家"})
    assert response.status_code == 400 and "already used" in response.get_data(as_text=True)
    assert db_session.scalars(select(Store).where(Store.code == "BJ001")).one().name == "北京王府井店"


def test_a_negative_cost_is_refused_and_changes_nothing(client, admin, make_product, db_session):
    product = make_product(cost="100.00")
    response = client.post(
        f"/admin/products/{product.id}",
        data={
            "style_code": product.style_code,
            "name": product.name,
            "category": "外套",
            "supplier_id": product.supplier_id,
            "unit_cost": "-5",
            "retail_price": "10",
            "active": "y",
        },
    )
    assert response.status_code == 400
    assert str(db_session.get(Product, product.id).unit_cost) == "100.00"


def test_a_store_user_needs_a_store(client, admin, db_session):
    response = client.post(
        "/admin/users/new",
        data={
            "username": "newclerk",
            "display_name": "新店员",
            "role": "store",
            "store_id": 0,
            "region_id": 0,
            "password": "long-enough-1",
            "active": "y",
        },
    )
    assert response.status_code == 400 and "must belong to a store" in response.get_data(as_text=True)
    assert db_session.scalars(select(User).where(User.username == "newclerk")).first() is None


def test_an_administrator_creates_a_store_user_who_can_log_in(client, admin, make_store, app):
    store = make_store()
    response = client.post(
        "/admin/users/new",
        data={
            "username": "newclerk",
            "display_name": "新店员",
            "role": "store",
            "store_id": store.id,
            "region_id": 0,
            "password": "long-enough-1",
            "active": "y",
        },
    )
    assert response.status_code == 302
    other = app.test_client()
    assert other.post("/login", data={"username": "newclerk", "password": "long-enough-1"}).status_code == 302


def test_an_administrator_cannot_lock_themselves_out(client, admin, db_session):
    response = client.post(
        f"/admin/users/{admin.id}",
        data={
            "username": admin.username,
            "display_name": "x",
            "role": "finance",
            "store_id": 0,
            "region_id": 0,
            "active": "y",
        },
    )
    assert response.status_code == 400
    assert db_session.get(User, admin.id).role == "admin"


def test_a_defect_code_is_added_with_its_kind_and_suggested_blame(client, admin, db_session):
    response = client.post(
        "/admin/defects/new",
        data={
            "code": "Q99",
            "name_zh": "鞋带断裂",
            "name_en": "Broken lace",
            "kind": "quality",
            "suggested_blame": "supplier",
            "active": "y",
        },
    )
    assert response.status_code == 302
    defect = db_session.scalars(select(DefectCode).where(DefectCode.code == "Q99")).one()
    assert (defect.kind, defect.suggested_blame) == ("quality", "supplier")


def test_settings_change_the_limits_and_refuse_nonsense(client, admin, db_session, app):
    assert (
        client.post(
            "/admin/settings", data={"limit_days": 12, "at_risk_days": 0, "inspection_window_days": 7}
        ).status_code
        == 302
    )
    with app.app_context():
        assert (rules().limit_days, rules().at_risk_days) == (12, 0)
    assert (
        client.post(
            "/admin/settings", data={"limit_days": 0, "at_risk_days": 2, "inspection_window_days": 7}
        ).status_code
        == 400
    )
    assert db_session.get(Setting, "limit_days").value == "12"


def test_a_list_longer_than_a_page_links_to_its_second_page_and_opens_it(client, admin, db_session, make_region):
    region = make_region()
    db_session.add_all(Store(code=f"P{i:04d}", name=f"门店 {i}", region=region) for i in range(60))
    db_session.commit()
    first = client.get("/admin/stores/?q=P0")
    assert first.status_code == 200 and "/admin/stores/?q=P0&amp;page=2" in first.get_data(as_text=True)
    second = client.get("/admin/stores/?q=P0&page=2").get_data(as_text=True)
    assert "P0059" in second and "P0000" not in second


def test_the_user_page_offers_to_log_the_user_out_everywhere(client, admin, make_user):
    clerk = make_user("technician")
    page = client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    assert f"/users/{clerk.id}/sign-out" in page and "data-confirm" in page
