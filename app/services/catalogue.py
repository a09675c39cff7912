"""Looking up the chain's catalogue the one way: a style code or a code is matched without
regard to case or surrounding spaces, as people type and scanners send them."""

from collections.abc import Iterable

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import DefectCode, Product


def _key(code: str) -> str:
    return code.strip().upper()


def product_by_style_code(style_code: str) -> Product | None:
    if not style_code.strip():
        return None
    return db.session.scalars(select(Product).where(func.upper(Product.style_code) == _key(style_code))).one_or_none()


def products_by_style_codes(style_codes: Iterable[str]) -> dict[str, Product]:
    """The products of these style codes, keyed by the upper-cased code."""
    keys = {_key(c) for c in style_codes} - {""}
    if not keys:
        return {}
    found = db.session.scalars(select(Product).where(func.upper(Product.style_code).in_(keys)))
    return {p.style_code.upper(): p for p in found}


def defects_by_codes(codes: Iterable[str]) -> dict[str, DefectCode]:
    """The defect codes of these codes, keyed by the upper-cased code."""
    keys = {_key(c) for c in codes} - {""}
    if not keys:
        return {}
    found = db.session.scalars(select(DefectCode).where(func.upper(DefectCode.code).in_(keys)))
    return {d.code.upper(): d for d in found}


def defect_by_code(code: str) -> DefectCode | None:
    return defects_by_codes([code]).get(_key(code))


def search_products(text: str, limit: int = 15) -> list[Product]:
    """Active products whose style code starts with, or whose name contains, the text."""
    text = text.strip()
    if not text:
        return []
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        db.session.scalars(
            select(Product)
            .where(
                Product.active.is_(True),
                or_(
                    Product.style_code.ilike(pattern + "%", escape="\\"),
                    Product.name.ilike("%" + pattern + "%", escape="\\"),
                ),
            )
            .order_by(Product.style_code)
            .limit(limit)
        )
    )
