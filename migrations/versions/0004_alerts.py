"""alerts, outbox, robots, digest runs and background jobs

Revision ID: 0004_alerts
Revises: 0003_sessions
Create Date: 2026-11-29

In-app notifications, the outbox (one row per alert, recipient and channel, unique), users'
channels, group robots, the daily digest runs (unique per kind and day) and background jobs.

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_alerts"
down_revision = "0003_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("key", name=op.f("uq_alert_key")),
    )
    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_run")),
        sa.UniqueConstraint("kind", "day", name="uq_digest_run_kind_day"),
    )
    op.create_table(
        "robot_webhook",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("wecom", "dingtalk", name="robot_kind", native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),
        sa.Column(
            "audience",
            sa.Enum(
                "store",
                "region",
                "workshop",
                "finance",
                name="robot_audience",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("audience <> 'finance'", name=op.f("ck_robot_webhook_no_finance_robot")),
        sa.CheckConstraint(
            "audience <> 'region' OR region_id IS NOT NULL", name=op.f("ck_robot_webhook_region_robot_has_region")
        ),
        sa.CheckConstraint(
            "audience <> 'store' OR store_id IS NOT NULL", name=op.f("ck_robot_webhook_store_robot_has_store")
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_robot_webhook_region_id_region")),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_robot_webhook_store_id_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_robot_webhook")),
    )
    with op.batch_alter_table("robot_webhook", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_robot_webhook_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_robot_webhook_store_id"), ["store_id"], unique=False)

    op.create_table(
        "alert_preference",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_enabled", sa.Boolean(), nullable=False),
        sa.Column("robot_enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_alert_preference_user_id_user")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_alert_preference")),
    )
    op.create_table(
        "job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.String(length=32), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                "expired",
                name="job_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("result_path", sa.String(length=500), nullable=False),
        sa.Column("result_name", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name=op.f("ck_job_progress_in_range")),
        sa.ForeignKeyConstraint(["parent_id"], ["job.id"], name=op.f("fk_job_parent_id_job")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_job_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index("ix_job_state_finished", ["state", "finished_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_notification_alert_id_alert")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_notification_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("alert_id", "user_id", name="uq_notification_alert_user"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_user_read", ["user_id", "read_at", "id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "wecom",
                "dingtalk",
                name="outbox_channel",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("robot_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(user_id IS NULL) <> (robot_id IS NULL)", name=op.f("ck_outbox_one_recipient")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_attempts_not_negative")),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_outbox_alert_id_alert")),
        sa.ForeignKeyConstraint(["robot_id"], ["robot_webhook.id"], name=op.f("fk_outbox_robot_id_robot_webhook")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_outbox_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("alert_id", "channel", "recipient", name="uq_outbox_alert_channel_recipient"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_robot_id"), ["robot_id"], unique=False)
        batch_op.create_index("ix_outbox_status_next", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_user_id"))
        batch_op.drop_index("ix_outbox_status_next")
        batch_op.drop_index(batch_op.f("ix_outbox_robot_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_read")

    op.drop_table("notification")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_user_id"))
        batch_op.drop_index(batch_op.f("ix_job_parent_id"))
        batch_op.drop_index("ix_job_state_finished")

    op.drop_table("job")
    op.drop_table("alert_preference")
    with op.batch_alter_table("robot_webhook", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_robot_webhook_store_id"))
        batch_op.drop_index(batch_op.f("ix_robot_webhook_region_id"))

    op.drop_table("robot_webhook")
    op.drop_table("digest_run")
    op.drop_table("alert")
