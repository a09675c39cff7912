"""The chain: regions, stores, suppliers, products, defect codes, users and settings."""

from datetime import datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app import clock
from app.extensions import db
from app.models.types import Money, UTCDateTime
from workshop.guarantee import GuaranteeCategory
from workshop.roles import Role
from workshop.statuses import Blame, DefectKind


def enum_column(enum_cls, **kw):
    """Enums stored as their values in a VARCHAR with a CHECK, the same on both databases."""
    return Enum(
        enum_cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        create_constraint=True,
        length=24,
        validate_strings=True,
        **kw,
    )


class Region(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))

    stores: Mapped[list["Store"]] = relationship(back_populates="region", order_by="Store.code")

    def __str__(self) -> str:
        return self.name


class Store(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    weekly_quota: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship(back_populates="stores")

    __table_args__ = (CheckConstraint("weekly_quota >= 1", name="quota_positive"),)

    def __str__(self) -> str:
        return self.name


class Supplier(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name


class Product(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    style_code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    retail_price: Mapped[Decimal] = mapped_column(Money)
    active: Mapped[bool] = mapped_column(default=True)
    # 三包: the guarantee category (None: read from ``category``'s words) and the product's
    # own period in months, when it differs from its category's.
    guarantee_category: Mapped[GuaranteeCategory | None] = mapped_column(
        enum_column(GuaranteeCategory, name="product_guarantee_category")
    )
    guarantee_months: Mapped[int | None] = mapped_column()

    supplier: Mapped[Supplier] = relationship()

    __table_args__ = (
        CheckConstraint("unit_cost >= 0", name="cost_not_negative"),
        CheckConstraint("retail_price >= 0", name="price_not_negative"),
        CheckConstraint("guarantee_months IS NULL OR guarantee_months BETWEEN 0 AND 120", name="guarantee_in_range"),
    )

    def __str__(self) -> str:
        return f"{self.style_code} {self.name}"


class DefectCode(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    kind: Mapped[DefectKind] = mapped_column(enum_column(DefectKind, name="defect_kind"))
    suggested_blame: Mapped[Blame | None] = mapped_column(enum_column(Blame, name="defect_blame"), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_en if str(locale).startswith("en") else self.name_zh

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, name="user_role"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Raised to end every log-in session of the user at once (app/services/sessions.py).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    store: Mapped[Store | None] = relationship()
    region: Mapped[Region | None] = relationship()

    __table_args__ = (
        # A store user belongs to exactly one store, a region manager to one region.
        CheckConstraint("role <> 'store' OR store_id IS NOT NULL", name="store_user_has_store"),
        CheckConstraint("role <> 'region' OR region_id IS NOT NULL", name="region_user_has_region"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return self.display_name


class Setting(db.Model):
    """Settings an administrator may change without a restart (limits and windows)."""

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
