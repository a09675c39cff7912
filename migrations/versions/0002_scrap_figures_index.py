"""finance's month figures from one covering index

Revision ID: 0002_scrap_figures_index
Revises: 783545e35344
Create Date: 2026-11-23

"""

from alembic import op

revision = "0002_scrap_figures_index"
down_revision = "783545e35344"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.create_index(
            "ix_piece_scrap_figures",
            ["scrap_month", "blame", "blamed_supplier_id", "store_id", "scrap_cost"],
            unique=False,
        )
        batch_op.drop_index("ix_piece_scrap_month_blame")


def downgrade():
    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.create_index("ix_piece_scrap_month_blame", ["scrap_month", "blame"], unique=False)
        batch_op.drop_index("ix_piece_scrap_figures")
