"""queue materialization, customer name key, contract signing date

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:32:36.755673
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SORT_KEY = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def _backfill_name_keys() -> None:
    """casefold() is Python's; SQL lower() differs outside ASCII, so the backfill runs here."""
    bind = op.get_bind()
    customers = sa.table(
        "customers", sa.column("id", sa.Uuid()), sa.column("name"), sa.column("name_key")
    )
    rows = bind.execute(sa.select(customers.c.id, customers.c.name)).all()
    if rows:
        bind.execute(
            customers.update().where(customers.c.id == sa.bindparam("cid")),
            [{"cid": cid, "name_key": name.casefold()} for cid, name in rows],
        )


def upgrade() -> None:
    op.create_table(
        "queue_items",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_type", sa.String(length=20), nullable=False),
        sa.Column("type_rank", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("name_key", SORT_KEY, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("neg_score", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("days_key", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("arr", sa.Float(), nullable=True),
        sa.Column("plan", sa.String(length=20), nullable=True),
        sa.Column("plan_is_set", sa.Boolean(), nullable=False),
        sa.Column("health", sa.Float(), nullable=True),
        sa.Column("opportunity_score", sa.Float(), nullable=True),
        sa.Column("risk_score", sa.Float(), nullable=True),
        sa.Column("experience", sa.String(length=20), nullable=True),
        sa.Column("active_workflows", sa.Integer(), nullable=False),
        sa.Column("execution_id", sa.Uuid(), nullable=True),
        sa.Column("running_workflow_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("snooze_ended", sa.Boolean(), nullable=False),
        sa.Column("escalated_to_id", sa.Uuid(), nullable=True),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "as_of", "customer_id", "workflow_type", name=op.f("pk_queue_items")
        ),
    )
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_queue_items_order",
            [
                "tenant_id",
                "as_of",
                "visible",
                "neg_score",
                "days_key",
                "name_key",
                "customer_id",
                "type_rank",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_queue_items_owner_order",
            [
                "tenant_id",
                "as_of",
                "owner_id",
                "visible",
                "neg_score",
                "days_key",
                "name_key",
                "customer_id",
                "type_rank",
            ],
            unique=False,
        )

    op.create_table(
        "queue_state",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("config_key", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "as_of", name=op.f("pk_queue_state")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_on", sa.Date(), nullable=True))

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", SORT_KEY, nullable=False, server_default=""))
    _backfill_name_keys()


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("name_key")

    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_column("signed_on")

    op.drop_table("queue_state")
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_items_owner_order")
        batch_op.drop_index("ix_queue_items_order")

    op.drop_table("queue_items")
