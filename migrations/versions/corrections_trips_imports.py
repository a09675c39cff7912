"""corrections with reasons, spreadsheet imports confirmed once, and the second trip

A piece can be cancelled (its label void) and go on a new trip (its earlier trips kept in
``piece_trip``; photos and repairs say which trip they belong to); a parcel can be taken
back; grading can choose an exchange (rule 6). Each confirmed spreadsheet import is one
``piece_import`` row, unique by its preview's key, so confirming the same preview twice
registers it once.

Revision ID: corrections_trips_imports
Revises: quality_supplier_quality
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "corrections_trips_imports"
down_revision = "quality_supplier_quality"
branch_labels = None
depends_on = None

PIECE_STATUSES = (
    "registered",
    "packed",
    "in_transit",
    "missing",
    "unexpected",
    "received",
    "repairable",
    "repaired",
    "no_fault",
    "scrapped",
    "packed_for_return",
    "returning",
    "back_at_store",
)
BATCH_STATUSES = ("open", "dispatched", "checking", "closed")
GRADES = ("repairable", "no_fault", "scrap")
DISPATCHED_HAS_TIME = (
    "status = 'registered' OR status = 'unexpected' OR status = 'packed' OR dispatched_at IS NOT NULL OR unexpected"
)


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    op.create_table(
        "piece_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("preview_key", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["user.id"], name=op.f("fk_piece_import_cancelled_by_id_user")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_piece_import_created_by_id_user")),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_piece_import_store_id_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piece_import")),
        sa.UniqueConstraint("preview_key", name=op.f("uq_piece_import_preview_key")),
    )
    with op.batch_alter_table("piece_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_piece_import_store_id"), ["store_id"], unique=False)

    op.create_table(
        "piece_trip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("piece_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("defect_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "customer_return",
                "delivery",
                "shelf",
                name="trip_source",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("registered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("return_batch_id", sa.Integer(), nullable=True),
        sa.Column("dispatched_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "grade",
            sa.Enum(*GRADES, "exchange", name="trip_grade", native_enum=False, create_constraint=True, length=24),
            nullable=True,
        ),
        sa.Column("graded_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("back_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("back_on", sa.Date(), nullable=True),
        sa.Column("came_back_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("days_back", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"], name=op.f("fk_piece_trip_batch_id_batch")),
        sa.ForeignKeyConstraint(["defect_id"], ["defect_code.id"], name=op.f("fk_piece_trip_defect_id_defect_code")),
        sa.ForeignKeyConstraint(["piece_id"], ["piece.id"], name=op.f("fk_piece_trip_piece_id_piece")),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_piece_trip_product_id_product")),
        sa.ForeignKeyConstraint(["return_batch_id"], ["batch.id"], name=op.f("fk_piece_trip_return_batch_id_batch")),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name=op.f("fk_piece_trip_supplier_id_supplier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piece_trip")),
        sa.UniqueConstraint("piece_id", "number", name=op.f("uq_piece_trip_piece_id")),
    )
    with op.batch_alter_table("piece_trip", schema=None) as batch_op:
        batch_op.create_index("ix_piece_trip_back", ["back_on", "supplier_id"], unique=False)

    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trip", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("repair", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trip", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trip", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_piece_import_id"), ["import_id"], unique=False)
        batch_op.create_index("ix_piece_status_back", ["status", "back_on"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_piece_import_id_piece_import"), "piece_import", ["import_id"], ["id"]
        )
        batch_op.create_check_constraint(op.f("ck_piece_trip_positive"), "trip >= 1")
        # New statuses and grades: a cancelled piece, an exchange (rule 6).
        batch_op.drop_constraint(op.f("ck_piece_piece_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_piece_piece_status"), _in("status", PIECE_STATUSES + ("cancelled",)))
        batch_op.drop_constraint(op.f("ck_piece_piece_grade"), type_="check")
        batch_op.create_check_constraint(op.f("ck_piece_piece_grade"), _in("grade", GRADES + ("exchange",)))
        # A cancelled piece never left its store.
        batch_op.drop_constraint(op.f("ck_piece_dispatched_has_time"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_piece_dispatched_has_time"), "status = 'cancelled' OR " + DISPATCHED_HAS_TIME
        )

    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_batch_batch_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_batch_batch_status"), _in("status", BATCH_STATUSES + ("taken_back",)))


def downgrade():
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_batch_batch_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_batch_batch_status"), _in("status", BATCH_STATUSES))

    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_piece_dispatched_has_time"), type_="check")
        batch_op.create_check_constraint(op.f("ck_piece_dispatched_has_time"), DISPATCHED_HAS_TIME)
        batch_op.drop_constraint(op.f("ck_piece_piece_grade"), type_="check")
        batch_op.create_check_constraint(op.f("ck_piece_piece_grade"), _in("grade", GRADES))
        batch_op.drop_constraint(op.f("ck_piece_piece_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_piece_piece_status"), _in("status", PIECE_STATUSES))
        batch_op.drop_constraint(op.f("ck_piece_trip_positive"), type_="check")
        batch_op.drop_index("ix_piece_status_back")
        batch_op.drop_constraint(batch_op.f("fk_piece_import_id_piece_import"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_piece_import_id"))
        batch_op.drop_column("import_id")
        batch_op.drop_column("trip")

    with op.batch_alter_table("repair", schema=None) as batch_op:
        batch_op.drop_column("trip")

    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_column("trip")

    with op.batch_alter_table("piece_trip", schema=None) as batch_op:
        batch_op.drop_index("ix_piece_trip_back")
    op.drop_table("piece_trip")
    with op.batch_alter_table("piece_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_piece_import_store_id"))
    op.drop_table("piece_import")
