"""a year at chain scale: kept counters, indexes in page order, partial indexes

Revision ID: year_scale
Revises: quality_supplier_quality
Create Date: 2026-11-30

- piece_count (store, status → n) and on_time_day (day, store → back, on time): kept exact
  at every flush (app/services/piece_counts.py), filled here from the pieces;
- piece: (registered_at, id) for lists across stores; (due_on, id) over the running clocks
  only; (scrap_month, blame, id) for a drill-down's pages; (store_id, scrap_month, scrap_cost)
  over the store's scrap only, for statements;
- event: the batch and month indexes keep only the rows that have the column (most events
  belong to a piece alone: NULL there).
"""

import sqlalchemy as sa
from alembic import op

revision = "year_scale"
down_revision = "spares_stock"
branch_labels = None
depends_on = None

RUNNING = (
    "status IN ('in_transit', 'missing', 'no_fault', 'packed_for_return', 'received', 'repairable', "
    "'repaired', 'returning')"
)


def upgrade():
    op.create_table(
        "piece_count",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_piece_count_store_id_store")),
        sa.PrimaryKeyConstraint("store_id", "status", name=op.f("pk_piece_count")),
    )
    op.create_table(
        "on_time_day",
        sa.Column("back_on", sa.Date(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("back", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_on_time_day_store_id_store")),
        sa.PrimaryKeyConstraint("back_on", "store_id", name=op.f("pk_on_time_day")),
    )
    op.execute(
        "INSERT INTO piece_count (store_id, status, n) SELECT store_id, status, count(*) FROM piece "
        "GROUP BY store_id, status"
    )
    op.execute(
        "INSERT INTO on_time_day (back_on, store_id, back, on_time) SELECT back_on, store_id, count(*), "
        "sum(CASE WHEN back_on <= due_on THEN 1 ELSE 0 END) FROM piece "
        "WHERE back_on IS NOT NULL AND due_on IS NOT NULL GROUP BY back_on, store_id"
    )
    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.create_index("ix_piece_registered", ["registered_at", "id"], unique=False)
        batch_op.create_index(
            "ix_piece_running_due",
            ["due_on", "id"],
            unique=False,
            sqlite_where=sa.text(RUNNING),
            postgresql_where=sa.text(RUNNING),
        )
        batch_op.create_index("ix_piece_scrap_drill", ["scrap_month", "blame", "id"], unique=False)
        batch_op.create_index(
            "ix_piece_store_scrap",
            ["store_id", "scrap_month", "scrap_cost"],
            unique=False,
            sqlite_where=sa.text("blame = 'store'"),
            postgresql_where=sa.text("blame = 'store'"),
        )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_batch")
        batch_op.drop_index("ix_event_month")
        batch_op.create_index(
            "ix_event_batch",
            ["batch_id", "id"],
            unique=False,
            sqlite_where=sa.text("batch_id IS NOT NULL"),
            postgresql_where=sa.text("batch_id IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_event_month",
            ["month", "id"],
            unique=False,
            sqlite_where=sa.text("month IS NOT NULL"),
            postgresql_where=sa.text("month IS NOT NULL"),
        )


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_month")
        batch_op.drop_index("ix_event_batch")
        batch_op.create_index("ix_event_month", ["month", "id"], unique=False)
        batch_op.create_index("ix_event_batch", ["batch_id", "id"], unique=False)
    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.drop_index("ix_piece_store_scrap")
        batch_op.drop_index("ix_piece_scrap_drill")
        batch_op.drop_index("ix_piece_running_due")
        batch_op.drop_index("ix_piece_registered")
    op.drop_table("on_time_day")
    op.drop_table("piece_count")
