"""notification sweeps

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:47:18.027861
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_sweeps",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_notification_sweeps_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_notification_sweeps")),
    )


def downgrade() -> None:
    op.drop_table("notification_sweeps")
