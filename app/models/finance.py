"""Months, adjustments and supplier claims (rule 5)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.org import Store, Supplier, User, enum_column
from app.models.types import Money, UTCDateTime
from workshop.statuses import Blame, ClaimStatus


class AccountingMonth(db.Model):
    """A month finance has closed (or closed and reopened); absent means open."""

    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # Month.key
    closed: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    closed_by: Mapped[User | None] = relationship()


class Adjustment(db.Model):
    """A correction to a closed month's allocation, booked in an open month."""

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(index=True)
    piece_id: Mapped[int | None] = mapped_column(ForeignKey("piece.id"), index=True)
    blame: Mapped[Blame] = mapped_column(enum_column(Blame, name="adjustment_blame"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    supplier: Mapped[Supplier | None] = relationship()
    store: Mapped[Store | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("blame <> 'supplier' OR supplier_id IS NOT NULL", name="supplier_adjustment_names_supplier"),
        CheckConstraint("blame <> 'store' OR store_id IS NOT NULL", name="store_adjustment_names_store"),
    )


class Claim(db.Model):
    """A supplier's claim for one month (二次索赔): open → sent → settled."""

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    month: Mapped[int] = mapped_column()
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus, name="claim_status"), default=ClaimStatus.OPEN)
    amount: Mapped[Decimal] = mapped_column(Money)
    sent_on: Mapped[date | None] = mapped_column(Date)
    settled_on: Mapped[date | None] = mapped_column(Date)
    paid_amount: Mapped[Decimal | None] = mapped_column(Money)
    note: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[str] = mapped_column(String(20), unique=True)  # the number the supplier quotes: SC-202610-0007
    due_on: Mapped[date | None] = mapped_column(Date)  # the date to pay by, once known (settings: claim_due_*)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    supplier: Mapped[Supplier] = relationship()

    __table_args__ = (
        UniqueConstraint("supplier_id", "month", name="uq_claim_supplier_month"),
        Index("ix_claim_status", "status"),
    )
