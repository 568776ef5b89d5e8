"""Live updates: the changes every open app on the database shows within a second

`change_events` holds one row per committed change (an action, a step, a notification, a
workflow or configuration edit): tenant, customer, kind and who — never the data. The row is
written inside the change's own transaction, so a rolled-back change leaves none. On PostgreSQL
the same transaction runs `pg_notify('renubu_changes', …)`, delivered to listeners on commit;
on SQLite the apps watch `PRAGMA data_version` and read the rows newer than the last they saw.

PostgreSQL: row-level security like every tenant table (0008): a login sees and writes only the
events of its tenants, so a listener surfaces only its tenant's changes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_IDS = "renubu_tenant_ids"


def upgrade() -> None:
    op.create_table(
        "change_events",
        # an identity column: a CSM's login needs INSERT on the table, no grant on a sequence
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Uuid(),
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=254), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_change_events_tenant_id_id", "change_events", ["tenant_id", "id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _quote(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one())
    mine = f"tenant_id = ANY ((SELECT {schema}.{TENANT_IDS}())::uuid[])"
    op.execute(f"ALTER TABLE {schema}.change_events ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY renubu_tenant ON {schema}.change_events USING ({mine}) WITH CHECK ({mine})"
    )


def downgrade() -> None:
    op.drop_index("ix_change_events_tenant_id_id", table_name="change_events")
    op.drop_table("change_events")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
