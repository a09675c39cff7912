"""The supplier quality pages: every figure against a hand-counted chain, who sees what,
the drill-down to the pieces with their photos, and the scorecard (PDF and Excel)."""

import io
import re
import subprocess
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from app.services.quality import figures
from app.services.quality import pieces as quality_pieces
from tests.app.quality_support import AUGUST, SEPTEMBER, graded, quality_world  # noqa: F401 (fixtures)
from tests.conftest import require_tool
from workshop.money import Month
from workshop.quality import Period
from workshop.statuses import Blame, Grade

SEP = Period(Month(2026, 9), Month(2026, 9))
SEP_2025 = datetime(2025, 9, 15, 4, 0, tzinfo=UTC)
PAGE = "/quality/?from=2026-09&to=2026-09"


@pytest.fixture()
def chain(db_session, graded, quality_world):
    """September 2026, counted by hand:

    Shanghai (east): 2 coats, open seam, scrapped, the supplier's (¥500 each); a down jacket,
    broken zip, repaired and sent back 3 days after grading; a coat, open seam, no fault,
    sent back the next day. Guangzhou (south): a shirt damaged by people, scrapped, the
    store's (¥80); a shirt, open seam, scrapped, the supplier's (¥80).
    The month before: one coat with a broken zip scrapped (¥500). A year before: one coat,
    open seam, no fault."""
    w = quality_world
    scrapped_coats = graded(Grade.SCRAP, n=2, with_photo=True)
    graded(Grade.REPAIRABLE, product=w.down, defect=w.zip, repaired_and_returned_after_days=3)
    graded(Grade.NO_FAULT, repaired_and_returned_after_days=1)
    graded(Grade.SCRAP, product=w.shirt, defect=w.stain, store=w.guangzhou)
    graded(Grade.SCRAP, product=w.shirt, store=w.guangzhou, blame=Blame.SUPPLIER)
    graded(Grade.SCRAP, at=AUGUST, defect=w.zip)
    graded(Grade.NO_FAULT, at=SEP_2025)
    return scrapped_coats


def test_every_figure_of_the_period_matches_the_hand_count(db_session, chain, quality_world):
    w = quality_world
    scope = figures.Scope()
    t = figures.total(scope, SEP)
    f = t.figures
    assert (f.pieces, f.scrapped, f.repairable, f.no_fault, f.repeats) == (6, 4, 1, 1, 0)
    assert (str(t.cost), str(t.supplier_cost)) == ("1160.00", "1080.00")
    # days in the workshop: received 2 days before grading; 4 scrapped (2 each), 5 and 3
    assert (f.days_total, f.days_count, str(t.average_days)) == (16, 6, "2.7")
    assert (t.scrap_share, t.repair_share, t.no_fault_share) == (667, 167, 167)

    defects = figures.by_defect(scope, SEP)
    assert [(d.code, d.pieces, str(d.cost)) for d in defects] == [
        ("Q01", 4, "1080.00"),
        ("N01", 1, "80.00"),
        ("Q02", 1, "0.00"),
    ]
    suppliers = figures.by_supplier(scope, SEP)
    assert [(s.code, s.pieces, str(s.cost), str(s.supplier_cost)) for s in suppliers] == [
        ("SUPNB", 4, "1000.00", "1000.00"),
        ("SUPQD", 2, "160.00", "80.00"),
    ]
    products = figures.by_product(scope, SEP)
    assert [(c.name, c.pieces, str(c.cost)) for c in products.categories] == [("羽绒服", 6, "1160.00")]
    assert [(p.code, p.pieces, str(p.cost)) for p in products.top] == [
        ("G10001", 3, "1000.00"),
        ("G20001", 2, "160.00"),
        ("G10002", 1, "0.00"),
    ]
    assert [(r.name, r.pieces, str(r.cost)) for r in figures.by_region(SEP)] == [
        ("华东区", 4, "1000.00"),
        ("华南区", 2, "160.00"),
    ]
    assert [(s.code, s.pieces) for s in figures.by_store(scope, SEP)] == [("SH01", 4), ("GZ01", 2)]
    grid = figures.grid(scope, SEP, suppliers, defects)
    assert grid.cell(w.ningbo.id, w.seam.id).pieces == 3
    assert grid.cell(w.qingdao.id, w.seam.id).pieces == 1
    assert grid.cell(w.qingdao.id, w.stain.id).pieces == 1
    assert grid.cell(w.ningbo.id, w.stain.id).pieces == 0

    trend = figures.trend(scope, SEP)
    assert (trend.previous_total.pieces, str(trend.previous_total.cost)) == (1, "500.00")
    assert (trend.year_before_total.pieces, str(trend.year_before_total.cost)) == (1, "0.00")
    by_supplier = figures.trend(scope, SEP, w.qingdao.id)
    assert (by_supplier.current_total.pieces, by_supplier.previous_total.pieces) == (2, 0)


