"""Every document, fetched through its real page with the longest values the forms accept,
read as its reader reads it: the courier's and the receiving desk's scanner (zbarimg on
150, 203 and 300 dpi renders), and the eye (pdftotext: tracking numbers, amounts, Chinese
reasons and addresses, whole).

The chain is set up through the administrator's pages, the pieces registered and the
parcels packed and dispatched through the store's and the workshop's pages."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Batch, DefectCode, Piece, Product, Region, RepairOperation, Store, Supplier
from app.services import batches, finance, grading, registration, scanning
from app.services.settings import rules as current_rules
from tests.app.store_support import set_now
from tests.app.test_bench_scan_station import scan
from tests.labels.conftest import PdfTools, require_tools
from tests.labels.longest import (
    ADDRESS,
    CARRIER,
    COLOUR,
    CONTACT,
    DESCRIPTION,
    FEE,
    OPERATION,
    PHONE,
    PRODUCT_NAME,
    REASON,
    SIZE,
    STORE_NAME,
    STYLE_CODE,
    SUPPLIER_NAME,
    TRACKING_NO,
    body_text,
    chinese,
    squeeze,
)
from workshop.money import Month
from workshop.statuses import Blame, Direction, Grade, Source

pytestmark = pytest.mark.slow

DPIS = (150, 203, 300)
MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, week 2026-W48
WORKSHOP = {
    "workshop_name": chinese(100, 20),
    "workshop_contact": chinese(100, 21),
    "workshop_phone": "0512-6288 1234 转 801 / 139 1234 5678",
    "workshop_address": chinese(300, 22),
    "bank_name": chinese(100, 23),
    "bank_account_name": chinese(200, 24),
    "bank_account_no": "6222 0212 3456 7890 1234 5678 9012 3456"[:40],
    "claim_due_days": "30",
    "claim_due_from": "opened",
}
SUPPLIER_ADDRESS = chinese(300, 25)
DEFECT_CODE, DEFECT_NAME = "D" * 20, chinese(100, 8)
STORE_TRACKING_NO = TRACKING_NO[:30]  # both dispatch forms take 4 to 30 letters, digits or hyphens
UNIT_COST = "99999999.99"  # the largest amount the forms accept (app.inputs.MONEY_LIMIT)
RULE3_ZH = "到货 12 天后才登记（超过 7 天）：损坏由门店承担。"
QUALITY_ZH = "质量问题：生产缺陷由供应商承担。"


@pytest.fixture(scope="module")
def pdf_tools(tmp_path_factory) -> PdfTools:
    require_tools()
    return PdfTools(tmp_path_factory.mktemp("paper"))


@pytest.fixture()
def chain(client, login, make_user, db_session, app, monkeypatch):
    """The chain as the administrator sets it up through the pages, with the longest values."""
    set_now(app, monkeypatch, MONDAY)
    login(make_user("admin"))

    def post(url: str, data: dict) -> None:
        response = client.post(url, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    post("/admin/settings", {"limit_days": 15, "at_risk_days": 3, "inspection_window_days": 7} | WORKSHOP)
    post("/admin/regions/new", {"code": "EAST", "name": "华东区"})
    region_id = db_session.scalars(select(Region.id)).one()
    post(
        "/admin/stores/new",
        {
            "code": "S" * 20,
            "name": STORE_NAME,
            "region_id": region_id,
            "address": ADDRESS,
            "contact_name": CONTACT,
            "contact_phone": PHONE,
            "weekly_quota": 1,
            "active": "y",
        },
    )
    post(
        "/admin/suppliers/new",
        {
            "code": "U" * 20,
            "name": SUPPLIER_NAME,
            "contact_name": chinese(100, 26),
            "contact_phone": "021-5555 0000",
            "address": SUPPLIER_ADDRESS,
            "active": "y",
        },
    )
    supplier_id = db_session.scalars(select(Supplier.id)).one()
    product = {"name": PRODUCT_NAME, "category": chinese(40, 27), "supplier_id": supplier_id, "active": "y"}
    post("/admin/products/new", product | {"style_code": STYLE_CODE, "unit_cost": UNIT_COST, "retail_price": "1"})
    post("/admin/products/new", product | {"style_code": "G10001", "unit_cost": "360", "retail_price": "999"})
    defect = {"name_en": "E" * 100, "active": "y"}
    post("/admin/defects/new", defect | {"code": DEFECT_CODE, "name_zh": DEFECT_NAME, "kind": "quality"})
    post("/admin/defects/new", defect | {"code": "N08", "name_zh": "人为损坏", "kind": "non_quality"})
    post("/admin/operations/new", {"code": "OP" * 10, "name_zh": OPERATION, "name_en": "O" * 100, "active": "y"})
    client.post("/logout")

    class Chain:
        store = db_session.scalars(select(Store)).one()
        clerk = make_user("store", store=store, locale="zh_Hans")
        tech = make_user("technician", locale="en")
        finance = make_user("finance", locale="en")
        longest = db_session.scalars(select(Product).where(Product.style_code == STYLE_CODE)).one()
        plain = db_session.scalars(select(Product).where(Product.style_code == "G10001")).one()
        quality = db_session.scalars(select(DefectCode).where(DefectCode.code == DEFECT_CODE)).one()
        people = db_session.scalars(select(DefectCode).where(DefectCode.code == "N08")).one()
        operation = db_session.scalars(select(RepairOperation)).one()

    return Chain


def register_longest(client, chain, n: int) -> list[Piece]:
    """``n`` pieces registered through the store's form with the longest values it takes."""
    for _ in range(n):
        response = client.post(
            "/store/register",
            data={
                "product": STYLE_CODE,
                "size": SIZE,
                "colour": COLOUR,
                "defect": str(chain.quality.id),
                "description": DESCRIPTION,
                "source": "customer_return",
                "save": "1",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return list(db.session.scalars(select(Piece).where(Piece.description == DESCRIPTION).order_by(Piece.id)))


def pdf(response) -> bytes:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    return response.data


def codes_per_page(pdf_tools: PdfTools, document: bytes, dpi: int) -> list[list[str]]:
    return [pdf_tools.decode(image) for image in pdf_tools.rasterise(document, dpi)]


def assert_whole(text: str, *values: str) -> None:
    for value in values:
        assert squeeze(value) in text, f"{value[:30]}… is not printed whole"


def workshop_block() -> tuple[str, ...]:
    return tuple(WORKSHOP[key] for key in ("workshop_name", "workshop_contact", "workshop_phone", "workshop_address"))


# --- The store's dispatch: packing list, then slip ----------------------------------------


def test_a_stores_packing_list_and_dispatch_slip_with_the_longest_values_scan_and_read_whole(
    client, login, chain, pdf_tools, db_session
):
    # The week's first batch is already gone: this one is extra, and its fee is the store's.
    first = registration.register_piece(
        chain.clerk,
        chain.store,
        registration.NewPiece(chain.plain, chain.quality, Source.SHELF),
        current_rules(),
        at=MONDAY - timedelta(hours=1),
    )
    batch = batches.open_or_create_batch(chain.clerk, chain.store, Direction.OUTBOUND, at=MONDAY)
    batches.add_piece(chain.clerk, batch, first, at=MONDAY)
    batches.dispatch_batch(chain.clerk, batch, current_rules(), carrier="顺丰速运", tracking_no="SF00000001", at=MONDAY)
    db_session.commit()

    login(chain.clerk)
    pieces = register_longest(client, chain, 3)
    assert client.post("/store/batch/add", data={"piece_ids": [p.id for p in pieces]}).status_code == 302
    open_batch = db_session.scalars(select(Batch).where(Batch.status == "open")).one()

    packing = pdf(client.get(f"/store/batches/{open_batch.id}/packing-list.pdf"))
    for dpi in DPIS:
        assert set(map(tuple, codes_per_page(pdf_tools, packing, dpi))) == {(open_batch.code,)}, dpi
    text = body_text(pdf_tools, packing)
    first_page = squeeze(pdf_tools.text(packing, 1))
    assert "装箱单Packinglist" in first_page and "运单号Trackingno.:________________" in first_page
    assert_whole(text, *(p.code for p in pieces), STORE_NAME, ADDRESS, *workshop_block())

    response = client.post(
        f"/store/batches/{open_batch.id}/dispatch",
        data={
            "carrier": "other",
            "carrier_other": CARRIER,
            "tracking_no": STORE_TRACKING_NO,
            "parcels": "99",
            "shipping_fee": FEE,
            "confirm": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    slip = pdf(client.get(f"/store/batches/{open_batch.id}/slip.pdf"))
    for dpi in DPIS:
        pages = codes_per_page(pdf_tools, slip, dpi)
        assert len(pages) >= 2 and pages == [[open_batch.code]] * len(pages), dpi
    one_line = pdf_tools.text(slip, 1)
    assert f"运单号 Tracking no.: {STORE_TRACKING_NO}" in one_line, "the tracking number on one line, whole"
    text = body_text(pdf_tools, slip)
    assert "…" not in text
    assert "运费Shippingfee:¥100,000.00" in text and "包裹数Parcels:99" in text
    assert_whole(text, CARRIER, STORE_NAME, CONTACT, PHONE, ADDRESS, *workshop_block())
    assert_whole(text, PRODUCT_NAME, STYLE_CODE, SIZE, COLOUR, DEFECT_CODE, DEFECT_NAME)
    assert text.count(squeeze(DESCRIPTION)) == 3, "each piece's description, all 2,000 characters"


# --- The workshop's return: packing list, then slip -----------------------------------------


def test_a_return_packing_list_and_slip_name_what_was_done_in_chinese_and_scan(
    client, login, chain, pdf_tools, db_session, app, monkeypatch
):
    login(chain.clerk)
    pieces = register_longest(client, chain, 2)
    rules = current_rules()
    batch = batches.open_or_create_batch(chain.clerk, chain.store, Direction.OUTBOUND, at=MONDAY)
    for piece in pieces:
        batches.add_piece(chain.clerk, batch, piece, at=MONDAY)
    batches.dispatch_batch(chain.clerk, batch, rules, carrier="顺丰速运", tracking_no="SF00000002", at=MONDAY)
    scanning.start_check(chain.tech, batch, at=MONDAY + timedelta(days=1))
    for piece in pieces:
        scanning.receive_scan(chain.tech, batch, piece.code, at=MONDAY + timedelta(days=1))
    grading.grade_piece(chain.tech, pieces[0], Grade.REPAIRABLE, rules, at=MONDAY + timedelta(days=1))
    grading.grade_piece(chain.tech, pieces[1], Grade.NO_FAULT, rules, at=MONDAY + timedelta(days=1))
    db_session.commit()
    set_now(app, monkeypatch, MONDAY + timedelta(days=2))

    client.post("/logout")
    login(chain.tech)
    note = "拆线重缝左袖"
    response = client.post(
        f"/bench/pieces/{pieces[0].id}/repair",
        data={"operations": [chain.operation.code], "minutes": "1440", "note": note},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    parcel_id = scan(client, pieces[0].code, mode="pack")["return_batch"]["id"]
    assert scan(client, pieces[1].code, mode="pack")["return_batch"]["id"] == parcel_id
    parcel = db.session.get(Batch, parcel_id)

    packing = pdf(client.get(f"/bench/returns/{parcel_id}/slip.pdf"))
    assert codes_per_page(pdf_tools, packing, 203)[0] == [parcel.code]
    assert "装箱单Packinglist(返还return)" in squeeze(pdf_tools.text(packing, 1))

    response = client.post(
        f"/bench/returns/{parcel_id}/dispatch",
        data={"carrier": "other", "carrier_other": CARRIER, "tracking_no": STORE_TRACKING_NO, "parcels": "2"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    slip = pdf(client.get(f"/bench/returns/{parcel_id}/slip.pdf"))
    for dpi in DPIS:
        pages = codes_per_page(pdf_tools, slip, dpi)
        assert pages == [[parcel.code]] * len(pages), dpi
    assert f"运单号 Tracking no.: {STORE_TRACKING_NO}" in pdf_tools.text(slip, 1)
    text = body_text(pdf_tools, slip)
    assert "返还单Returnslip" in squeeze(pdf_tools.text(slip, 1)) and "包裹数Parcels:2" in text
    assert "已维修Repaired" in text and "无故障Nofaultfound" in text and "可维修" not in text
    assert_whole(text, OPERATION, CARRIER, STORE_NAME, CONTACT, PHONE, ADDRESS, *workshop_block())
    assert text.index(squeeze(WORKSHOP["workshop_address"])) < text.index(squeeze(ADDRESS)), "from the workshop"


# --- The supplier's claim and the store's statement ----------------------------------------

SEPTEMBER = datetime(2026, 9, 15, 4, 0, tzinfo=UTC)


def scrapped(chain, db_session, product, defect, *, blame=None, reason="", source=Source.CUSTOMER_RETURN):
    """A piece registered three days before 15 September, then received and scrapped."""
    rules = current_rules()
    registered = SEPTEMBER - timedelta(days=3)
    delivered = (registered - timedelta(days=12)).date() if source == Source.DELIVERY else None
    piece = registration.register_piece(
        chain.clerk,
        chain.store,
        registration.NewPiece(product, defect, source, delivery_received_on=delivered),
        rules,
        at=registered,
    )
    batch = batches.open_or_create_batch(chain.clerk, chain.store, Direction.OUTBOUND, at=registered)
    batches.add_piece(chain.clerk, batch, piece, at=registered)
    fee = batches.quota_check(chain.store, rules, at=registered).extra
    batches.dispatch_batch(
        chain.clerk,
        batch,
        rules,
        carrier="顺丰速运",
        tracking_no="SF00000003",
        shipping_fee=FEE if fee else None,
        at=registered,
    )
    scanning.start_check(chain.tech, batch, at=SEPTEMBER)
    scanning.receive_scan(chain.tech, batch, piece.code, at=SEPTEMBER)
    choice = grading.BlameChoice(blame or grading.suggestion_for(piece, rules).blame, reason)
    grading.grade_piece(chain.tech, piece, Grade.SCRAP, rules, blame=choice, at=SEPTEMBER)
    db_session.commit()
    return piece


def test_a_supplier_claim_reads_its_number_due_date_issuer_bank_reasons_in_chinese_and_amounts_whole(
    client, login, chain, pdf_tools, db_session
):
    suggested = scrapped(chain, db_session, chain.longest, chain.quality)
    overridden = scrapped(chain, db_session, chain.longest, chain.people, blame=Blame.SUPPLIER, reason=REASON)
    finance.close_month(chain.finance, Month(2026, 9), current_rules(), at=MONDAY)
    db_session.commit()
    login(chain.finance)
    assert client.post("/finance/2026-09/claims/open").status_code in (302, 303)
    statement = pdf(client.get(f"/finance/2026-09/supplier/{chain.longest.supplier_id}/claim.pdf"))
    text = body_text(pdf_tools, statement)
    first_page = squeeze(pdf_tools.text(statement, 1))
    assert "索赔单号Claimno.:SC-202609-0001" in first_page
    assert f"付款期限Dueon:{(MONDAY + timedelta(days=30)).date().isoformat()}" in first_page
    assert "¥99,999,999.99" in text and "合计Grandtotal:¥199,999,999.98" in text
    assert QUALITY_ZH in text and "manufacturing" not in text
    assert_whole(text, REASON, SUPPLIER_NAME, SUPPLIER_ADDRESS, *workshop_block())
    assert_whole(text, WORKSHOP["bank_name"], WORKSHOP["bank_account_name"], WORKSHOP["bank_account_no"])
    assert suggested.code in text and overridden.code in text


def test_a_store_statement_reads_rule_3_in_chinese_and_its_extra_shipment(client, login, chain, pdf_tools, db_session):
    late = scrapped(chain, db_session, chain.plain, chain.people, source=Source.DELIVERY)
    scrapped(chain, db_session, chain.plain, chain.people, source=Source.DELIVERY)  # a second batch that week: extra
    login(chain.clerk)
    statement = pdf(client.get(f"/finance/2026-09/store/{chain.store.id}/statement.pdf"))
    text = body_text(pdf_tools, statement)
    first_page = squeeze(pdf_tools.text(statement, 1))
    assert "门店费用单Storechargesstatement" in first_page and "2026-09（未结账）" in first_page
    assert text.count(squeeze(RULE3_ZH)) == 2 and "Registered" not in text
    assert "额外发货费Extrashipmentcharges" in text and "额外发货，2026-W37周" in text and "¥100,000.00" in text
    assert_whole(text, STORE_NAME, CONTACT, PHONE, ADDRESS, *workshop_block())
    assert late.code in text


# --- Piece labels with the longest values ----------------------------------------------------


@pytest.mark.parametrize("fmt", ["sheet", "thermal"])
def test_piece_labels_with_the_longest_values_scan_at_150_203_and_300_dpi(client, login, chain, pdf_tools, fmt):
    login(chain.clerk)
    pieces = register_longest(client, chain, 3)
    labels = pdf(
        client.post("/store/labels", data={"which": "selected", "piece_ids": [p.id for p in pieces], "format": fmt})
    )
    for dpi in DPIS:
        decoded = sorted(code for page in codes_per_page(pdf_tools, labels, dpi) for code in page)
        assert decoded == sorted(p.code for p in pieces), dpi
