"""三包 at the counter: the guarantee periods the admin edits, and each customer return's
purchase, the counter's answer and decision (workshop.guarantee holds the rules)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.org import Supplier, User, enum_column
from app.models.pieces import Piece
from app.models.types import Money, UTCDateTime
from workshop.guarantee import Decision, GuaranteeCategory


class GuaranteePeriod(db.Model):
    """One row of the category table, filled from the seed at first start (the migration)."""

    category: Mapped[GuaranteeCategory] = mapped_column(
        enum_column(GuaranteeCategory, name="guarantee_category"), primary_key=True
    )
    period_months: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    __table_args__ = (CheckConstraint("period_months BETWEEN 0 AND 120", name="period_in_range"),)


class CustomerReturn(db.Model):
    """A customer's piece at the counter: what was bought, what the rules offered, what the
    store decided, who decided and why. The customer's name and phone are shown in full only
    to the store and the workshop (app.services.counter.sees_customer)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    piece_id: Mapped[int] = mapped_column(ForeignKey("piece.id"))
    # The purchase
    sold_on: Mapped[date] = mapped_column(Date)
    price_paid: Mapped[Decimal] = mapped_column(Money)
    receipt_no: Mapped[str] = mapped_column(String(40))
    worn: Mapped[bool] = mapped_column(default=False)
    out_of_town: Mapped[bool] = mapped_column(default=False)
    customer_name: Mapped[str] = mapped_column(String(100), default="")
    customer_phone: Mapped[str] = mapped_column(String(40), default="")
    # What the clerk saw, for the rules
    serious: Mapped[bool] = mapped_column(default=False)
    previous_repairs: Mapped[int] = mapped_column(default=0)
    exchanged_before: Mapped[bool] = mapped_column(default=False)
    same_kind_in_stock: Mapped[bool | None] = mapped_column()
    # The guarantee as it stood at registration (a later edit of the table changes nothing here)
    category: Mapped[GuaranteeCategory] = mapped_column(enum_column(GuaranteeCategory, name="return_category"))
    period_months: Mapped[int] = mapped_column()
    # The decision
    suggested: Mapped[Decision | None] = mapped_column(enum_column(Decision, name="return_suggested"))
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, name="return_decision"))
    rule: Mapped[str | None] = mapped_column(String(40))
    rule_params: Mapped[dict | None] = mapped_column(JSON)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    depreciation: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    overridden: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A refund or exchange of a quality defect: the supplier's, in the month it was decided.
    supplier_caused: Mapped[bool] = mapped_column(default=False)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    month: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    piece: Mapped[Piece] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    supplier: Mapped[Supplier | None] = relationship()

    __table_args__ = (
        Index("ix_customer_return_piece", "piece_id", "id"),
        # Finance's month figures: refunds and exchanges per supplier and month.
        Index("ix_customer_return_supplier_month", "month", "supplier_id", "amount"),
        CheckConstraint("price_paid >= 0", name="price_not_negative"),
        CheckConstraint("previous_repairs >= 0", name="repairs_not_negative"),
        CheckConstraint(
            "NOT supplier_caused OR (supplier_id IS NOT NULL AND month IS NOT NULL)", name="claim_has_party"
        ),
        CheckConstraint("decision IS NULL OR decided_at IS NOT NULL", name="decision_has_time"),
    )
