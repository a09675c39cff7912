"""old log-in sessions and attempts are pruned: indexes on their times

Revision ID: 0006_session_history_pruned
Revises: 0005_paper_and_printers
Create Date: 2026-11-30

"""

from alembic import op

revision = "0006_session_history_pruned"
down_revision = "0005_paper_and_printers"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_session_last_seen_at"), ["last_seen_at"], unique=False)
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_at"), ["at"], unique=False)


def downgrade():
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_at"))
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_last_seen_at"))
