import re
from datetime import date
from decimal import Decimal

import pytest

from labels import BankAccount, Party, Statement, StatementLine, statement_pdf
from tests.labels.longest import (
    ADDRESS,
    CONTACT,
    DEFECT,
    PHONE,
    PRODUCT_NAME,
    REASON,
    STYLE_CODE,
    SUPPLIER_NAME,
    body_text,
    squeeze,
)

AMOUNT = r"-?¥[\d,]+\.\d\d"


def make_statement(kind="claim", pieces=40, sections=(), **overrides):
    values = dict(
        kind=kind,
        title="供应商索赔单 Supplier claim statement" if kind == "claim" else "门店费用单 Store charges statement",
        party=Party("宁波优衣制衣有限公司", "陈经理", "0574-8888888", "浙江省宁波市鄞州区制衣路8号"),
        issuer=Party("某某服饰集团总部 HQ"),
        period="2026-11",
        lines=tuple(
            StatementLine(
                f"P{n:08d}K",
                "男士加绒加厚防风保暖连帽羽绒服外套（长款）",
                "脱线 Open seam",
                "供应商责任 Supplier fault: 缝线质量",
                Decimal(n * 137) / 100 + Decimal("999"),
            )
            for n in range(1, pieces + 1)
        ),
        sections=sections,
        prepared_by="张会计",
        generated_on=date(2026, 12, 1),
    )
    values.update(overrides)
    return Statement(**values)


EXTRA_CHARGES = (
    "额外发货费 Extra shipment charges",
    (
        StatementLine("B00000042X", "", "", "额外发货 Extra shipment 2026-W47", Decimal("25.00")),
        StatementLine("B00000043Y", "", "", "额外发货 Extra shipment 2026-W48", Decimal("1025.5")),
    ),
)


@pytest.fixture(scope="module")
def claim():
    return statement_pdf(make_statement())


@pytest.fixture(scope="module")
def store_statement():
    return statement_pdf(make_statement("store", pieces=12, sections=(EXTRA_CHARGES,)))


def money(text: str) -> Decimal:
    return Decimal(text.replace("¥", "").replace(",", ""))


def printed_line_amounts(text: str) -> list[Decimal]:
    return [money(m) for m in re.findall(rf"^[PB]\d{{8}}[A-Z]\b.*?({AMOUNT})$", text, re.MULTILINE)]


def test_the_printed_grand_total_equals_the_sum_of_the_printed_line_amounts(pdf_tools, claim, store_statement):
    for pdf, count in ((claim, 40), (store_statement, 14)):
        text = pdf_tools.text(pdf, None, "-layout")
        amounts = printed_line_amounts(text)
        assert len(amounts) == count
        (total,) = re.findall(rf"合计 Grand total: ({AMOUNT})", text)
        assert money(total) == sum(amounts)


def test_each_section_of_a_store_statement_has_its_subtotal(pdf_tools, store_statement):
    text = pdf_tools.text(store_statement, None, "-layout")
    subtotals = dict(re.findall(rf"小计 Subtotal · (.+?)\s+({AMOUNT})", text))
    assert money(subtotals["额外发货费 Extra shipment charges"]) == Decimal("1050.50")
    assert money(subtotals["明细 Lines"]) == sum(printed_line_amounts(text)[:12])
    (total,) = re.findall(rf"合计 Grand total: ({AMOUNT})", text)
    assert money(total) == sum(money(subtotal) for subtotal in subtotals.values())
    assert "门店确认 Store confirmation" in text and "门店 Store" in text


def test_every_page_of_a_statement_repeats_the_header_and_its_page_number(pdf_tools, claim):
    pages = pdf_tools.page_count(claim)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdf_tools.text(claim, page)
        assert "供应商索赔单 Supplier claim statement" in text
        assert "某某服饰集团总部 HQ" in text and "2026-11" in text
        assert f"第 {page} / {pages} 页" in text


def test_a_claim_statement_ends_with_the_signatures_of_preparer_checker_and_supplier(pdf_tools, claim):
    text = pdf_tools.text(claim)
    for caption in ("编制 Prepared by: 张会计", "审核 Checked by", "供应商确认 Supplier confirmation"):
        assert caption in text
    assert "宁波优衣制衣有限公司" in text and "生成日期 Generated on: 2026-12-01" in text


def test_amounts_with_more_than_two_places_are_rounded_before_they_are_added(pdf_tools):
    lines = tuple(StatementLine(f"P{n:08d}K", "衬衫", "污渍", "门店责任", Decimal("0.005")) for n in range(3))
    text = pdf_tools.text(statement_pdf(make_statement(lines=lines)), None, "-layout")
    assert printed_line_amounts(text) == [Decimal("0.01")] * 3
    assert "合计 Grand total: ¥0.03" in text


def longest_claim():

    return make_statement(
        party=Party(SUPPLIER_NAME, CONTACT, PHONE, ADDRESS),
        issuer=Party("某某服饰集团总部 HQ", "李会计", "021-87654321", "上海市徐汇区漕溪北路88号圣爱大厦12楼"),
        bank=BankAccount("中国工商银行上海市徐汇支行", "某某服饰集团有限公司", "1001 2345 6789 0123 456"),
        claim_no="CL-2026-11-S0001",
        due_on=date(2026, 12, 31),
        lines=tuple(
            StatementLine(f"P{n:08d}K", f"{STYLE_CODE} {PRODUCT_NAME}", DEFECT, REASON, Decimal("99999999.99"))
            for n in range(1, 4)
        ),
    )


@pytest.fixture(scope="module")
def longest_claim_pdf():
    return statement_pdf(longest_claim())


def test_a_claim_carries_its_number_due_date_and_the_issuers_address_phone_and_bank(pdf_tools, longest_claim_pdf):
    text = pdf_tools.text(longest_claim_pdf)
    for expected in (
        "索赔单号 Claim no.: CL-2026-11-S0001",
        "付款期限 Due on: 2026-12-31",
        "地址 Address: 上海市徐汇区漕溪北路88号圣爱大厦12楼",
        "电话 Tel: 021-87654321",
        "开户行 Bank: 中国工商银行上海市徐汇支行",
        "户名 Account name: 某某服饰集团有限公司",
        "账号 Account no.: 1001 2345 6789 0123 456",
    ):
        assert expected in text
    pages = pdf_tools.page_count(longest_claim_pdf)
    for page in range(1, pages + 1):
        assert "索赔单号 Claim no.: CL-2026-11-S0001" in pdf_tools.text(longest_claim_pdf, page), "on every page"


def test_the_longest_supplier_and_reasons_print_whole_and_the_amounts_add_up(pdf_tools, longest_claim_pdf):

    text = body_text(pdf_tools, longest_claim_pdf)
    assert "…" not in text
    for value in (SUPPLIER_NAME, CONTACT, PHONE, ADDRESS, PRODUCT_NAME, DEFECT):
        assert squeeze(value) in text
    assert text.count(squeeze(REASON)) == 3, "each 2,000-character reason in full"
    assert text.count("¥99,999,999.99") == 3
    assert "合计Grandtotal:¥299,999,999.97" in text


def test_a_statement_says_which_characters_no_font_could_print():
    pdf = statement_pdf(make_statement(pieces=1, party=Party("\U00013000 有限公司")))
    assert pdf.missing_chars == ("\U00013000",)
