"""The notifications list reads a user's notes newest first by keyset: an index on (user_id, id).

Revision ID: alertsui_notification_list
Revises: 0006_session_history_pruned
"""

from alembic import op

revision = "alertsui_notification_list"
down_revision = "finder_search_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.create_index("ix_notification_user_id", ["user_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_user_id")
