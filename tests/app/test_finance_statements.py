"""The claim statement and the store statement as PDFs, read back with pdftotext."""

import re
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Batch
from app.services import finance
from app.services.settings import rules as current_rules
from tests.app.finance_support import finance_world, scrap  # noqa: F401 (fixtures)
from tests.conftest import require_tool
from workshop.money import Month
from workshop.statuses import Blame

pytestmark = pytest.mark.slow
SEP = Month(2026, 9)
AMOUNT = r"-?¥[\d,]+\.\d\d"


def pdf_text(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    tool = require_tool("pdftotext", "poppler-utils")
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([tool, "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [page for page in out.split("\f") if page.strip()]


def money(text: str) -> Decimal:
    return Decimal(text.replace("¥", "").replace(",", ""))


def test_a_suppliers_claim_statement_is_chinese_multi_page_and_totals_the_months_figure(
    client, login, scrap, finance_world, tmp_path
):
    w = finance_world
    w.product.supplier.contact_name = "陈经理"
    db.session.commit()
    pieces = scrap(n=60)
    finance.close_month(w.finance, SEP, current_rules())
    db.session.commit()
    finance.book_adjustment(
        w.finance,
        finance.AdjustmentEntry(Blame.SUPPLIER, Decimal("-12.50"), "运费补贴", supplier_id=w.product.supplier_id),
        current_rules(),
        at=datetime.now(UTC),
    )
    db.session.commit()
    login(w.finance)
    response = client.get(f"/finance/2026-09/supplier/{w.product.supplier_id}/claim.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_text(response.data, tmp_path)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "供应商索赔单" in page and w.product.supplier.name in page
        assert f"第 {number} / {len(pages)} 页" in page
    whole = "\n".join(pages)
    assert pieces[0].code in whole and pieces[-1].code in whole and "男士加绒连帽羽绒服" in whole and "脱线" in whole
    (printed,) = re.findall(rf"合计 Grand total: ({AMOUNT})", whole)
    (line,) = finance.allocation(SEP).suppliers
    assert money(printed) == line.total == Decimal("21600.00")  # the September adjustment-free figure
    page = client.get("/finance/?month=2026-09").get_data(as_text=True)
    assert "¥21,600.00" in page


def test_a_stores_statement_lists_its_scrap_and_extra_shipments_with_a_total_equal_to_the_page(
    client, login, scrap, finance_world, make_store, make_user, tmp_path
):
    w = finance_world
    store = make_store("杭州湖滨银泰店", quota=1)
    clerk = make_user("store", store=store)
    scrap(defect=w.people, store=store, clerk=clerk, n=3)  # one batch, within the quota
    scrap(defect=w.people, store=store, clerk=clerk)  # a second batch in the same week: extra, ¥20.00
    assert db.session.scalar(db.select(db.func.count()).select_from(Batch).where(Batch.extra.is_(True))) == 1
    login(clerk)
    response = client.get(f"/finance/2026-09/store/{store.id}/statement.pdf")
    assert response.status_code == 200
    whole = "\n".join(pdf_text(response.data, tmp_path))
    assert "门店费用单" in whole and "杭州湖滨银泰店" in whole and "额外发货费" in whole
    (printed,) = re.findall(rf"合计 Grand total: ({AMOUNT})", whole)
    (line,) = finance.allocation(SEP).stores
    assert money(printed) == line.total == Decimal("1460.00")
    assert "未结账" in whole  # September is not closed: the statement says so
