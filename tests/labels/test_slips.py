import re
import time
from datetime import date
from decimal import Decimal

import pytest

from labels import Party, Slip, SlipLine, slip_pdf
from tests.labels.longest import (
    ADDRESS,
    CARRIER,
    COLOUR,
    CONTACT,
    DEFECT,
    DESCRIPTION,
    FEE,
    OPERATION,
    PHONE,
    PRODUCT_NAME,
    SIZE,
    STORE_NAME,
    STYLE_CODE,
    TRACKING_NO,
    body_text,
    squeeze,
)

LONG_PRODUCT = "男士加绒加厚防风保暖连帽羽绒服外套（长款）加大码冬季新款商务休闲"
OUTCOMES = ("已维修 Repaired", "无故障 No fault found", "已维修 Repaired")


def make_slip(kind="dispatch", pieces=3, **overrides):
    lines = tuple(
        SlipLine(
            code=f"P{n:08d}K",
            product=LONG_PRODUCT if n % 2 else "女士真丝衬衫",
            size_colour="XL / 藏青",
            defect="脱线 Open seam",
            outcome=OUTCOMES[n % 3] if kind == "return" else None,
        )
        for n in range(1, pieces + 1)
    )
    values = dict(
        kind=kind,
        batch_code="B00000042X",
        sender=Party("上海南京东路店", "王小明", "021-12345678", "上海市黄浦区南京东路100号商场三楼服务台转维修组"),
        receiver=Party("中央维修车间 Central workshop", "李师傅", "13800000000", "江苏省苏州市工业园区星湖街1号"),
        iso_week="2026-W48",
        date=date(2026, 11, 23),
        carrier="顺丰 SF Express",
        tracking_no="SF1234567890",
        lines=lines,
    )
    values.update(overrides)
    return Slip(**values)


@pytest.fixture(scope="module")
def dispatch_slip():
    return slip_pdf(make_slip(extra=True, shipping_fee=Decimal("1234.5")))


@pytest.fixture(scope="module")
def long_return_slip():
    return slip_pdf(make_slip("return", pieces=100))


@pytest.mark.parametrize("dpi", [300, 203])
def test_the_batch_barcode_of_a_dispatch_slip_decodes_at_300_and_203_dpi(pdf_tools, dispatch_slip, dpi):
    (page,) = pdf_tools.rasterise(dispatch_slip, dpi)
    assert pdf_tools.decode(page) == ["B00000042X"]


def test_a_dispatch_slip_shows_parties_carriage_the_extra_mark_fee_and_total(pdf_tools, dispatch_slip):
    text = pdf_tools.text(dispatch_slip)
    for expected in (
        "发货单 Dispatch slip",
        "上海南京东路店",
        "王小明",
        "021-12345678",
        "中央维修车间 Central workshop",
        "周 Week 2026-W48",
        "2026-11-23",
        "顺丰 SF Express",
        "SF1234567890",
        "EXTRA / 额外批次",
        "运费 Shipping fee: ¥1,234.50",
        "合计 Total: 3 件 pieces",
        "女士真丝衬衫",
        "发件方签名/日期 Sender signature/date",
        "收件方签名/日期 Receiver signature/date",
        "第 1 / 1 页 Page 1 / 1",
    ):
        assert expected in text
    assert "结果 Outcome" not in text
    # Issue 19 turned "long names are cut to the column" round: they wrap, whole, and nothing is cut.
    assert LONG_PRODUCT in text.replace("\n", "") and "…" not in text, "long names wrap in their column"


def test_every_page_of_a_long_slip_repeats_the_header_and_its_page_number(pdf_tools, long_return_slip):
    pages = pdf_tools.page_count(long_return_slip)
    assert pages >= 3
    for page in range(1, pages + 1):
        text = pdf_tools.text(long_return_slip, page)
        assert "返还单 Return slip" in text
        assert "B00000042X" in text and "2026-W48" in text
        assert f"第 {page} / {pages} 页 Page {page} / {pages}" in text
    assert "上海南京东路店" not in pdf_tools.text(long_return_slip, 2), "the parties only open the slip"


def test_every_page_of_a_long_slip_carries_a_scannable_batch_barcode(pdf_tools, long_return_slip):
    images = pdf_tools.rasterise(long_return_slip, 203)
    assert [pdf_tools.decode(image) for image in images] == [["B00000042X"]] * len(images)


def test_a_return_slip_lists_every_piece_with_its_outcome_and_counts_each_outcome(pdf_tools, long_return_slip):
    text = pdf_tools.text(long_return_slip)
    assert sorted(set(re.findall(r"P\d{8}K", text))) == [f"P{n:08d}K" for n in range(1, 101)]
    assert "结果 Outcome" in text
    assert "合计 Total: 100 件 pieces" in text
    assert "无故障 No fault found: 34 · 已维修 Repaired: 66" in text


