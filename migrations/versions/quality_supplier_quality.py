"""supplier quality: the monthly summary, disputes on claims, indexes for the drill-down

The summary (quality_figure) is filled from the pieces already graded; from then on it is
kept in the transaction that changes a piece (app.services.quality.summary). A claim may be
"disputed"; each disputed piece is a claim_dispute row.

Revision ID: quality_supplier_quality
Revises: 0005_paper_and_printers
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

revision = "quality_supplier_quality"
down_revision = "alertsui_notification_list"
branch_labels = None
depends_on = None

SLICES = ("total", "supplier", "defect", "supplier_defect", "product", "store")
CLAIM_BEFORE = ("open", "sent", "settled")
CLAIM_AFTER = ("open", "sent", "disputed", "settled")


def _claim_status(values):
    return sa.Enum(*values, name="claim_status", native_enum=False, create_constraint=True, length=24)


def upgrade():
    op.create_table(
        "quality_figure",
        sa.Column(
            "slice",
            sa.Enum(*SLICES, name="quality_slice", native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),
        sa.Column("region_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("a", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("b", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pieces", sa.Integer(), nullable=False),
        sa.Column("repairable", sa.Integer(), nullable=False),
        sa.Column("no_fault", sa.Integer(), nullable=False),
        sa.Column("scrapped", sa.Integer(), nullable=False),
        sa.Column("scrap_cents", sa.BigInteger(), nullable=False),
        sa.Column("supplier_cents", sa.BigInteger(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("days_total", sa.BigInteger(), nullable=False),
        sa.Column("days_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slice", "region_id", "month", "a", "b", name=op.f("pk_quality_figure")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("quality_figure", schema=None) as batch_op:
        batch_op.create_index("ix_quality_figure_party", ["slice", "region_id", "a", "month"], unique=False)

    op.create_table(
        "claim_dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("piece_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "disputed",
                "accepted",
                "withdrawn",
                name="dispute_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("supplier_adjustment_id", sa.Integer(), nullable=True),
        sa.Column("hq_adjustment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_claim_dispute_claim_id_claim")),
        sa.ForeignKeyConstraint(["piece_id"], ["piece.id"], name=op.f("fk_claim_dispute_piece_id_piece")),
        sa.ForeignKeyConstraint(["raised_by_id"], ["user.id"], name=op.f("fk_claim_dispute_raised_by_id_user")),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["user.id"], name=op.f("fk_claim_dispute_resolved_by_id_user")),
        sa.ForeignKeyConstraint(
            ["supplier_adjustment_id"],
            ["adjustment.id"],
            name=op.f("fk_claim_dispute_supplier_adjustment_id_adjustment"),
        ),
        sa.ForeignKeyConstraint(
            ["hq_adjustment_id"], ["adjustment.id"], name=op.f("fk_claim_dispute_hq_adjustment_id_adjustment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_dispute")),
        sa.UniqueConstraint("claim_id", "piece_id", name="uq_claim_dispute_claim_piece"),
    )
    with op.batch_alter_table("claim_dispute", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_dispute_piece_id"), ["piece_id"], unique=False)

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=_claim_status(CLAIM_BEFORE),
            type_=_claim_status(CLAIM_AFTER),
            existing_nullable=False,
        )

    # The drill-down from a figure to its pieces: newest grading first, by defect, product or store.
    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.create_index("ix_piece_defect_graded", ["defect_id", "graded_at"], unique=False)
        batch_op.create_index("ix_piece_product_graded", ["product_id", "graded_at"], unique=False)
        batch_op.create_index("ix_piece_store_graded", ["store_id", "graded_at"], unique=False)
        batch_op.create_index("ix_piece_graded", ["graded_at"], unique=False)

    _fill_summary()


def _fill_summary():
    """The pieces graded before this migration, counted once (the same code as `flask quality-recount`)."""
    from sqlalchemy.orm import Session

    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM piece WHERE grade IS NOT NULL LIMIT 1")).first():
        return
    from app.services.quality.summary import recount

    recount(Session(bind=bind))


def downgrade():
    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.drop_index("ix_piece_graded")
        batch_op.drop_index("ix_piece_store_graded")
        batch_op.drop_index("ix_piece_product_graded")
        batch_op.drop_index("ix_piece_defect_graded")
    op.execute("UPDATE claim SET status = 'sent' WHERE status = 'disputed'")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=_claim_status(CLAIM_AFTER),
            type_=_claim_status(CLAIM_BEFORE),
            existing_nullable=False,
        )
    with op.batch_alter_table("claim_dispute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_dispute_piece_id"))
    op.drop_table("claim_dispute")
    with op.batch_alter_table("quality_figure", schema=None) as batch_op:
        batch_op.drop_index("ix_quality_figure_party")
    op.drop_table("quality_figure")
