"""The finance pages: who may see them, the month, the drill-down, closing, corrections, claims."""

import re
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import AccountingMonth, Adjustment, Claim, Event, Piece
from app.services import finance
from app.services.settings import rules as current_rules
from tests.app.finance_support import OCTOBER, SEPTEMBER, finance_world, scrap  # noqa: F401 (fixtures)
from workshop.money import Month
from workshop.statuses import Blame, ClaimStatus

SEP = Month(2026, 9)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_only_finance_and_administrators_open_the_finance_pages(client, login, finance_world, make_user):
    for role in ("store", "technician", "region"):
        kwargs = (
            {"store": finance_world.store}
            if role == "store"
            else {"region": finance_world.store.region}
            if role == "region"
            else {}
        )
        login(make_user(role, **kwargs))
        for url in ("/finance/", "/finance/2026-09/hq", "/finance/claims", "/finance/export/allocation.csv"):
            assert client.get(url).status_code == 403, (role, url)
        client.post("/logout")
    login(finance_world.admin)
    assert client.get("/finance/").status_code == 200


def test_the_month_page_shows_each_partys_cost_the_previous_month_beside_it_and_the_rounding_rule(
    client, login, scrap, finance_world
):
    w = finance_world
    scrap(n=2)
    scrap(defect=w.people)
    scrap(defect=w.unknown, at=OCTOBER)
    login(w.finance)
    page = text(client.get("/finance/?month=2026-10"))
    assert "¥360.00" in page  # October: head office
    assert "¥720.00" in page  # September beside it: the supplier's two pieces
    assert w.product.supplier.name in page and w.store.name in page
    assert "rounded half-up" in page
    assert "<svg" in page and "<title" in page and "<table" in page
    september = text(client.get("/finance/?month=2026-09"))
    assert "¥1,080.00" in september  # 720 (supplier) + 360 (store) as the sum of the lines
    assert client.get("/finance/?month=2026-13").status_code == 404


def test_the_drill_down_lists_fifty_pieces_a_page_with_their_cost_blame_who_and_why(
    client, login, scrap, finance_world
):
    w = finance_world
    pieces = scrap(n=51)
    login(w.finance)
    url = f"/finance/2026-09/supplier?party={w.product.supplier_id}"
    first = text(client.get(url))
    assert first.count('href="/pieces/') == 50
    assert f'href="/pieces/{pieces[0].id}"' in first and pieces[0].code in first
    assert w.tech.display_name in first and "manufacturing fault" in first
    second = text(client.get(url + "&page=2"))
    assert second.count('href="/pieces/') == 1 and pieces[50].code in second
    assert client.get("/finance/2026-09/supplier?party=999999").status_code == 404
    assert client.get("/finance/2026-09/nobody").status_code == 404


def test_an_overridden_blame_shows_as_such_in_the_drill_down(client, login, scrap, finance_world):
    w = finance_world
    scrap(blame=Blame.HQ, reason="供应商已倒闭，无法索赔")
    login(w.finance)
    page = text(client.get("/finance/2026-09/hq"))
    assert "overridden" in page and "供应商已倒闭，无法索赔" in page


def test_closing_a_month_needs_the_confirmation_and_is_recorded(client, login, scrap, finance_world):
    scrap()
    login(finance_world.finance)
    assert "Close the month" in text(client.get("/finance/2026-09/close"))
    refused = client.post("/finance/2026-09/close", data={})
    assert refused.status_code == 422 and db.session.get(AccountingMonth, SEP.key) is None
    done = client.post("/finance/2026-09/close", data={"confirm": "y"})
    assert done.status_code == 302
    assert db.session.get(AccountingMonth, SEP.key).closed
    again = client.post("/finance/2026-09/close", data={"confirm": "y"})
    assert again.status_code == 409 and "already closed" in text(again)


def test_after_closing_a_correction_from_the_drill_down_lands_in_the_open_month_and_the_pieces_history(
    client, login, scrap, finance_world
):
    w = finance_world
    piece = scrap()
    finance.close_month(w.finance, SEP, current_rules())
    db.session.commit()
    login(w.finance)
    form = text(client.get(f"/finance/adjustments/new?piece={piece.id}"))
    assert piece.code in form and w.product.supplier.code in form
    response = client.post(
        f"/finance/adjustments/new?piece={piece.id}",
        data={
            "piece": piece.code,
            "blame": "supplier",
            "party": w.product.supplier.code,
            "amount": "-100.00",
            "reason": "供应商同意按七折承担",
        },
    )
    assert response.status_code == 302
    (adjustment,) = db.session.scalars(select(Adjustment)).all()
    this_month = finance.current_month(current_rules())
    assert adjustment.month == this_month.key and adjustment.amount == Decimal("-100.00")
    assert finance.allocation(SEP).total == Decimal("360.00")
    history = text(client.get(f"/pieces/{piece.id}"))
    assert "供应商同意按七折承担" in history
    month_page = text(client.get(f"/finance/?month={this_month}"))
    assert "-¥100.00" in month_page


