"""Pieces, their photos, repairs, and the append-only history of everything that happened."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.org import DefectCode, Product, Store, Supplier, User, enum_column
from app.models.types import Money, UTCDateTime
from workshop.codes import piece_code
from workshop.statuses import Blame, Grade, PieceStatus, Source

if TYPE_CHECKING:
    from app.models.batches import Batch


class Piece(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    size: Mapped[str] = mapped_column(String(20), default="")
    colour: Mapped[str] = mapped_column(String(40), default="")
    defect_id: Mapped[int] = mapped_column(ForeignKey("defect_code.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[Source] = mapped_column(enum_column(Source, name="piece_source"))
    delivery_received_on: Mapped[date | None] = mapped_column(Date)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[PieceStatus] = mapped_column(enum_column(PieceStatus, name="piece_status"))
    unexpected: Mapped[bool] = mapped_column(default=False)
    labelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The trip: outbound batch, the clock, the return.
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"), index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_on: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"), index=True)
    back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    back_on: Mapped[date | None] = mapped_column(Date)

    # Grading, and for scrap: who pays and how much.
    grade: Mapped[Grade | None] = mapped_column(enum_column(Grade, name="piece_grade"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    suggested_blame: Mapped[Blame | None] = mapped_column(enum_column(Blame, name="piece_suggested_blame"))
    blame: Mapped[Blame | None] = mapped_column(enum_column(Blame, name="piece_blame"))
    blame_reason: Mapped[str] = mapped_column(Text, default="")  # a technician's own words (and older rows)
    # A rule's reason, kept as its sentence's message id and parameters so that every reader
    # (and every document) reads it in its own language: app.services.reasons.
    blame_reason_id: Mapped[str | None] = mapped_column(Text)
    blame_reason_params: Mapped[dict | None] = mapped_column(JSON)
    blame_overridden: Mapped[bool] = mapped_column(default=False)
    blamed_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    scrap_cost: Mapped[Decimal | None] = mapped_column(Money)
    scrapped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scrap_month: Mapped[int | None] = mapped_column()

    store: Mapped[Store] = relationship()
    product: Mapped[Product] = relationship()
    defect: Mapped[DefectCode] = relationship()
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    graded_by: Mapped[User | None] = relationship(foreign_keys=[graded_by_id])
    blamed_supplier: Mapped[Supplier | None] = relationship()
    batch: Mapped["Batch | None"] = relationship(foreign_keys=[batch_id], back_populates="pieces")
    return_batch: Mapped["Batch | None"] = relationship(foreign_keys=[return_batch_id], back_populates="return_pieces")
    photos: Mapped[list["Photo"]] = relationship(back_populates="piece", order_by="Photo.id")
    repairs: Mapped[list["Repair"]] = relationship(back_populates="piece", order_by="Repair.id")

    __table_args__ = (
        Index("ix_piece_store_status", "store_id", "status"),
        Index("ix_piece_store_registered", "store_id", "registered_at"),
        # The lists' keyset pages, newest first by number: a store's, a status's (app.services.piece_lists).
        Index("ix_piece_store_id", "store_id", "id"),
        Index("ix_piece_status_id", "status", "id"),
        Index("ix_piece_status_due", "status", "due_on"),
        # Finance's month figures read only this index: party and cost beside month and blame.
        Index("ix_piece_scrap_figures", "scrap_month", "blame", "blamed_supplier_id", "store_id", "scrap_cost"),
        # Supplier quality's drill-down (app.services.quality.pieces): newest grading first.
        Index("ix_piece_defect_graded", "defect_id", "graded_at"),
        Index("ix_piece_product_graded", "product_id", "graded_at"),
        Index("ix_piece_store_graded", "store_id", "graded_at"),
        Index("ix_piece_graded", "graded_at"),
        # A scrapped piece always says who pays and how much, and in which month.
        CheckConstraint(
            "status <> 'scrapped' OR (blame IS NOT NULL AND scrap_cost IS NOT NULL AND scrap_month IS NOT NULL)",
            name="scrap_has_blame_and_cost",
        ),
        CheckConstraint("source <> 'delivery' OR delivery_received_on IS NOT NULL", name="delivery_has_date"),
        CheckConstraint(
            "status = 'registered' OR status = 'unexpected' OR status = 'packed' OR dispatched_at IS NOT NULL OR unexpected",
            name="dispatched_has_time",
        ),
    )

    @property
    def code(self) -> str:
        return piece_code(self.id)

    def __str__(self) -> str:
        return self.code


class Photo(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    piece_id: Mapped[int] = mapped_column(ForeignKey("piece.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80))
    thumb_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column()
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    piece: Mapped[Piece] = relationship(back_populates="photos")


class RepairOperation(db.Model):
    """The configurable list of what a repair can consist of."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_en if str(locale).startswith("en") else self.name_zh


class SparePart(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_en if str(locale).startswith("en") else self.name_zh


class Repair(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    piece_id: Mapped[int] = mapped_column(ForeignKey("piece.id"), index=True)
    defect_id: Mapped[int] = mapped_column(ForeignKey("defect_code.id"))
    operations: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column()
    repaired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    repaired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    piece: Mapped[Piece] = relationship(back_populates="repairs")
    parts: Mapped[list["RepairPart"]] = relationship(back_populates="repair", order_by="RepairPart.id")
    repaired_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("minutes >= 0", name="minutes_not_negative"),)


class RepairPart(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    repair_id: Mapped[int] = mapped_column(ForeignKey("repair.id"), index=True)
    spare_part_id: Mapped[int] = mapped_column(ForeignKey("spare_part.id"))
    quantity: Mapped[int] = mapped_column()

    repair: Mapped[Repair] = relationship(back_populates="parts")
    spare_part: Mapped[SparePart] = relationship()

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class Event(db.Model):
    """One thing that happened to a piece, a batch or a month: never edited, never deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    piece_id: Mapped[int | None] = mapped_column(ForeignKey("piece.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"))
    month: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_event_piece", "piece_id", "id"),
        Index("ix_event_batch", "batch_id", "id"),
        Index("ix_event_month", "month", "id"),
    )


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _history_is_append_only(mapper, connection, target):
    raise RuntimeError("history events are never edited or deleted")
