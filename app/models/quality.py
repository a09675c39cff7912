"""Supplier quality: the monthly summary the quality pages read, and disputes on claims."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.finance import Adjustment, Claim
from app.models.org import User, enum_column
from app.models.pieces import Piece
from app.models.types import Money, UTCDateTime
from workshop.quality import Slice
from workshop.statuses import DisputeStatus


class QualityFigure(db.Model):
    """One row of the monthly summary: the graded pieces of one cut (workshop.quality.Slice)
    in one month and one region (0: the whole chain). Kept exact in the transaction that
    changes a piece (app.services.quality.summary); ``flask quality-recount`` rebuilds it."""

    slice: Mapped[Slice] = mapped_column(enum_column(Slice, name="quality_slice"), primary_key=True)
    region_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    a: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    b: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    pieces: Mapped[int] = mapped_column(default=0)
    repairable: Mapped[int] = mapped_column(default=0)
    no_fault: Mapped[int] = mapped_column(default=0)
    scrapped: Mapped[int] = mapped_column(default=0)
    scrap_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    supplier_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    repeats: Mapped[int] = mapped_column(default=0)
    days_total: Mapped[int] = mapped_column(BigInteger, default=0)
    days_count: Mapped[int] = mapped_column(default=0)

    # On SQLite the rows are stored in key order (no rowid): a page's range of months is read
    # in one sweep, with no lookup per row.
    __table_args__ = (
        Index("ix_quality_figure_party", "slice", "region_id", "a", "month"),
        {"sqlite_with_rowid": False},
    )


class ClaimDispute(db.Model):
    """A supplier's dispute of one piece of its claim, and how finance resolved it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"))
    piece_id: Mapped[int] = mapped_column(ForeignKey("piece.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)  # the piece's cost in the claim
    status: Mapped[DisputeStatus] = mapped_column(enum_column(DisputeStatus, name="dispute_status"))
    note: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A withdrawn piece: the supplier's credit and head office's charge, booked in the open month.
    supplier_adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("adjustment.id"))
    hq_adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("adjustment.id"))

    claim: Mapped[Claim] = relationship()
    piece: Mapped[Piece] = relationship()
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    supplier_adjustment: Mapped[Adjustment | None] = relationship(foreign_keys=[supplier_adjustment_id])

    __table_args__ = (UniqueConstraint("claim_id", "piece_id", name="uq_claim_dispute_claim_piece"),)