def test_a_bad_adjustment_is_refused_with_a_message_and_nothing_is_booked(client, login, finance_world):
    login(finance_world.finance)
    for data in (
        {"blame": "hq", "amount": "12.345", "reason": "x"},
        {"blame": "hq", "amount": "0", "reason": "x"},
        {"blame": "supplier", "party": "NOPE", "amount": "5", "reason": "x"},
        {"blame": "hq", "amount": "5", "reason": "x", "piece": "P12345678X"},
    ):
        response = client.post("/finance/adjustments/new", data=data)
        assert response.status_code == 422, data
        assert 'role="alert"' in text(response)
    assert db.session.scalars(select(Adjustment)).all() == []


def test_no_finance_page_changes_a_closed_months_figures(client, login, scrap, finance_world):
    w = finance_world
    piece = scrap()
    finance.close_month(w.finance, SEP, current_rules())
    db.session.commit()
    login(w.finance)
    assert client.post("/finance/2026-09/close", data={"confirm": "y"}).status_code == 409
    client.post("/finance/2026-09/claims/open")
    client.post("/finance/2026-09/claims/open")  # twice: one claim, its amount fixed
    client.post(
        f"/finance/adjustments/new?piece={piece.id}",
        data={"piece": piece.code, "blame": "hq", "amount": "50.00", "reason": "改由总部承担"},
    )
    db.session.expire_all()
    assert finance.allocation(SEP).total == Decimal("360.00")
    assert db.session.get(Piece, piece.id).scrap_cost == Decimal("360.00")
    assert [c.amount for c in db.session.scalars(select(Claim))] == [Decimal("360.00")]
    (adjustment,) = db.session.scalars(select(Adjustment))
    assert adjustment.month == finance.current_month(current_rules()).key != SEP.key


def test_only_an_administrator_reopens_a_month_and_only_with_a_reason(client, login, scrap, finance_world):
    w = finance_world
    scrap()
    finance.close_month(w.finance, SEP, current_rules())
    db.session.commit()
    login(w.finance)
    assert client.post("/finance/2026-09/reopen", data={"reason": "x"}).status_code == 403
    client.post("/logout")
    login(w.admin)
    client.post("/finance/2026-09/reopen", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(AccountingMonth, SEP.key).closed
    client.post("/finance/2026-09/reopen", data={"reason": "发票金额有误"})
    db.session.expire_all()
    assert not db.session.get(AccountingMonth, SEP.key).closed
    assert db.session.scalar(select(Event.reason).where(Event.action == "month_reopen")) == "发票金额有误"


def test_claims_are_opened_sent_and_settled_from_the_pages(client, login, scrap, finance_world):
    w = finance_world
    scrap(n=2)
    login(w.finance)
    client.post("/finance/2026-09/claims/open")
    assert db.session.scalars(select(Claim)).all() == []  # the month is still open
    finance.close_month(w.finance, SEP, current_rules())
    db.session.commit()
    client.post("/finance/2026-09/claims/open")
    (claim,) = db.session.scalars(select(Claim)).all()
    assert claim.amount == Decimal("720.00")
    page = text(client.get("/finance/claims"))
    assert "¥720.00" in page and w.product.supplier.name in page
    client.post(f"/finance/claims/{claim.id}/sent", data={"sent_on": "2026-10-08"})
    client.post(f"/finance/claims/{claim.id}/settle", data={"settled_on": "2026-10-30", "paid": "720.00"})
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    assert (claim.status, claim.paid_amount, str(claim.sent_on)) == (
        ClaimStatus.SETTLED,
        Decimal("720.00"),
        "2026-10-08",
    )


def test_store_users_and_region_managers_see_only_their_own_store_statements(
    client, login, scrap, finance_world, make_store, make_user, make_region
):
    w = finance_world
    scrap(defect=w.people)
    other_region = make_region("华北区")
    other = make_store("北京王府井店", region=other_region, quota=50)
    other_clerk = make_user("store", store=other)
    scrap(defect=w.people, store=other, clerk=other_clerk)
    own_url = f"/finance/2026-09/store/{w.store.id}/statement.pdf"
    other_url = f"/finance/2026-09/store/{other.id}/statement.pdf"

    login(w.clerk)
    assert client.get(own_url).status_code == 200
    assert client.get(other_url).status_code == 404
    listing = text(client.get("/finance/statements"))
    assert w.store.name in listing and "北京王府井店" not in listing
    assert client.get(f"/finance/2026-09/store?party={other.id}").status_code == 403
    client.post("/logout")

    login(make_user("region", region=w.store.region))
    assert client.get(own_url).status_code == 200
    assert client.get(other_url).status_code == 404
    client.post("/logout")
    login(make_user("technician"))
    assert client.get(own_url).status_code == 403


def test_the_month_page_chart_has_twelve_months_and_an_accessible_fallback(client, login, scrap, finance_world):
    scrap()
    login(finance_world.finance)
    page = text(client.get("/finance/?month=2026-09"))
    chart = page.index('<svg role="img"')  # the chart (the header's bell is an svg too)
    svg = page[chart : page.index("</svg>", chart)]
    assert "<title" in svg
    assert len(re.findall(r"<rect ", svg)) == 1
    fallback = page[page.index("<details", chart) : page.index("</details>", chart)]
    assert fallback.count("<tr>") == 13  # a heading row and twelve months