def test_a_piece_without_an_outcome_on_a_return_slip_is_counted_as_not_recorded(pdf_tools):
    slip = make_slip("return", pieces=1)
    slip = make_slip("return", lines=(SlipLine("P1", "衬衫", "M", "污渍"),) + slip.lines)
    assert "未填写 Not recorded: 1" in pdf_tools.text(slip_pdf(slip))


def test_a_slip_without_pieces_or_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="no pieces"):
        slip_pdf(make_slip(lines=()))
    with pytest.raises(ValueError, match="'dispatch' or a 'return'"):
        slip_pdf(make_slip(kind="inbound"))


def longest_slip(kind="dispatch", pieces=3, **overrides):

    party = Party(STORE_NAME, CONTACT, PHONE, ADDRESS)
    lines = tuple(
        SlipLine(
            f"P{n:08d}K",
            f"{STYLE_CODE} {PRODUCT_NAME}",
            f"{SIZE} / {COLOUR}",
            DEFECT,
            "已维修 Repaired" if kind == "return" else None,
            operations=(OPERATION, "缝合 Re-stitch") if kind == "return" else (),
            description=DESCRIPTION,
        )
        for n in range(1, pieces + 1)
    )
    values = dict(
        sender=party,
        receiver=party,
        carrier=CARRIER,
        tracking_no=TRACKING_NO,
        shipping_fee=Decimal(FEE),
        extra=True,
        lines=lines,
    )
    values.update(overrides)
    return make_slip(kind, **values)


@pytest.fixture(scope="module")
def longest_dispatch_slip():
    return slip_pdf(longest_slip())


@pytest.fixture(scope="module")
def longest_return_slip():
    return slip_pdf(longest_slip("return"))


def test_the_longest_values_the_forms_accept_print_whole_on_a_dispatch_slip(pdf_tools, longest_dispatch_slip):

    text = body_text(pdf_tools, longest_dispatch_slip)
    assert "…" not in text
    assert f"运单号Trackingno.:{TRACKING_NO}" in text, "the tracking number on one line, whole"
    assert "运费Shippingfee:¥100,000.00" in text
    for value in (STORE_NAME, CONTACT, PHONE, ADDRESS, CARRIER, STYLE_CODE, PRODUCT_NAME, COLOUR, DEFECT, DESCRIPTION):
        assert squeeze(value) in text
    assert text.count(squeeze(DESCRIPTION)) == 3, "each piece's description, all 2,000 characters"


@pytest.mark.parametrize("dpi", [150, 203, 300])
def test_the_batch_barcode_of_a_slip_with_the_longest_values_decodes_on_every_page(
    pdf_tools, longest_dispatch_slip, dpi
):
    images = pdf_tools.rasterise(longest_dispatch_slip, dpi)
    assert len(images) >= 2, "three 2,000-character descriptions take more than a page"
    assert [pdf_tools.decode(image) for image in images] == [["B00000042X"]] * len(images)


def test_a_return_slip_shows_the_outcome_with_the_repair_work_done(pdf_tools, longest_return_slip):

    text = body_text(pdf_tools, longest_return_slip)
    assert text.count(squeeze(f"已维修 Repaired · {OPERATION} · 缝合 Re-stitch")) == 3
    assert squeeze("已维修 Repaired: 3") in text


def test_every_page_counts_its_pieces_and_the_pages_add_up_to_the_total(pdf_tools, long_return_slip):
    pages = pdf_tools.page_count(long_return_slip)
    counts = []
    for page in range(1, pages + 1):
        text = pdf_tools.text(long_return_slip, page)
        (count,) = re.findall(r"本页 (\d+) 件，共 100 件 · (?:\d+) pieces on this page, 100 in all", text)
        counts.append(int(count))
        assert "核对 ✓" in text, "the receiver's tick column is on every page"
    assert sum(counts) == 100 and all(counts[:-1])


def test_the_parcel_count_is_printed_in_the_carriage_facts_and_the_totals(pdf_tools):
    text = pdf_tools.text(slip_pdf(make_slip(parcels=3)))
    assert text.count("包裹数 Parcels: 3") == 2


def test_a_packing_list_is_titled_as_one_and_leaves_carrier_and_tracking_to_fill_in(pdf_tools):
    text = pdf_tools.text(slip_pdf(make_slip(packing_list=True, carrier="", tracking_no="")))
    assert "装箱单 Packing list · 未发货 not yet dispatched" in text
    assert "发货单 Dispatch slip" not in text
    assert "打印日期 Printed on 2026-11-23" in text and "日期 Date" not in text
    assert "运单号 Tracking no.: ________________" in text
    assert "装箱人签名/日期 Packed by/date" in text and "发件方签名" not in text
    assert "本页 3 件，共 3 件" in text


def test_a_slip_says_which_characters_no_font_could_print():
    slip = make_slip(sender=Party("王\U00013000店"))
    assert slip_pdf(slip).missing_chars == ("\U00013000",)
    assert slip_pdf(make_slip()).missing_chars == ()


def test_a_batch_in_no_parcel_is_refused():
    with pytest.raises(ValueError, match="at least one parcel"):
        slip_pdf(make_slip(parcels=0))
