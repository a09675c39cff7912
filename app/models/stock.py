"""Spare parts in stock (备件库存): where they are kept, how many and at what cost, and the
append-only ledger of every movement — receipts, requisitions, stocktakes and old parts."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.models.org import Store, Supplier, User, enum_column
from app.models.pieces import Piece, Repair, SparePart
from app.models.types import Money, UTCDateTime
from workshop.statuses import RequisitionStatus, StocktakeStatus
from workshop.stock import MovementKind, OldPartAction

# The average cost is kept to four places; amounts people read are rounded to cents.
Cost = Numeric(14, 4, asdecimal=True)


class StockLocation(db.Model):
    """The workshop's store room (no store), or a store that repairs locally (its own ledger)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), unique=True)
    # "workshop" or "store:<id>": one location each, also for the workshop whose store is NULL.
    key: Mapped[str] = mapped_column(String(30), unique=True)

    store: Mapped[Store | None] = relationship()


class PartStock(db.Model):
    """One part at one location: what the books say is on the shelf, its cost, its reorder point."""

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_part.id"), index=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    average_cost: Mapped[Decimal] = mapped_column(Cost, default=Decimal("0"))
    reorder_point: Mapped[int] = mapped_column(default=0)
    reorder_quantity: Mapped[int] = mapped_column(default=0)
    shelf: Mapped[str] = mapped_column(String(40), default="")  # the bin or shelf it is kept in

    location: Mapped[StockLocation] = relationship()
    part: Mapped[SparePart] = relationship()

    __table_args__ = (
        UniqueConstraint("location_id", "part_id", name="uq_part_stock_location_part"),
        # The shelf and the books agree, and the books never go below zero.
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reorder_point >= 0 AND reorder_quantity >= 0", name="reorder_not_negative"),
        # The page of parts to order reads only the shelves at or below their point.
        Index("ix_part_stock_reorder", "location_id", "reorder_point", "on_hand"),
    )


class StockReceipt(db.Model):
    """Parts received into stock (备件接收单): from whom, when, by whom; the slip is printed twice."""

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    delivery_note: Mapped[str] = mapped_column(String(60), default="")  # the supplier's own document number
    note: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    location: Mapped[StockLocation] = relationship()
    supplier: Mapped[Supplier | None] = relationship()
    received_by: Mapped[User | None] = relationship()
    lines: Mapped[list["StockReceiptLine"]] = relationship(back_populates="receipt", order_by="StockReceiptLine.id")

    __table_args__ = (Index("ix_stock_receipt_location", "location_id", "id"),)

    @property
    def number(self) -> str:
        return f"JS{self.id:07d}"


class StockReceiptLine(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("stock_receipt.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_part.id"))
    quantity: Mapped[int] = mapped_column()
    unit_price: Mapped[Decimal] = mapped_column(Money)

    receipt: Mapped[StockReceipt] = relationship(back_populates="lines")
    part: Mapped[SparePart] = relationship()

    __table_args__ = (CheckConstraint("quantity > 0 AND unit_price >= 0", name="line_positive"),)


class Requisition(db.Model):
    """A requisition (备用件领料单): parts a technician asks for, approved by the lead first."""

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"))
    piece_id: Mapped[int | None] = mapped_column(ForeignKey("piece.id"), index=True)
    status: Mapped[RequisitionStatus] = mapped_column(enum_column(RequisitionStatus, name="requisition_status"))
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("repair.id"))

    location: Mapped[StockLocation] = relationship()
    piece: Mapped[Piece | None] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    lines: Mapped[list["RequisitionLine"]] = relationship(back_populates="requisition", order_by="RequisitionLine.id")

    __table_args__ = (Index("ix_requisition_status", "status", "id"),)

    @property
    def number(self) -> str:
        return f"LL{self.id:07d}"


class RequisitionLine(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisition.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_part.id"))
    quantity: Mapped[int] = mapped_column()

    requisition: Mapped[Requisition] = relationship(back_populates="lines")
    part: Mapped[SparePart] = relationship()

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class Stocktake(db.Model):
    """A count of one location's shelves (盘点), its differences posted once the lead approves."""

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"))
    status: Mapped[StocktakeStatus] = mapped_column(enum_column(StocktakeStatus, name="stocktake_status"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    location: Mapped[StockLocation] = relationship()
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    posted_by: Mapped[User | None] = relationship(foreign_keys=[posted_by_id])

    __table_args__ = (Index("ix_stocktake_location", "location_id", "id"),)

    @property
    def number(self) -> str:
        return f"PD{self.id:07d}"


class StocktakeLine(db.Model):
    """One part counted: the books when it was counted, the count, and why they differ."""

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktake.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_part.id"))
    book: Mapped[int] = mapped_column()
    counted: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text, default="")
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    part: Mapped[SparePart] = relationship()

    __table_args__ = (
        UniqueConstraint("stocktake_id", "part_id", name="uq_stocktake_line_part"),
        CheckConstraint("counted >= 0 AND book >= 0", name="count_not_negative"),
    )


class StockMovement(db.Model):
    """One line of a part's ledger at one location: never edited, never deleted.

    ``quantity`` is signed (out is negative); ``balance`` is the shelf after it, so a ledger
    page is read without summing, and the sum of the quantities always equals the shelf."""

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_id: Mapped[int] = mapped_column(ForeignKey("part_stock.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_part.id"))
    kind: Mapped[MovementKind] = mapped_column(enum_column(MovementKind, name="movement_kind"))
    quantity: Mapped[int] = mapped_column()
    unit_cost: Mapped[Decimal] = mapped_column(Cost)
    value: Mapped[Decimal] = mapped_column(Money)  # signed, like the quantity
    balance: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The document it belongs to (at most one of them).
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("stock_receipt.id"))
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("repair.id"), index=True)
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("requisition.id"))
    stocktake_id: Mapped[int | None] = mapped_column(ForeignKey("stocktake.id"))
    other_location_id: Mapped[int | None] = mapped_column(ForeignKey("stock_location.id"))  # a transfer's other end

    stock: Mapped[PartStock] = relationship()
    part: Mapped[SparePart] = relationship()
    actor: Mapped[User | None] = relationship()
    repair: Mapped[Repair | None] = relationship()
    receipt: Mapped[StockReceipt | None] = relationship()

    __table_args__ = (
        # A part's ledger at a location, newest first, one page at a time (keyset on id).
        Index("ix_stock_movement_stock", "stock_id", "id"),
        Index("ix_stock_movement_location", "location_id", "id"),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
    )


class OldPart(db.Model):
    """A replaced part kept from a repair (换下的旧件), for the supplier's claim; each month the
    workshop returns it to the supplier or scraps it, and says so."""

    id: Mapped[int] = mapped_column(primary_key=True)
    repair_id: Mapped[int] = mapped_column(ForeignKey("repair.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_part.id"))
    quantity: Mapped[int] = mapped_column()
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))  # the piece's product's supplier
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    action: Mapped[OldPartAction | None] = mapped_column(enum_column(OldPartAction, name="old_part_action"))
    action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action_note: Mapped[str] = mapped_column(Text, default="")

    repair: Mapped[Repair] = relationship()
    part: Mapped[SparePart] = relationship()
    supplier: Mapped[Supplier | None] = relationship()

    __table_args__ = (
        # The month's list of old parts still on hand reads this index.
        Index("ix_old_part_open", "action", "kept_at"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


@event.listens_for(StockMovement, "before_update")
@event.listens_for(StockMovement, "before_delete")
def _ledger_is_append_only(mapper, connection, target):
    raise RuntimeError("ledger movements are never edited or deleted")
