"""三包 at the counter: guarantee periods by category, a product's category and own period,
customer returns with their purchase and the counter's decision, two piece statuses

The category table is filled from the seed (workshop.guarantee.CATEGORY_DEFAULTS, written out
here so that the migration never changes): this is the table's first start.

Revision ID: counter_guarantee
Revises: quality_supplier_quality
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "counter_guarantee"
down_revision = "corrections_trips_imports"
branch_labels = None
depends_on = None

CATEGORIES = (
    "suit",
    "coat",
    "fur",
    "leather_garment",
    "woollen_knitwear",
    "other_garment",
    "bedding",
    "childrens_wear",
    "knitted_underwear",
    "textiles",
    "leather_shoes",
    "sports_shoes",
    "travel_shoes",
    "synthetic_shoes",
    "cloth_shoes",
    "childrens_shoes",
)
SEED_MONTHS = {
    "suit": 6,
    "coat": 6,
    "fur": 6,
    "leather_garment": 3,
    "woollen_knitwear": 3,
    "other_garment": 3,
    "bedding": 3,
    "childrens_wear": 1,
    "knitted_underwear": 1,
    "textiles": 1,
    "leather_shoes": 3,
    "sports_shoes": 2,
    "travel_shoes": 2,
    "synthetic_shoes": 2,
    "cloth_shoes": 1,
    "childrens_shoes": 1,
}
DECISIONS = (
    "refund",
    "exchange",
    "free_repair_workshop",
    "free_repair_store",
    "paid_repair_workshop",
    "paid_repair_store",
    "refusal",
)
OLD_STATUSES = (
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
    "cancelled",  # corrections_trips_imports, the migration before this one
)
NEW_STATUSES = OLD_STATUSES + ("repair_at_store", "settled_at_store")


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade():
    periods = op.create_table(
        "guarantee_period",
        sa.Column("category", _enum(CATEGORIES, "guarantee_category"), nullable=False),
        sa.Column("period_months", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("period_months BETWEEN 0 AND 120", name=op.f("ck_guarantee_period_period_in_range")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name=op.f("fk_guarantee_period_updated_by_id_user")),
        sa.PrimaryKeyConstraint("category", name=op.f("pk_guarantee_period")),
    )
    op.bulk_insert(periods, [{"category": c, "period_months": SEED_MONTHS[c]} for c in CATEGORIES])

    op.create_table(
        "customer_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("piece_id", sa.Integer(), nullable=False),
        sa.Column("sold_on", sa.Date(), nullable=False),
        sa.Column("price_paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("worn", sa.Boolean(), nullable=False),
        sa.Column("out_of_town", sa.Boolean(), nullable=False),
        sa.Column("customer_name", sa.String(length=100), nullable=False),
        sa.Column("customer_phone", sa.String(length=40), nullable=False),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("previous_repairs", sa.Integer(), nullable=False),
        sa.Column("exchanged_before", sa.Boolean(), nullable=False),
        sa.Column("same_kind_in_stock", sa.Boolean(), nullable=True),
        sa.Column("category", _enum(CATEGORIES, "return_category"), nullable=False),
        sa.Column("period_months", sa.Integer(), nullable=False),
        sa.Column("suggested", _enum(DECISIONS, "return_suggested"), nullable=True),
        sa.Column("decision", _enum(DECISIONS, "return_decision"), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=True),
        sa.Column("rule_params", sa.JSON(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("depreciation", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("supplier_caused", sa.Boolean(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "NOT supplier_caused OR (supplier_id IS NOT NULL AND month IS NOT NULL)",
            name=op.f("ck_customer_return_claim_has_party"),
        ),
        sa.CheckConstraint(
            "decision IS NULL OR decided_at IS NOT NULL", name=op.f("ck_customer_return_decision_has_time")
        ),
        sa.CheckConstraint("previous_repairs >= 0", name=op.f("ck_customer_return_repairs_not_negative")),
        sa.CheckConstraint("price_paid >= 0", name=op.f("ck_customer_return_price_not_negative")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], name=op.f("fk_customer_return_decided_by_id_user")),
        sa.ForeignKeyConstraint(["piece_id"], ["piece.id"], name=op.f("fk_customer_return_piece_id_piece")),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name=op.f("fk_customer_return_supplier_id_supplier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_return")),
    )
    with op.batch_alter_table("customer_return", schema=None) as batch_op:
        batch_op.create_index("ix_customer_return_piece", ["piece_id", "id"], unique=False)
        batch_op.create_index("ix_customer_return_supplier_month", ["month", "supplier_id", "amount"], unique=False)

    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("guarantee_category", _enum(CATEGORIES, "product_guarantee_category"), nullable=True)
        )
        batch_op.add_column(sa.Column("guarantee_months", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "guarantee_in_range", "guarantee_months IS NULL OR guarantee_months BETWEEN 0 AND 120"
        )

    _piece_statuses(OLD_STATUSES, NEW_STATUSES)


DISPATCHED_HAS_TIME = (
    "status = 'cancelled' OR status = 'registered' OR status = 'unexpected' OR status = 'packed' "
    "OR dispatched_at IS NOT NULL OR unexpected"
)
# A piece the store repairs or settles itself never leaves it: no dispatch time.
DISPATCHED_HAS_TIME_AT_COUNTER = (
    "status = 'cancelled' OR status = 'registered' OR status = 'unexpected' OR status = 'packed' "
    "OR status = 'repair_at_store' "
    "OR status = 'settled_at_store' OR dispatched_at IS NOT NULL OR unexpected"
)


def _piece_statuses(old, new):
    """The piece's status CHECK lists the statuses a piece may have: two more (or two fewer)."""
    with op.batch_alter_table("piece", schema=None) as batch_op:
        batch_op.alter_column(
            "status", existing_type=_enum(old, "piece_status"), type_=_enum(new, "piece_status"), nullable=False
        )
        batch_op.drop_constraint("dispatched_has_time", type_="check")
        batch_op.create_check_constraint(
            "dispatched_has_time",
            DISPATCHED_HAS_TIME_AT_COUNTER if len(new) > len(old) else DISPATCHED_HAS_TIME,
        )


def downgrade():
    _piece_statuses(NEW_STATUSES, OLD_STATUSES)
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_constraint("guarantee_in_range", type_="check")
        batch_op.drop_constraint("product_guarantee_category", type_="check")
        batch_op.drop_column("guarantee_months")
        batch_op.drop_column("guarantee_category")
    with op.batch_alter_table("customer_return", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_return_supplier_month")
        batch_op.drop_index("ix_customer_return_piece")
    op.drop_table("customer_return")
    op.drop_table("guarantee_period")
