"""At chain scale the store filter asks for a code instead of listing 2,000 stores; a code the
person may not see finds nothing and says so."""

from app.models import Store
from app.services.store_picker import LIST_LIMIT

from .store_support import desk  # noqa: F401  (fixture)


def test_a_few_stores_are_a_list(client, login, desk):  # noqa: F811
    login(desk.manager)
    page = client.get("/store/").get_data(as_text=True)
    assert '<select id="f-store" name="store">' in page and desk.store.code in page


def test_many_stores_are_a_code_to_type_and_the_code_filters(client, login, desk, db_session, make_piece):  # noqa: F811
    db_session.add_all(Store(code=f"X{i:04d}", name=f"门店 {i}", region=desk.region) for i in range(LIST_LIMIT + 1))
    db_session.commit()
    mine = make_piece(store=desk.store, user=desk.clerk, product=desk.product, defect=desk.quality)
    theirs = make_piece(store=desk.neighbour, product=desk.product, defect=desk.quality)
    login(desk.admin)
    for url in ("/store/", "/bench/deadlines"):
        page = client.get(url).get_data(as_text=True)
        assert 'name="store_code"' in page and "X0042" not in page, url
    page = client.get(f"/store/?store_code={desk.store.code.lower()}").get_data(as_text=True)
    assert mine.code in page and theirs.code not in page
    assert f'value="{desk.store.code}"' in page  # the field keeps the store chosen


def test_a_code_of_a_store_the_person_may_not_see_finds_nothing(client, login, desk, db_session):  # noqa: F811
    db_session.add_all(Store(code=f"X{i:04d}", name=f"门店 {i}", region=desk.region) for i in range(LIST_LIMIT + 1))
    db_session.commit()
    login(desk.manager)  # a region manager: the other region's store is not one of theirs
    page = client.get(f"/store/?store_code={desk.other_store.code}").get_data(as_text=True)
    assert f"No store you may see has the code {desk.other_store.code}." in page
