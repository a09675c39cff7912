"""What the app does with the counter's answer: where the piece goes, whose money it is, the
category a product's words name, and the customer's details masked."""

import pytest

from workshop.guarantee import (
    Decision,
    GuaranteeCategory,
    category_of,
    mask_name,
    mask_phone,
    status_after,
    supplier_caused,
)
from workshop.statuses import DefectKind, PieceStatus

G = GuaranteeCategory


@pytest.mark.parametrize(
    "decision, status",
    [
        (Decision.FREE_REPAIR_WORKSHOP, PieceStatus.REGISTERED),
        (Decision.PAID_REPAIR_WORKSHOP, PieceStatus.REGISTERED),
        (Decision.FREE_REPAIR_STORE, PieceStatus.REPAIR_AT_STORE),
        (Decision.PAID_REPAIR_STORE, PieceStatus.REPAIR_AT_STORE),
        (Decision.REFUND, PieceStatus.SETTLED_AT_STORE),
        (Decision.EXCHANGE, PieceStatus.SETTLED_AT_STORE),
        (Decision.REFUSAL, PieceStatus.SETTLED_AT_STORE),
    ],
)
def test_only_a_repair_at_the_workshop_stays_registered_for_the_weekly_batch(decision, status):
    assert status_after(decision) == status


@pytest.mark.parametrize("decision", list(Decision))
@pytest.mark.parametrize("defect", [DefectKind.QUALITY, DefectKind.NON_QUALITY, None])
def test_only_a_quality_defect_refunded_or_exchanged_is_the_suppliers(decision, defect):
    expected = defect == DefectKind.QUALITY and decision in (Decision.REFUND, Decision.EXCHANGE)
    assert supplier_caused(decision, defect) is expected


@pytest.mark.parametrize(
    "text, category",
    [
        ("外套", G.COAT),
        ("羽绒服", G.COAT),
        ("西装", G.SUIT),
        ("裘皮大衣", G.FUR),
        ("羊皮夹克", G.LEATHER_GARMENT),
        ("羊毛衫", G.WOOLLEN_KNITWEAR),
        ("童装", G.CHILDRENS_WEAR),
        ("针织内衣", G.KNITTED_UNDERWEAR),
        ("床上用品", G.BEDDING),
        ("皮鞋", G.LEATHER_SHOES),
        ("运动鞋", G.SPORTS_SHOES),
        ("户外鞋", G.TRAVEL_SHOES),
        ("合成革鞋", G.SYNTHETIC_SHOES),
        ("帆布鞋", G.CLOTH_SHOES),
        ("童鞋", G.CHILDRENS_SHOES),
        ("靴子", G.LEATHER_SHOES),
        ("衬衫", G.OTHER_GARMENT),
        ("", G.OTHER_GARMENT),
    ],
)
def test_a_products_category_words_name_its_guarantee_category(text, category):
    assert category_of(text) == category


@pytest.mark.parametrize(
    "name, masked", [("张三丰", "张**"), ("李", "李*"), ("  王五 ", "王*"), ("", ""), ("Anna Li", "A******")]
)
def test_a_name_keeps_its_first_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "861******5678"),
        ("021-6512 0000", "021****0000"),
        ("12345", "*2345"),
        ("1234", "****"),
        ("", ""),
        ("no digits", ""),
    ],
)
def test_a_phone_keeps_its_last_four_digits_and_never_all_of_them(phone, masked):
    assert mask_phone(phone) == masked
    digits = "".join(c for c in phone if c.isdigit())
    assert masked != digits or not digits
