"""lists that page through indexes: a store's pieces and a status's by number, batches by tracking number, parcels on the way

Revision ID: finder_search_indexes
Revises: 0006_session_history_pruned
Create Date: 2026-11-30

"""

from alembic import op

revision = "finder_search_indexes"
down_revision = "0006_session_history_pruned"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.create_index("ix_piece_store_id", ["store_id", "id"], unique=False)
        batch_op.create_index("ix_piece_status_id", ["status", "id"], unique=False)
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.create_index("ix_batch_tracking_no", ["tracking_no"], unique=False)
        batch_op.create_index("ix_batch_direction_status_id", ["direction", "status", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_index("ix_batch_direction_status_id")
        batch_op.drop_index("ix_batch_tracking_no")
    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.drop_index("ix_piece_status_id")
        batch_op.drop_index("ix_piece_store_id")
