"""paper a courier, a store and a supplier accept; label printers on the network

The number of boxes a batch travels in; a scrapped piece's rule reason as its message id and
parameters (read in each reader's language); a claim's number and due date; label printers.
Claims opened before this migration get their numbers in the order they were opened.

Revision ID: 0005_paper_and_printers
Revises: 0004_alerts
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

revision = "0005_paper_and_printers"
down_revision = "0004_alerts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "printer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column(
            "language",
            sa.Enum("zpl", "tspl", name="printer_language", native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),
        sa.Column("dpi", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("dpi IN (203, 300)", name=op.f("ck_printer_dpi_supported")),
        sa.CheckConstraint("port BETWEEN 1 AND 65535", name=op.f("ck_printer_port_in_range")),
        sa.CheckConstraint("width_mm >= 40 AND height_mm >= 25", name=op.f("ck_printer_label_big_enough")),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_printer_store_id_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer")),
        sa.UniqueConstraint("code", name=op.f("uq_printer_code")),
    )
    with op.batch_alter_table("printer", schema=None) as batch_op:
        batch_op.create_index("ix_printer_store", ["store_id", "code"], unique=False)

    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parcels", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_check_constraint("parcels_positive", "parcels >= 1")

    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blame_reason_id", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("blame_reason_params", sa.JSON(), nullable=True))

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    _number_existing_claims()
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.String(length=20), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_claim_number"), ["number"])


def _number_existing_claims():
    # SC-<month>-<nnnn>, numbered within each claim month in the order the claims were made
    # (workshop.claims.claim_number; written out here so the migration never changes).
    connection = op.get_bind()
    claims = connection.execute(sa.text("SELECT id, month FROM claim ORDER BY month, id")).all()
    sequence: dict[int, int] = {}
    for claim_id, month in claims:
        sequence[month] = sequence.get(month, 0) + 1
        connection.execute(
            sa.text("UPDATE claim SET number = :number WHERE id = :id"),
            {"number": f"SC-{month}-{sequence[month]:04d}", "id": claim_id},
        )


def downgrade():
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_claim_number"), type_="unique")
        batch_op.drop_column("due_on")
        batch_op.drop_column("number")

    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.drop_column("blame_reason_params")
        batch_op.drop_column("blame_reason_id")

    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_constraint("parcels_positive", type_="check")
        batch_op.drop_column("parcels")

    with op.batch_alter_table("printer", schema=None) as batch_op:
        batch_op.drop_index("ix_printer_store")

    op.drop_table("printer")
