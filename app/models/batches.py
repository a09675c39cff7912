"""Batches: the weekly parcel from a store to the workshop, and the parcels back."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.org import Store, User, enum_column
from app.models.pieces import Piece
from app.models.types import Money, UTCDateTime
from workshop.codes import batch_code
from workshop.quota import IsoWeek
from workshop.statuses import BatchStatus, Direction


class Batch(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, name="batch_direction"))
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    status: Mapped[BatchStatus] = mapped_column(enum_column(BatchStatus, name="batch_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    iso_week: Mapped[int | None] = mapped_column()  # IsoWeek.key of the dispatch, e.g. 202648
    extra: Mapped[bool] = mapped_column(default=False)
    shipping_fee: Mapped[Decimal | None] = mapped_column(Money)
    charge_month: Mapped[int | None] = mapped_column()  # Month.key in which an extra fee is charged
    carrier: Mapped[str] = mapped_column(String(60), default="")
    tracking_no: Mapped[str] = mapped_column(String(60), default="")
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    expected_count: Mapped[int | None] = mapped_column()
    check_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    parcels: Mapped[int] = mapped_column(default=1, server_default="1")  # boxes the batch travels in

    store: Mapped[Store] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    dispatched_by: Mapped[User | None] = relationship(foreign_keys=[dispatched_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    pieces: Mapped[list[Piece]] = relationship(foreign_keys=[Piece.batch_id], back_populates="batch", order_by=Piece.id)
    return_pieces: Mapped[list[Piece]] = relationship(
        foreign_keys=[Piece.return_batch_id], back_populates="return_batch", order_by=Piece.id
    )

    __table_args__ = (
        Index("ix_batch_store_direction_status", "store_id", "direction", "status"),
        Index("ix_batch_direction_week", "direction", "iso_week"),
        Index("ix_batch_charge_month", "charge_month"),
        # The search box finds a parcel by its tracking number; the parcels on the way are a keyset list.
        Index("ix_batch_tracking_no", "tracking_no"),
        Index("ix_batch_direction_status_id", "direction", "status", "id"),
        # At most one open batch per store and direction: two clerks cannot open two.
        Index(
            "uq_batch_one_open",
            "store_id",
            "direction",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        CheckConstraint("status = 'open' OR dispatched_at IS NOT NULL", name="dispatched_has_time"),
        CheckConstraint("NOT extra OR shipping_fee IS NOT NULL", name="extra_has_fee"),
        CheckConstraint("shipping_fee IS NULL OR shipping_fee >= 0", name="fee_not_negative"),
        CheckConstraint("parcels >= 1", name="parcels_positive"),
    )

    @property
    def code(self) -> str:
        return batch_code(self.id)

    @property
    def members(self) -> list[Piece]:
        """The pieces this parcel carries: its own on the way out, the return's on the way back."""
        return self.pieces if self.direction == Direction.OUTBOUND else self.return_pieces

    @property
    def week(self) -> IsoWeek | None:
        return IsoWeek.from_key(self.iso_week) if self.iso_week else None

    def __str__(self) -> str:
        return self.code
