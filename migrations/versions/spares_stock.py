"""spare parts in stock: locations, shelves, the ledger, receipts, requisitions, stocktakes,
old parts; what a repair cost (its parts and its labour)

Revision ID: spares_stock
Revises: quality_supplier_quality
Create Date: 2026-11-30 01:09:27.805301

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "spares_stock"
down_revision = "counter_guarantee"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stock_location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_stock_location_store_id_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_location")),
        sa.UniqueConstraint("key", name=op.f("uq_stock_location_key")),
        sa.UniqueConstraint("store_id", name=op.f("uq_stock_location_store_id")),
    )
    op.create_table(
        "part_stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("average_cost", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("reorder_point", sa.Integer(), nullable=False),
        sa.Column("reorder_quantity", sa.Integer(), nullable=False),
        sa.Column("shelf", sa.String(length=40), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_part_stock_on_hand_not_negative")),
        sa.CheckConstraint(
            "reorder_point >= 0 AND reorder_quantity >= 0", name=op.f("ck_part_stock_reorder_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["stock_location.id"], name=op.f("fk_part_stock_location_id_stock_location")
        ),
        sa.ForeignKeyConstraint(["part_id"], ["spare_part.id"], name=op.f("fk_part_stock_part_id_spare_part")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_stock")),
        sa.UniqueConstraint("location_id", "part_id", name="uq_part_stock_location_part"),
    )
    with op.batch_alter_table("part_stock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_part_stock_part_id"), ["part_id"], unique=False)
        batch_op.create_index("ix_part_stock_reorder", ["location_id", "reorder_point", "on_hand"], unique=False)

    op.create_table(
        "stock_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("delivery_note", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"], ["stock_location.id"], name=op.f("fk_stock_receipt_location_id_stock_location")
        ),
        sa.ForeignKeyConstraint(["received_by_id"], ["user.id"], name=op.f("fk_stock_receipt_received_by_id_user")),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name=op.f("fk_stock_receipt_supplier_id_supplier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_receipt")),
    )
    with op.batch_alter_table("stock_receipt", schema=None) as batch_op:
        batch_op.create_index("ix_stock_receipt_location", ["location_id", "id"], unique=False)

    op.create_table(
        "stocktake",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "counting",
                "submitted",
                "posted",
                "cancelled",
                name="stocktake_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"], ["stock_location.id"], name=op.f("fk_stocktake_location_id_stock_location")
        ),
        sa.ForeignKeyConstraint(["posted_by_id"], ["user.id"], name=op.f("fk_stocktake_posted_by_id_user")),
        sa.ForeignKeyConstraint(["started_by_id"], ["user.id"], name=op.f("fk_stocktake_started_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake")),
    )
    with op.batch_alter_table("stocktake", schema=None) as batch_op:
        batch_op.create_index("ix_stocktake_location", ["location_id", "id"], unique=False)

    op.create_table(
        "stock_receipt_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("quantity > 0 AND unit_price >= 0", name=op.f("ck_stock_receipt_line_line_positive")),
        sa.ForeignKeyConstraint(["part_id"], ["spare_part.id"], name=op.f("fk_stock_receipt_line_part_id_spare_part")),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["stock_receipt.id"], name=op.f("fk_stock_receipt_line_receipt_id_stock_receipt")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_receipt_line")),
    )
    with op.batch_alter_table("stock_receipt_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_receipt_line_receipt_id"), ["receipt_id"], unique=False)

    op.create_table(
        "stocktake_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stocktake_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("book", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counted_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("counted >= 0 AND book >= 0", name=op.f("ck_stocktake_line_count_not_negative")),
        sa.ForeignKeyConstraint(["counted_by_id"], ["user.id"], name=op.f("fk_stocktake_line_counted_by_id_user")),
        sa.ForeignKeyConstraint(["part_id"], ["spare_part.id"], name=op.f("fk_stocktake_line_part_id_spare_part")),
        sa.ForeignKeyConstraint(
            ["stocktake_id"], ["stocktake.id"], name=op.f("fk_stocktake_line_stocktake_id_stocktake")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake_line")),
        sa.UniqueConstraint("stocktake_id", "part_id", name="uq_stocktake_line_part"),
    )
    op.create_table(
        "old_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repair_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "returned", "scrapped", name="old_part_action", native_enum=False, create_constraint=True, length=24
            ),
            nullable=True,
        ),
        sa.Column("action_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action_by_id", sa.Integer(), nullable=True),
        sa.Column("action_note", sa.Text(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_old_part_quantity_positive")),
        sa.ForeignKeyConstraint(["action_by_id"], ["user.id"], name=op.f("fk_old_part_action_by_id_user")),
        sa.ForeignKeyConstraint(["part_id"], ["spare_part.id"], name=op.f("fk_old_part_part_id_spare_part")),
        sa.ForeignKeyConstraint(["repair_id"], ["repair.id"], name=op.f("fk_old_part_repair_id_repair")),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name=op.f("fk_old_part_supplier_id_supplier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_old_part")),
    )
    with op.batch_alter_table("old_part", schema=None) as batch_op:
        batch_op.create_index("ix_old_part_open", ["action", "kept_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_old_part_repair_id"), ["repair_id"], unique=False)

    op.create_table(
        "requisition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("piece_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "approved",
                "rejected",
                "issued",
                "cancelled",
                name="requisition_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], name=op.f("fk_requisition_decided_by_id_user")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["stock_location.id"], name=op.f("fk_requisition_location_id_stock_location")
        ),
        sa.ForeignKeyConstraint(["piece_id"], ["piece.id"], name=op.f("fk_requisition_piece_id_piece")),
        sa.ForeignKeyConstraint(["repair_id"], ["repair.id"], name=op.f("fk_requisition_repair_id_repair")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"], name=op.f("fk_requisition_requested_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisition")),
    )
    with op.batch_alter_table("requisition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requisition_piece_id"), ["piece_id"], unique=False)
        batch_op.create_index("ix_requisition_status", ["status", "id"], unique=False)

    op.create_table(
        "requisition_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_requisition_line_quantity_positive")),
        sa.ForeignKeyConstraint(["part_id"], ["spare_part.id"], name=op.f("fk_requisition_line_part_id_spare_part")),
        sa.ForeignKeyConstraint(
            ["requisition_id"], ["requisition.id"], name=op.f("fk_requisition_line_requisition_id_requisition")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisition_line")),
    )
    with op.batch_alter_table("requisition_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requisition_line_requisition_id"), ["requisition_id"], unique=False)

    op.create_table(
        "stock_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stock_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "receive",
                "issue",
                "return",
                "transfer_out",
                "transfer_in",
                "write_off",
                "count",
                name="movement_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("repair_id", sa.Integer(), nullable=True),
        sa.Column("requisition_id", sa.Integer(), nullable=True),
        sa.Column("stocktake_id", sa.Integer(), nullable=True),
        sa.Column("other_location_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_stock_movement_balance_not_negative")),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_stock_movement_quantity_not_zero")),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_stock_movement_actor_id_user")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["stock_location.id"], name=op.f("fk_stock_movement_location_id_stock_location")
        ),
        sa.ForeignKeyConstraint(
            ["other_location_id"],
            ["stock_location.id"],
            name=op.f("fk_stock_movement_other_location_id_stock_location"),
        ),
        sa.ForeignKeyConstraint(["part_id"], ["spare_part.id"], name=op.f("fk_stock_movement_part_id_spare_part")),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["stock_receipt.id"], name=op.f("fk_stock_movement_receipt_id_stock_receipt")
        ),
        sa.ForeignKeyConstraint(["repair_id"], ["repair.id"], name=op.f("fk_stock_movement_repair_id_repair")),
        sa.ForeignKeyConstraint(
            ["requisition_id"], ["requisition.id"], name=op.f("fk_stock_movement_requisition_id_requisition")
        ),
        sa.ForeignKeyConstraint(["stock_id"], ["part_stock.id"], name=op.f("fk_stock_movement_stock_id_part_stock")),
        sa.ForeignKeyConstraint(
            ["stocktake_id"], ["stocktake.id"], name=op.f("fk_stock_movement_stocktake_id_stocktake")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movement")),
    )
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.create_index("ix_stock_movement_location", ["location_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_movement_repair_id"), ["repair_id"], unique=False)
        batch_op.create_index("ix_stock_movement_stock", ["stock_id", "id"], unique=False)

    with op.batch_alter_table("repair", schema=None) as batch_op:
        batch_op.create_index("ix_repair_repaired_at", ["repaired_at"], unique=False)
        batch_op.add_column(sa.Column("parts_cost", sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column("labour_cost", sa.Numeric(precision=12, scale=2), nullable=True))

    with op.batch_alter_table("repair_part", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value", sa.Numeric(precision=12, scale=2), nullable=True))


def downgrade():
    with op.batch_alter_table("repair_part", schema=None) as batch_op:
        batch_op.drop_column("value")

    with op.batch_alter_table("repair", schema=None) as batch_op:
        batch_op.drop_index("ix_repair_repaired_at")
        batch_op.drop_column("labour_cost")
        batch_op.drop_column("parts_cost")

    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_movement_stock")
        batch_op.drop_index(batch_op.f("ix_stock_movement_repair_id"))
        batch_op.drop_index("ix_stock_movement_location")

    op.drop_table("stock_movement")
    with op.batch_alter_table("requisition_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requisition_line_requisition_id"))

    op.drop_table("requisition_line")
    with op.batch_alter_table("requisition", schema=None) as batch_op:
        batch_op.drop_index("ix_requisition_status")
        batch_op.drop_index(batch_op.f("ix_requisition_piece_id"))

    op.drop_table("requisition")
    with op.batch_alter_table("old_part", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_old_part_repair_id"))
        batch_op.drop_index("ix_old_part_open")

    op.drop_table("old_part")
    op.drop_table("stocktake_line")
    with op.batch_alter_table("stock_receipt_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_receipt_line_receipt_id"))

    op.drop_table("stock_receipt_line")
    with op.batch_alter_table("stocktake", schema=None) as batch_op:
        batch_op.drop_index("ix_stocktake_location")

    op.drop_table("stocktake")
    with op.batch_alter_table("stock_receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_receipt_location")

    op.drop_table("stock_receipt")
    with op.batch_alter_table("part_stock", schema=None) as batch_op:
        batch_op.drop_index("ix_part_stock_reorder")
        batch_op.drop_index(batch_op.f("ix_part_stock_part_id"))

    op.drop_table("part_stock")
    op.drop_table("stock_location")