def test_the_page_shows_the_figures_the_pareto_and_the_comparison(client, login, chain, quality_world):
    login(quality_world.finance)
    page = client.get(PAGE).get_data(as_text=True)
    assert "¥1,160.00" in page and "¥1,080.00" in page
    assert "66.7%" in page  # scrapped share, and open seam's share of the pieces
    assert "+500.0%" in page  # six pieces against one the month before
    assert "<svg" in page and "polyline" in page  # Pareto bars and running share
    assert "宁波雅戈服饰有限公司" in page and "华南区" in page
    # a supplier's own page
    page = client.get(f"{PAGE}&supplier={quality_world.qingdao.id}").get_data(as_text=True)
    assert "¥160.00" in page and "scorecard.pdf" in page


def test_a_region_manager_sees_only_the_stores_of_their_region_and_a_store_sees_nothing(
    client, login, chain, quality_world
):
    w = quality_world
    login(w.east_manager)
    page = client.get(PAGE).get_data(as_text=True)
    assert "¥1,000.00" in page and "¥1,160.00" not in page and "广州天河城店" not in page
    assert "scorecard.pdf" not in page
    assert client.get(f"{PAGE}&region={w.south.id}").status_code == 404
    listed = client.get("/quality/pieces?from=2026-09&to=2026-09").get_data(as_text=True)
    assert listed.count('class="code"') == 4 and "广州天河城店" not in listed
    assert client.get(f"/quality/suppliers/{w.ningbo.id}/scorecard.pdf?quarter=2026-Q3").status_code == 403
    client.post("/logout")
    login(w.sh_clerk)
    for url in (PAGE, "/quality/pieces", f"/quality/suppliers/{w.ningbo.id}/scorecard.xlsx?quarter=2026-Q3"):
        assert client.get(url).status_code == 403, url


def test_finance_narrows_the_chain_to_a_region(client, login, chain, quality_world):
    login(quality_world.finance)
    page = client.get(f"{PAGE}&region={quality_world.south.id}").get_data(as_text=True)
    assert "¥160.00" in page and "¥1,160.00" not in page


def test_every_number_drills_down_to_its_pieces_with_their_photos_newest_first_by_keyset(
    db_session, client, login, chain, quality_world
):
    w = quality_world
    login(w.finance)
    listed = client.get(
        f"/quality/pieces?from=2026-09&to=2026-09&supplier={w.ningbo.id}&defect={w.seam.id}&grade=scrap"
    ).get_data(as_text=True)
    assert listed.count('class="code"') == 2
    assert re.search(rf'src="/pieces/{chain[0].id}/photos/\d+/thumb"', listed)
    tz = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    found = quality_pieces.Filter(period=SEP)
    first, cursor = quality_pieces.page(w.finance, found, tz, size=4)
    second, end = quality_pieces.page(w.finance, found, tz, after=cursor, size=4)
    assert len(first) == 4 and len(second) == 2 and end is None
    assert not {p.id for p in first} & {p.id for p in second}
    # the link to the next page works and carries the filters
    listed = client.get("/quality/pieces?from=2026-09&to=2026-09").get_data(as_text=True)
    assert listed.count('class="code"') == 6


def test_junk_in_the_query_string_is_read_as_the_default_never_an_error(client, login, chain, quality_world):
    login(quality_world.finance)
    for url in (
        "/quality/?from=2026-13&to=x&region=-1&supplier=abc",
        "/quality/?from=1999-01&to=2026-09",
        "/quality/pieces?before_at=99999999999999999&before=1&grade=nope&repeat=2",
        "/quality/suppliers/1/scorecard.pdf?quarter=2026-Q9",
    ):
        assert client.get(url).status_code in (200, 404), url
    assert client.get("/quality/?supplier=999999").status_code == 404


@pytest.mark.slow
def test_the_scorecard_pdf_names_the_supplier_in_chinese_and_its_totals_match_the_page(
    db_session, client, login, chain, quality_world, tmp_path
):
    w = quality_world
    login(w.finance)
    page = client.get(f"/quality/?from=2026-07&to=2026-09&supplier={w.ningbo.id}").get_data(as_text=True)
    response = client.get(f"/quality/suppliers/{w.ningbo.id}/scorecard.pdf?quarter=2026-Q3")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "card.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        [require_tool("pdftotext", "poppler-utils"), "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "宁波雅戈服饰有限公司" in text and "2026-Q3" in text
    assert "¥1,500.00" in text and "¥1,500.00" in page  # the quarter: Sep ¥1,000 and Aug ¥500
    assert re.search(r"问题件 Defective pieces\s+5\b", text)
    assert "脱线" in text and chain[0].code in text  # the top defect and the piece its photo shows
    images = subprocess.run(
        [require_tool("pdfimages", "poppler-utils"), "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert len(images.strip().splitlines()) >= 3  # header, rule, one photo at least

    workbook = client.get(f"/quality/suppliers/{w.ningbo.id}/scorecard.xlsx?quarter=2026-Q3")
    sheets = load_workbook(io.BytesIO(workbook.data))
    summary = {row[0]: row[1] for row in sheets["Summary 概况"].iter_rows(values_only=True)}
    assert summary["Defective pieces 问题件"] == 5
    assert float(summary["Scrap cost 报废成本"]) == 1500.0
    assert summary["Supplier 供应商"] == "宁波雅戈服饰有限公司"
